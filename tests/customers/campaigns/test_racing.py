"""Concurrent workers and a withdrawal racing a batch, on PostgreSQL with real threads and
transactions."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import transaction

from customers import outreach
from customers.models import CampaignRecipient, ContactLog, OutboundMessage
from customers.outreach import campaigns
from tests.customers.campaigns.conftest import grant, sending_campaign
from tests.customers.factories import make_individual
from tests.threads import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)




@pytest.fixture(autouse=True)
def _workers_by_hand(monkeypatch):
    # Here the tests are the workers: nothing the services queue runs by itself.
    from customers.outreach.campaigns import sending, services

    monkeypatch.setattr(services, "outbox_enqueue", lambda *args: None)
    monkeypatch.setattr(sending, "outbox_enqueue", lambda *args: None)


@pytest.fixture
def audience(relationship_manager, branch):
    people = [make_individual(relationship_manager=relationship_manager, branch=branch) for _ in range(6)]
    for person in people:
        grant(relationship_manager, person)
    return people


def test_no_message_after_a_withdrawal_commits_mid_campaign(branch_manager, relationship_manager, audience):
    campaign = sending_campaign(branch_manager)
    target = audience[0]
    withdrawn = threading.Event()

    def withdraw():
        with transaction.atomic():
            outreach.consent_withdraw(actor=relationship_manager, customer=target, channel="sms",
                                      purpose="marketing", source="app")
            withdrawn.set()
            time.sleep(0.5)  # the batch reaches the customer meanwhile; it must wait for this commit

    def send():
        withdrawn.wait(timeout=5)
        campaigns.campaign_batch_send(campaign_id=campaign.pk, size=10)

    errors = run_concurrently(withdraw, send)

    assert errors == []
    recipient = CampaignRecipient.objects.get(campaign=campaign, customer=target)
    assert (recipient.status, recipient.refusal_code) == ("blocked", "consent_withdrawn")
    assert not OutboundMessage.objects.filter(customer=target).exists()
    assert not ContactLog.objects.filter(customer=target, outcome="sent").exists()
    assert OutboundMessage.objects.count() == 5


def test_two_workers_never_send_to_the_same_recipient(branch_manager, audience, monkeypatch):
    campaign = sending_campaign(branch_manager)
    # Each worker holds its rows a moment, so the other claims while the first is busy.
    original = outreach.contact_request

    def slow_request(**kwargs):
        time.sleep(0.05)
        return original(**kwargs)

    monkeypatch.setattr(outreach, "contact_request", slow_request)
    claimed = []

    def worker():
        claimed.append(campaigns.campaign_batch_send(campaign_id=campaign.pk, size=3).claimed)

    errors = run_concurrently(worker, worker)

    assert errors == []
    assert sorted(claimed) == [3, 3]
    assert OutboundMessage.objects.count() == 6
    assert ContactLog.objects.filter(sender_id=str(campaign.pk), outcome="sent").count() == 6
    assert set(CampaignRecipient.objects.values_list("attempts", flat=True)) == {1}
