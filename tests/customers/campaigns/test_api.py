"""campaigns/ in the API: the whole life of a campaign, field errors, the access matrix, and
the idempotent POSTs."""

from __future__ import annotations

import pytest

from customers.models import Campaign, CampaignRecipient
from customers.outreach import campaigns
from tests.customers.api.helpers import client_for
from tests.customers.campaigns.conftest import definition, grant, sending_campaign
from tests.customers.factories import make_individual

pytestmark = pytest.mark.django_db

URL = "/api/v1/campaigns/"
BODY = {"name": "Spring deposit", "channel": "sms", "body": "Dear {name}, a better rate at {bank}.",
        "segments": ["mass", "vip"]}


@pytest.fixture
def audience(relationship_manager, branch):
    people = [make_individual(relationship_manager=relationship_manager, branch=branch) for _ in range(2)]
    for person in people:
        grant(relationship_manager, person)
    return people


def test_a_campaign_from_draft_to_responses(branch_manager, service_account, audience,
                                            django_capture_on_commit_callbacks):
    client = client_for(branch_manager)

    created = client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="create-1")
    assert created.status_code == 201, created.data
    pk = created.data["id"]
    assert created.data["status"] == "draft"
    preview = client.get(f"{URL}{pk}/preview/")
    assert preview.data["eligible"] == 2 and preview.data["approval_needed"] is False
    assert preview.data["excluded"]["no_consent"] == 0
    assert client.post(f"{URL}{pk}/submit/", HTTP_IDEMPOTENCY_KEY="submit-1").data["status"] == "approved"
    with django_capture_on_commit_callbacks(execute=True):
        launched = client.post(f"{URL}{pk}/launch/", {}, format="json", HTTP_IDEMPOTENCY_KEY="launch-1")
    assert launched.status_code == 200
    assert Campaign.objects.get(pk=pk).status == "completed"  # eager Celery: started, sent, completed

    recipients = client.get(f"{URL}{pk}/recipients/", {"status": "sent"})
    assert [row["customer"] for row in recipients.data["results"]] == sorted(p.pk for p in audience)
    assert set(recipients.data["results"][0]) >= {"customer_number", "status", "delivery"}
    assert "phone" not in str(recipients.data)

    reported = client_for(service_account).post(
        f"{URL}{pk}/responses/", {"customer": audience[0].pk, "outcome": "converted"}, format="json",
        HTTP_IDEMPOTENCY_KEY="response-1")
    assert reported.status_code == 200, reported.data
    results = client.get(f"{URL}{pk}/results/").data
    assert (results["by_status"]["sent"], results["responded"], results["converted"]) == (2, 1, 1)
    assert results["conversion_rate"] == 0.5


def test_the_same_key_creates_one_campaign(branch_manager):
    client = client_for(branch_manager)

    first = client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="same")
    second = client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="same")

    assert (first.status_code, second.status_code) == (201, 201)
    assert second["Idempotent-Replayed"] == "true"
    assert Campaign.objects.count() == 1


def test_field_errors_are_400_with_the_field(branch_manager):
    client = client_for(branch_manager)

    response = client.post(URL, {**BODY, "channel": "email", "body": "Hi {email}", "segments": ["gold"],
                                 "colour": "red"}, format="json")

    assert response.status_code == 400
    fields = response.data["error"]["fields"]
    assert "colour" in fields
    assert not Campaign.objects.exists()
    service = client.post(URL, {**BODY, "channel": "email", "body": "Hi {email}"}, format="json")
    assert service.status_code == 400
    service_fields = service.data["error"]["fields"]
    assert set(service_fields) == {"subject", "body"}


def test_a_step_out_of_order_is_a_400(branch_manager, audience):
    campaign = campaigns.campaign_create(actor=branch_manager, values=definition())

    response = client_for(branch_manager).post(f"{URL}{campaign.pk}/cancel/")
    again = client_for(branch_manager).post(f"{URL}{campaign.pk}/cancel/")

    assert response.status_code == 200
    assert again.status_code == 400
    assert "status" in again.data["error"]["fields"]


def test_a_response_for_a_customer_not_sent_is_a_400(branch_manager, audience):
    campaign = sending_campaign(branch_manager)

    response = client_for(branch_manager).post(f"{URL}{campaign.pk}/responses/",
                                               {"customer": audience[0].pk, "outcome": "responded"},
                                               format="json")

    assert response.status_code == 400
    assert "customer" in response.data["error"]["fields"]
    assert not CampaignRecipient.objects.filter(responded_at__isnull=False).exists()


ROLES = ["anonymous", "book_rm", "other_rm", "branch_manager", "other_branch_manager", "head_office",
         "compliance_officer", "service_account"]
# Expected status per role (ROLES order) for each request on a branch's campaign.
MATRIX = {
    "list": [401, 403, 403, 200, 200, 200, 200, 200],
    "retrieve": [401, 404, 404, 200, 404, 200, 200, 200],
    "preview": [401, 404, 404, 200, 404, 200, 200, 200],
    "recipients": [401, 404, 404, 200, 404, 200, 200, 200],
    "results": [401, 404, 404, 200, 404, 200, 200, 200],
    "create": [401, 403, 403, 201, 201, 201, 403, 403],
    "cancel": [401, 404, 404, 200, 404, 200, 403, 403],
}


@pytest.fixture
def matrix_world(relationship_manager, other_relationship_manager, branch_manager, other_branch_manager,
                 head_office, compliance_officer, service_account, audience):
    campaign = campaigns.campaign_create(actor=branch_manager, values=definition())
    users = {"anonymous": None, "book_rm": relationship_manager, "other_rm": other_relationship_manager,
             "branch_manager": branch_manager, "other_branch_manager": other_branch_manager,
             "head_office": head_office, "compliance_officer": compliance_officer,
             "service_account": service_account}
    return campaign, users


@pytest.mark.parametrize("request_name", list(MATRIX))
@pytest.mark.parametrize("role_index", range(len(ROLES)))
def test_access_matrix(api_client, matrix_world, request_name, role_index):
    campaign, users = matrix_world
    user = users[ROLES[role_index]]
    client = client_for(user) if user else api_client
    before = Campaign.objects.count()

    if request_name == "list":
        response = client.get(URL)
    elif request_name == "retrieve":
        response = client.get(f"{URL}{campaign.pk}/")
    elif request_name == "create":
        response = client.post(URL, BODY, format="json")
    elif request_name == "cancel":
        response = client.post(f"{URL}{campaign.pk}/cancel/")
    else:
        response = client.get(f"{URL}{campaign.pk}/{request_name}/")

    assert response.status_code == MATRIX[request_name][role_index], ROLES[role_index]
    if response.status_code >= 400:
        campaign.refresh_from_db()
        assert campaign.status == "draft"
        assert Campaign.objects.count() == before


def test_recipients_are_restricted_to_the_customers_the_caller_sees(head_office, audience, branch,
                                                                    other_relationship_manager, other_branch,
                                                                    branch_manager):
    far = make_individual(relationship_manager=other_relationship_manager, branch=other_branch)
    grant(other_relationship_manager, far)
    campaign = sending_campaign(head_office)  # the whole bank: three recipients

    assert CampaignRecipient.objects.filter(campaign=campaign).count() == 3
    # The branch manager may not see a bank-wide campaign at all.
    assert client_for(branch_manager).get(f"{URL}{campaign.pk}/recipients/").status_code == 404
    rows = client_for(head_office).get(f"{URL}{campaign.pk}/recipients/").data["results"]
    assert len(rows) == 3


def test_an_unknown_status_filter_is_a_400(branch_manager):
    campaign = campaigns.campaign_create(actor=branch_manager, values=definition())

    response = client_for(branch_manager).get(f"{URL}{campaign.pk}/recipients/", {"status": "lost"})

    assert response.status_code == 400


def test_the_list_reads_a_fixed_number_of_queries(branch_manager, django_assert_max_num_queries):
    client = client_for(branch_manager)
    campaigns.campaign_create(actor=branch_manager, values=definition(name="First"))
    with django_assert_max_num_queries(20) as first:
        client.get(URL)
    for index in range(8):
        campaigns.campaign_create(actor=branch_manager, values=definition(name=f"More {index}"))

    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(URL)

    assert len(response.data["results"]) == 9
