"""Campaign pages under the one policy: who sees which page and may take which step, and the
pages themselves (preview, results chart with its table, response buttons)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.roles import Role
from customers.models import Campaign, CampaignRecipient
from customers.outreach import campaigns
from tests.customers.campaigns.conftest import definition, grant, sending_campaign, with_permissions
from tests.customers.campaigns.conftest import definition as form_definition
from tests.customers.factories import make_individual
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "book_rm", "other_rm", "branch_manager", "other_branch_manager", "head_office",
         "compliance_officer"]


@pytest.fixture
def world(relationship_manager, other_relationship_manager, branch, other_branch, branch_manager,
          other_branch_manager, head_office, compliance_officer, django_capture_on_commit_callbacks):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    grant(relationship_manager, customer)
    campaign = sending_campaign(branch_manager)
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_batch_send(campaign_id=campaign.pk)
    draft = campaigns.campaign_create(actor=branch_manager, values=definition(name="Draft"))
    users = {"anonymous": None, "book_rm": relationship_manager, "other_rm": other_relationship_manager,
             "branch_manager": branch_manager, "other_branch_manager": other_branch_manager,
             "head_office": head_office, "compliance_officer": compliance_officer}
    return {"campaign": campaign, "draft": draft, "customer": customer, "users": users}


OK, FORBIDDEN, MISSING, LOGIN = 200, 403, 404, 302
# Reading pages, per role in ROLES order.
READS = {
    "campaign-list": [LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, OK, OK],
    "campaign-detail": [LOGIN, MISSING, MISSING, OK, MISSING, OK, OK],
    "campaign-results": [LOGIN, MISSING, MISSING, OK, MISSING, OK, OK],
    "campaign-create": [LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, OK, FORBIDDEN],
}


def _client(client, user):
    if user is not None:
        client.force_login(user)
    return client


def _url(name, world):
    if name in ("campaign-list", "campaign-create"):
        return reverse(name)
    return reverse(name, args=[world["campaign"].pk])


@pytest.mark.parametrize("name", list(READS))
@pytest.mark.parametrize("role_index", range(len(ROLES)))
def test_read_access(client, world, name, role_index):
    role = ROLES[role_index]
    expected = READS[name][role_index]
    # A page about campaigns in general is 403 for a role that may see none; a campaign the
    # user may not see is 404, as a missing one.
    response = _client(client, world["users"][role]).get(_url(name, world))

    assert response.status_code == expected, role


# Writes on the draft (submit) and the sent campaign (cancel, record a response): the branch
# manager and head office act (302 back to the campaign); compliance sees but may not act.
WRITES = {
    "campaign-submit": ("draft", {}, [LOGIN, MISSING, MISSING, LOGIN, MISSING, LOGIN, FORBIDDEN]),
    "campaign-cancel": ("campaign", {}, [LOGIN, MISSING, MISSING, LOGIN, MISSING, LOGIN, FORBIDDEN]),
    "campaign-response": ("campaign", {"outcome": "responded"},
                          [LOGIN, MISSING, MISSING, LOGIN, MISSING, LOGIN, FORBIDDEN]),
}


@pytest.mark.parametrize("name", list(WRITES))
@pytest.mark.parametrize("role_index", range(len(ROLES)))
def test_write_access_and_that_a_refusal_changes_nothing(client, world, name, role_index):
    role = ROLES[role_index]
    target, data, expected = WRITES[name]
    campaign = world[target]
    data = {**data, "customer": world["customer"].pk}
    before = list(Campaign.objects.values_list("pk", "status"))
    responses = list(CampaignRecipient.objects.values_list("pk", "responded_at"))

    response = _client(client, world["users"][role]).post(reverse(name, args=[campaign.pk]), data)

    assert response.status_code == expected[role_index], role
    if expected[role_index] == LOGIN and role != "anonymous":
        return  # done; the redirect goes back to the campaign
    assert list(Campaign.objects.values_list("pk", "status")) == before
    assert list(CampaignRecipient.objects.values_list("pk", "responded_at")) == responses


def test_the_detail_page_shows_the_preview(client, world, branch_manager):
    url = reverse("campaign-detail", args=[world["draft"].pk])
    plain = _client(client, branch_manager).get(url)
    response = _client(client, branch_manager).get(url, {"preview": "1"})

    assert 'data-testid="count-now"' in plain.content.decode() and plain.context["preview"] is None
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="eligible">0<' in html  # the one customer had their contact just now: capped
    assert 'data-reason="cap"' in html
    assert reverse("campaign-submit", args=[world["draft"].pk]) in html


def test_the_results_page_draws_the_chart_beside_its_table(client, world, branch_manager):
    response = _client(client, branch_manager).get(reverse("campaign-results", args=[world["campaign"].pk]))

    html = response.content.decode()
    assert "<svg" in html and "<rect" in html
    assert 'data-testid="results-table"' in html
    assert response.context["results"].sent == 1
    assert world["customer"].display_name in html
    assert 'value="converted"' in html


def test_recording_a_conversion_from_the_results_page(client, world, branch_manager):
    response = _client(client, branch_manager).post(
        reverse("campaign-response", args=[world["campaign"].pk]),
        {"customer": world["customer"].pk, "outcome": "converted"})

    assert response.status_code == 302
    recipient = CampaignRecipient.objects.get(campaign=world["campaign"])
    assert recipient.converted_at is not None and recipient.responded_at is not None


def test_preparing_a_campaign_in_the_browser(client, branch_manager, branch):
    client.force_login(branch_manager)

    base = {"name": "Autumn", "channel": "sms", "purpose": "marketing"}
    bad = client.post(reverse("campaign-create"), {**base, "body": "Hi {phone}"})
    good = client.post(reverse("campaign-create"), {**base, "body": "Hi {name}", "segments": ["vip"],
                                                    "branches": [branch.pk]})

    assert bad.status_code == 400
    assert "{phone}" in bad.content.decode()
    assert good.status_code == 302
    campaign = Campaign.objects.get()
    assert good["Location"] == reverse("campaign-detail", args=[campaign.pk]) + "?preview=1"
    assert (campaign.segments, campaign.branches, campaign.branch_id) == (["vip"], [branch.pk], branch.pk)


def test_the_approve_button_is_for_someone_else(client, head_office, approver, relationship_manager, branch,
                                                settings):
    settings.CAMPAIGN_APPROVAL_THRESHOLD = 0
    grant(relationship_manager, make_individual(relationship_manager=relationship_manager, branch=branch))
    campaign = campaigns.campaign_submit(actor=head_office, campaign=campaigns.campaign_create(
        actor=head_office, values=definition()))
    approve = reverse("campaign-approve", args=[campaign.pk])

    client.force_login(head_office)
    assert approve not in client.get(reverse("campaign-detail", args=[campaign.pk])).content.decode()
    client.post(approve)
    campaign.refresh_from_db()
    assert campaign.status == "pending_approval"

    client.force_login(approver)
    assert approve in client.get(reverse("campaign-detail", args=[campaign.pk])).content.decode()
    assert client.post(approve).status_code == 302
    campaign.refresh_from_db()
    assert (campaign.status, campaign.approved_by_id) == ("approved", approver.pk)


def test_a_service_account_uses_the_api(client, service_account):
    client.force_login(service_account)
    assert client.get(reverse("campaign-list")).status_code == 403


def test_list_query_count_does_not_grow(client, branch_manager, django_assert_max_num_queries):
    client.force_login(branch_manager)
    for index in range(3):
        campaigns.campaign_create(actor=branch_manager, values=definition(name=f"C{index}"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("campaign-list"))
    for index in range(10):
        campaigns.campaign_create(actor=branch_manager, values=definition(name=f"D{index}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("campaign-list"))


def test_an_unknown_role_sees_nothing(client, db):
    user = with_permissions(UserFactory(role=Role.BRANCH_STAFF, username="staff.x"))
    client.force_login(user)
    assert client.get(reverse("campaign-list")).status_code == 403


def test_scheduling_in_the_browser_starts_the_campaign(client, branch_manager, relationship_manager, branch,
                                                       django_capture_on_commit_callbacks):
    grant(relationship_manager, make_individual(relationship_manager=relationship_manager, branch=branch))
    campaign = campaigns.campaign_submit(actor=branch_manager, campaign=campaigns.campaign_create(
        actor=branch_manager, values=definition()))
    client.force_login(branch_manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("campaign-schedule", args=[campaign.pk]), {"send_at": ""})

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == "completed"  # eager Celery: started, its one batch sent, completed
    assert CampaignRecipient.objects.get(campaign=campaign).status == "sent"


def test_the_results_page_reads_a_fixed_number_of_queries(client, branch_manager, relationship_manager,
                                                          branch, django_assert_max_num_queries):
    people = [make_individual(relationship_manager=relationship_manager, branch=branch) for _ in range(2)]
    for person in people:
        grant(relationship_manager, person)
    campaign = sending_campaign(branch_manager)
    client.force_login(branch_manager)
    url = reverse("campaign-results", args=[campaign.pk])
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for _ in range(6):
        make_individual(relationship_manager=relationship_manager, branch=branch)
    CampaignRecipient.objects.bulk_create([
        CampaignRecipient(campaign=campaign, customer=customer)
        for customer in type(people[0]).objects.exclude(
            pk__in=CampaignRecipient.objects.values("customer_id"))])

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)

    assert len(response.context["recipients"]) == 8


def test_a_draft_is_changed_in_its_form_and_a_started_campaign_is_not(client, world, branch_manager,
                                                                    other_branch_manager, compliance_officer):
    draft = world["draft"]
    url = reverse("campaign-edit", args=[draft.pk])

    def definition(**overrides):  # as the form posts it
        return {key: value for key, value in form_definition(**overrides).items() if value is not None}

    manager = _client(client, branch_manager)
    page = manager.get(url)
    assert page.status_code == 200 and f'value="{draft.name}"' in page.content.decode()
    bad = manager.post(url, {**definition(name=""), "segments": ["vip"]})
    assert bad.status_code == 400
    changed = manager.post(url, {**definition(name="Draft, for VIPs"), "segments": ["vip"]})
    assert changed.status_code == 302 and changed["Location"].endswith("?preview=1")
    draft.refresh_from_db()
    assert draft.name == "Draft, for VIPs" and draft.segments == ["vip"]
    started = manager.get(reverse("campaign-edit", args=[world["campaign"].pk]), follow=True)
    assert "Only a draft can be changed" in started.content.decode()
    client.logout()
    assert _client(client, other_branch_manager).get(url).status_code == 404
    client.logout()
    assert _client(client, compliance_officer).post(url, definition(name="Mine")).status_code == 403
    draft.refresh_from_db()
    assert draft.name == "Draft, for VIPs"
