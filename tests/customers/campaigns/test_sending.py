"""Sending in batches through contact_request: a message goes out only when the policy
allows it, at most once per recipient; quiet hours defer and a later batch retries; a
withdrawal that has committed stops every later message."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from customers import outreach
from customers.models import CampaignRecipient, ContactLog, Customer, OutboundMessage
from customers.outreach import campaigns
from tests.customers.campaigns.conftest import grant, sending_campaign
from tests.customers.factories import make_individual

pytestmark = pytest.mark.django_db


def one_batch(campaign, django_capture_on_commit_callbacks, *, size=None):
    """One batch and its deliveries (what runs after its commit), but not the next batch it
    queues: the tests play the worker."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = campaigns.campaign_batch_send(campaign_id=campaign.pk, size=size)
    for callback in callbacks:
        if getattr(callback, "func", None) is not None and "outbox" in callback.func.__module__:
            continue
        callback()
    return result


def run_batches(campaign, django_capture_on_commit_callbacks, *, size=None):
    """Run batches until one claims nothing."""
    total = []
    while True:
        total.append(one_batch(campaign, django_capture_on_commit_callbacks, size=size))
        if not total[-1].claimed:
            return total


@pytest.fixture
def vips(relationship_manager, branch):
    rm = relationship_manager

    def vip(**extra):
        return make_individual(relationship_manager=rm, branch=branch, segment="vip", **extra)

    people = {"consenting": vip(), "no_consent": vip(), "capped": vip(), "abroad": vip(),
              "withdrawn": vip()}
    for name in ("consenting", "capped", "abroad", "withdrawn"):
        grant(rm, people[name])
    outreach.consent_withdraw(actor=rm, customer=people["withdrawn"], channel="sms", purpose="marketing",
                              source="app")
    # Noon in Shanghai is midnight in New York: within the quiet hours 21:00-08:00 there.
    Customer.objects.filter(pk=people["abroad"].pk).update(time_zone="America/New_York")
    assert outreach.contact_request(actor=None, customer=people["capped"], channel="sms", purpose="marketing",
                                    reason="Earlier campaign",
                                    sender=outreach.ContactSender("campaign", "9999")).allowed
    make_individual(relationship_manager=rm, branch=branch, segment="mass")  # not a VIP: not targeted
    return people


def test_a_vip_campaign_breaks_no_consent_cap_or_quiet_hour(branch_manager, vips, clock,
                                                           django_capture_on_commit_callbacks):
    campaign = sending_campaign(branch_manager, segments=["vip"])

    run_batches(campaign, django_capture_on_commit_callbacks)

    status = dict(CampaignRecipient.objects.values_list("customer_id", "status"))
    codes = dict(CampaignRecipient.objects.values_list("customer_id", "refusal_code"))
    assert status == {vips["consenting"].pk: "sent", vips["no_consent"].pk: "blocked",
                      vips["capped"].pk: "blocked", vips["abroad"].pk: "deferred",
                      vips["withdrawn"].pk: "blocked"}
    assert codes[vips["no_consent"].pk] == "no_consent"
    assert codes[vips["capped"].pk] == "cap"
    assert codes[vips["withdrawn"].pk] == "consent_withdrawn"
    assert list(OutboundMessage.objects.values_list("customer_id", flat=True)) == [vips["consenting"].pk]

    # Quiet hours end at 08:00 in New York (12:00 UTC); a batch before then sends nothing.
    abroad = CampaignRecipient.objects.get(customer=vips["abroad"])
    assert abroad.retry_at == datetime.datetime(2026, 6, 10, 12, 0, tzinfo=datetime.UTC)
    clock.advance(hours=4)
    assert run_batches(campaign, django_capture_on_commit_callbacks)[0].claimed == 0
    clock.advance(hours=4)
    run_batches(campaign, django_capture_on_commit_callbacks)

    abroad.refresh_from_db()
    assert (abroad.status, abroad.refusal_code, abroad.attempts) == ("sent", "", 2)
    assert OutboundMessage.objects.count() == 2
    # Every message sent is a sent contact of the policy's log, and no customer got more than the
    # 7-day cap of one marketing contact.
    sent_logs = ContactLog.objects.filter(outcome="sent", sender_kind="campaign", sender_id=str(campaign.pk))
    assert set(sent_logs.values_list("customer_id", flat=True)) == {vips["consenting"].pk, vips["abroad"].pk}
    for customer in vips.values():
        assert ContactLog.objects.filter(customer=customer, outcome="sent").count() <= 1
    assert campaigns.campaigns_tick()["completed"] == 1


def test_the_recorded_message_is_masked_and_encrypted(branch_manager, relationship_manager, branch,
                                                      django_capture_on_commit_callbacks):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch,
                               phone="+86 138 0013 8000")
    grant(relationship_manager, customer)
    campaign = sending_campaign(branch_manager)

    run_batches(campaign, django_capture_on_commit_callbacks)

    message = OutboundMessage.objects.get()
    assert message.address_mask == customer.phone_mask
    assert "8000" in message.address_mask and "0013" not in message.address_mask
    assert message.body == f"Dear {customer.display_name}, Harbour Bank offers 2.1% on 12-month deposits."
    raw = OutboundMessage.objects.filter(pk=message.pk).values_list("body", flat=True).get()
    assert customer.display_name not in str(getattr(raw, "token", raw))
    assert CampaignRecipient.objects.get().delivery == "delivered"


def test_e_mail_goes_through_djangos_mail(branch_manager, relationship_manager, branch,
                                          django_capture_on_commit_callbacks):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch,
                               email="li.na@example.cn")
    grant(relationship_manager, customer, channel="email")
    campaign = sending_campaign(branch_manager, channel="email", subject="For you, {name}")

    run_batches(campaign, django_capture_on_commit_callbacks)

    assert [message.to for message in mail.outbox] == [["li.na@example.cn"]]
    assert mail.outbox[0].subject == f"For you, {customer.display_name}"
    assert not OutboundMessage.objects.exists()


def test_a_batch_run_twice_sends_nothing_twice(branch_manager, relationship_manager, branch,
                                               django_capture_on_commit_callbacks):
    for _ in range(3):
        grant(relationship_manager, make_individual(relationship_manager=relationship_manager, branch=branch))
    campaign = sending_campaign(branch_manager)

    results = run_batches(campaign, django_capture_on_commit_callbacks, size=2)
    campaigns.deliver_recipients(list(CampaignRecipient.objects.values_list("pk", flat=True)))

    assert [result.claimed for result in results] == [2, 1, 0]
    assert OutboundMessage.objects.count() == 3
    assert ContactLog.objects.filter(sender_id=str(campaign.pk)).count() == 3


def test_a_withdrawal_between_batches_stops_the_message(branch_manager, relationship_manager, branch,
                                                        django_capture_on_commit_callbacks):
    first = make_individual(relationship_manager=relationship_manager, branch=branch)
    second = make_individual(relationship_manager=relationship_manager, branch=branch)
    grant(relationship_manager, first)
    grant(relationship_manager, second)
    campaign = sending_campaign(branch_manager)

    one_batch(campaign, django_capture_on_commit_callbacks, size=1)
    outreach.consent_withdraw(actor=relationship_manager, customer=second, channel="sms", purpose="marketing",
                              source="call_centre")
    run_batches(campaign, django_capture_on_commit_callbacks, size=1)

    assert dict(CampaignRecipient.objects.values_list("customer_id", "refusal_code")) == {
        first.pk: "", second.pk: "consent_withdrawn"}
    assert list(OutboundMessage.objects.values_list("customer_id", flat=True)) == [first.pk]


def test_the_beat_tick_starts_sends_and_completes(branch_manager, relationship_manager, branch,
                                                  django_capture_on_commit_callbacks):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    grant(relationship_manager, customer, channel="app_push")
    campaign = campaigns.campaign_submit(
        actor=branch_manager, campaign=campaigns.campaign_create(
            actor=branch_manager, values={"name": "Tick", "channel": "app_push", "body": "Hello {name}"}))
    campaigns.campaign_schedule(actor=branch_manager, campaign=campaign)  # its start is queued after commit

    with django_capture_on_commit_callbacks(execute=True):
        # Celery runs eagerly here: the start, its batch (the last: it completes the campaign),
        # then the delivery.
        assert campaigns.campaigns_tick() == {"started": 1, "batches": 0, "completed": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert campaigns.campaigns_tick() == {"started": 0, "batches": 0, "completed": 0}

    campaign.refresh_from_db()
    assert campaign.status == "completed"
    message = OutboundMessage.objects.get()
    assert (message.channel, message.address_mask, message.body) == (
        "app_push", customer.number, f"Hello {customer.display_name}")


def test_a_worker_dying_mid_batch_leaves_its_rows_to_be_retried(
        branch_manager, relationship_manager, branch, monkeypatch, django_capture_on_commit_callbacks):
    from customers.outreach.campaigns import sending

    for _ in range(3):
        grant(relationship_manager, make_individual(relationship_manager=relationship_manager, branch=branch))
    campaign = sending_campaign(branch_manager)
    original = sending._decide
    calls = []

    def dying(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise SystemExit("worker killed")
        return original(*args, **kwargs)

    monkeypatch.setattr(sending, "_decide", dying)
    with pytest.raises(SystemExit):
        campaigns.campaign_batch_send(campaign_id=campaign.pk)

    assert set(CampaignRecipient.objects.values_list("status", flat=True)) == {"pending"}
    assert not ContactLog.objects.filter(sender_id=str(campaign.pk)).exists()
    monkeypatch.setattr(sending, "_decide", original)
    run_batches(campaign, django_capture_on_commit_callbacks)
    assert CampaignRecipient.objects.filter(status="sent", attempts=1).count() == 3
    assert OutboundMessage.objects.count() == 3


def test_a_failing_adapter_is_recorded_and_not_retried(branch_manager, relationship_manager, branch,
                                                       monkeypatch, django_capture_on_commit_callbacks):
    from customers.outreach.campaigns import channels

    grant(relationship_manager, make_individual(relationship_manager=relationship_manager, branch=branch))
    campaign = sending_campaign(branch_manager)

    class Broken:
        def deliver(self, message):
            raise ConnectionError("gateway down")

    monkeypatch.setattr(channels, "adapter_for", lambda channel: Broken())
    run_batches(campaign, django_capture_on_commit_callbacks)
    recipient = CampaignRecipient.objects.get()

    assert (recipient.status, recipient.delivery) == ("sent", "failed")
    assert campaigns.deliver_recipients([recipient.pk]) == 0  # claimed once: never a second attempt
