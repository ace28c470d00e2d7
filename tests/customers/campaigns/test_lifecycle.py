"""A campaign's life: prepared by who may run campaigns, approved by a second person when
large, scheduled, started once (recipients unique), cancelled; responses recorded."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from compliance.models import AuditEvent
from customers.models import Campaign, CampaignRecipient, CampaignStatus
from customers.outreach import campaigns
from tests.customers.campaigns.conftest import definition, grant, sending_campaign
from tests.customers.factories import make_individual

pytestmark = pytest.mark.django_db


@pytest.fixture
def audience_of_three(relationship_manager, branch):
    people = [make_individual(relationship_manager=relationship_manager, branch=branch) for _ in range(3)]
    for person in people:
        grant(relationship_manager, person)
    return people


def test_a_relationship_manager_may_not_prepare_a_campaign(relationship_manager):
    with pytest.raises(PermissionDenied):
        campaigns.campaign_create(actor=relationship_manager, values=definition())
    assert not Campaign.objects.exists()


def test_a_branch_managers_campaign_is_their_branchs(branch_manager, branch):
    campaign = campaigns.campaign_create(actor=branch_manager, values=definition())

    assert (campaign.branch_id, campaign.status, campaign.created_by_id) == (branch.pk, "draft",
                                                                             branch_manager.pk)
    assert AuditEvent.objects.filter(action="campaign.created", object_id=str(campaign.pk)).count() == 1


def test_bad_definitions_are_refused_by_field(branch_manager):
    with pytest.raises(ValidationError) as error:
        campaigns.campaign_create(actor=branch_manager, values=definition(
            name="", channel="phone", body="Hello {email}", segments=["gold"]))

    assert set(error.value.message_dict) == {"name", "channel", "body", "segments"}
    assert "{email}" in error.value.message_dict["body"][0]
    assert not Campaign.objects.exists()


def test_a_small_campaign_is_approved_on_submission(branch_manager, audience_of_three, settings):
    settings.CAMPAIGN_APPROVAL_THRESHOLD = 3
    campaign = campaigns.campaign_create(actor=branch_manager, values=definition())

    campaign = campaigns.campaign_submit(actor=branch_manager, campaign=campaign)

    assert (campaign.status, campaign.audience_estimate) == ("approved", 3)


def test_a_large_campaign_waits_for_someone_else_to_approve(head_office, approver, audience_of_three,
                                                             settings, other_branch_manager):
    settings.CAMPAIGN_APPROVAL_THRESHOLD = 2
    campaign = campaigns.campaign_create(actor=head_office, values=definition())
    campaign = campaigns.campaign_submit(actor=head_office, campaign=campaign)
    assert campaign.status == "pending_approval"

    with pytest.raises(PermissionDenied):
        campaigns.campaign_approve(actor=head_office, campaign=campaign)  # who prepared it
    with pytest.raises(PermissionDenied):
        campaigns.campaign_approve(actor=other_branch_manager, campaign=campaign)  # a bank-wide campaign
    with pytest.raises(ValidationError):
        campaigns.campaign_schedule(actor=head_office, campaign=campaign)
    campaign.refresh_from_db()
    assert (campaign.status, campaign.approved_by_id) == ("pending_approval", None)

    campaign = campaigns.campaign_approve(actor=approver, campaign=campaign)

    assert (campaign.status, campaign.approved_by_id) == ("approved", approver.pk)


def test_a_campaign_reaching_nobody_is_not_submitted(branch_manager):
    campaign = campaigns.campaign_create(actor=branch_manager, values=definition())

    with pytest.raises(ValidationError) as error:
        campaigns.campaign_submit(actor=branch_manager, campaign=campaign)

    assert "status" in error.value.message_dict
    campaign.refresh_from_db()
    assert campaign.status == "draft"


def test_starting_twice_creates_each_recipient_once(branch_manager, audience_of_three):
    campaign = sending_campaign(branch_manager)
    assert campaign.status == "sending"

    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.SCHEDULED)
    assert campaigns.campaign_start(campaign_id=campaign.pk) == 0  # rows exist: ON CONFLICT DO NOTHING

    assert CampaignRecipient.objects.filter(campaign=campaign).count() == 3
    assert set(CampaignRecipient.objects.values_list("status", flat=True)) == {"pending"}


def test_a_campaign_scheduled_later_is_not_started_early(branch_manager, audience_of_three, clock):
    import datetime

    campaign = campaigns.campaign_submit(
        actor=branch_manager, campaign=campaigns.campaign_create(actor=branch_manager, values=definition()))
    campaign = campaigns.campaign_schedule(actor=branch_manager, campaign=campaign,
                                           send_at=clock() + datetime.timedelta(hours=2))

    assert campaigns.campaign_start(campaign_id=campaign.pk) == 0
    clock.advance(hours=2)
    assert campaigns.campaign_start(campaign_id=campaign.pk) == 3


def test_an_audience_grown_past_the_threshold_goes_back_for_approval(branch_manager, audience_of_three,
                                                                     settings, relationship_manager, branch):
    settings.CAMPAIGN_APPROVAL_THRESHOLD = 3
    campaign = campaigns.campaign_submit(
        actor=branch_manager, campaign=campaigns.campaign_create(actor=branch_manager, values=definition()))
    campaign = campaigns.campaign_schedule(actor=branch_manager, campaign=campaign)
    newcomer = make_individual(relationship_manager=relationship_manager, branch=branch)
    grant(relationship_manager, newcomer)

    assert campaigns.campaign_start(campaign_id=campaign.pk) == 0

    campaign.refresh_from_db()
    assert campaign.status == "pending_approval"
    assert not CampaignRecipient.objects.exists()


def test_cancelling_stops_what_waits(branch_manager, audience_of_three):
    campaign = sending_campaign(branch_manager)

    campaigns.campaign_cancel(actor=branch_manager, campaign=campaign)
    result = campaigns.campaign_batch_send(campaign_id=campaign.pk)

    assert result.claimed == 0
    assert set(CampaignRecipient.objects.values_list("status", flat=True)) == {"cancelled"}
    with pytest.raises(ValidationError):
        campaigns.campaign_cancel(actor=branch_manager, campaign=campaign)


def test_responses_and_conversions_are_recorded_once(branch_manager, audience_of_three, service_account,
                                                     django_capture_on_commit_callbacks):
    campaign = sending_campaign(branch_manager)
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_batch_send(campaign_id=campaign.pk)
    first, second, _third = audience_of_three

    campaigns.campaign_response_record(actor=service_account, campaign=campaign, customer_id=first.pk,
                                       outcome="converted")
    campaigns.campaign_response_record(actor=branch_manager, campaign=campaign, customer_id=second.pk,
                                       outcome="responded")
    campaigns.campaign_response_record(actor=branch_manager, campaign=campaign, customer_id=second.pk,
                                       outcome="responded")
    results = campaigns.campaign_results(campaign=campaign)

    assert (results.sent, results.responded, results.converted) == (3, 2, 1)
    assert results.response_rate == pytest.approx(2 / 3)
    assert results.conversion_rate == pytest.approx(1 / 3)
    assert AuditEvent.objects.filter(action="campaign.responded").count() == 1


def test_a_response_of_someone_not_sent_the_campaign_is_refused(branch_manager, audience_of_three,
                                                                relationship_manager, branch):
    campaign = sending_campaign(branch_manager)  # decided by no batch yet

    with pytest.raises(ValidationError) as error:
        campaigns.campaign_response_record(actor=branch_manager, campaign=campaign,
                                           customer_id=audience_of_three[0].pk, outcome="responded")
    assert "customer" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        campaigns.campaign_response_record(actor=relationship_manager, campaign=campaign,
                                           customer_id=audience_of_three[0].pk, outcome="responded")
