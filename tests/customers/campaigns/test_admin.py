"""Admin of campaigns: restricted by the policy, read-only, cancelled through the service;
recorded messages masked as on every surface."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from customers.models import Campaign, OutboundMessage
from customers.outreach import campaigns
from tests.customers.campaigns.conftest import definition, grant, sending_campaign
from tests.customers.factories import make_individual

pytestmark = pytest.mark.django_db


def _staff(user, *codenames):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="customers",
                                                         codename__in=codenames))
    return type(user).objects.get(pk=user.pk)


def test_a_branch_manager_sees_and_cancels_their_branchs_campaigns(client, branch_manager,
                                                                   other_branch_manager):
    mine = campaigns.campaign_create(actor=branch_manager, values=definition(name="Mine"))
    theirs = campaigns.campaign_create(actor=other_branch_manager, values=definition(name="Theirs"))
    client.force_login(_staff(branch_manager))
    listing = client.get(reverse("admin:customers_campaign_changelist"))

    assert listing.status_code == 200
    assert "Mine" in listing.content.decode() and "Theirs" not in listing.content.decode()
    assert client.get(reverse("admin:customers_campaign_change", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("admin:customers_campaign_changelist"),
                           {"action": "cancel_campaigns", "_selected_action": [mine.pk, theirs.pk]})

    assert response.status_code == 302
    assert dict(Campaign.objects.values_list("name", "status")) == {"Mine": "cancelled", "Theirs": "draft"}


def test_an_administrator_without_a_grant_sees_no_campaign(client, administrator, branch_manager):
    campaigns.campaign_create(actor=branch_manager, values=definition())
    client.force_login(administrator)

    response = client.get(reverse("admin:customers_campaign_changelist"))

    assert response.status_code in (200, 403)
    assert "Spring deposit" not in response.content.decode()


def test_recorded_messages_are_masked_for_the_branch_manager(client, branch_manager, relationship_manager,
                                                             branch, django_capture_on_commit_callbacks):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    grant(relationship_manager, customer)
    campaign = sending_campaign(branch_manager)
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_batch_send(campaign_id=campaign.pk)
    message = OutboundMessage.objects.get()
    clear_body = message.body

    client.force_login(_staff(branch_manager, "view_outboundmessage"))
    masked = client.get(reverse("admin:customers_outboundmessage_change", args=[message.pk])).content.decode()
    client.force_login(_staff(relationship_manager, "view_outboundmessage"))
    clear = client.get(reverse("admin:customers_outboundmessage_change", args=[message.pk])).content.decode()

    assert clear_body not in masked and "(masked)" in masked
    assert clear_body in clear
