"""The relationship-care issue's "done when", in a real browser on the demo bank: an RM opens
the portal to today's follow-ups with their reasons and suitable offers, logs a visit, books an
appointment; the branch manager sends a campaign to VIPs that breaks no consent, cap or quiet
hour (a VIP who withdrew, one already contacted this week and one abroad at night are
among its audience)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm.demo import seed_organisation
from customers import outreach
from customers.demo import seed_customers
from customers.models import (
    Appointment,
    Campaign,
    CampaignRecipient,
    Consent,
    ContactHold,
    ContactLog,
    Customer,
    FollowUp,
    Interaction,
    Suggestion,
)
from customers.outreach.campaigns import sending
from tests.e2e.portal import sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# 10:00 in Shanghai on a weekday: inside the bank's day, and night in New York.
MORNING = datetime.datetime(2026, 12, 8, 2, 0, tzinfo=datetime.UTC)


@pytest.fixture
def bank(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    monkeypatch.setattr(timezone, "now", lambda: MORNING)
    seed_organisation()
    list(seed_customers(customers=400, seed=2026, as_of=MORNING.date()))


def _vip_audience():
    return Customer.objects.filter(home_branch__code="SH01", segment="vip", merged_into__isnull=True,
                                   do_not_contact=False, is_vulnerable=False).exclude(status="closed")


def _with_email_marketing(customers):
    granted = Consent.objects.filter(channel="email", purpose="marketing", status="granted")
    return customers.filter(pk__in=granted.values("customer_id")).exclude(
        pk__in=ContactHold.objects.filter(lifted_at__isnull=True).values("customer_id"))


def test_an_rms_morning_and_a_vip_campaign_within_every_rule(offline_page, live_server, bank):
    page = offline_page
    # -- the RM's morning: follow-ups with their reasons and suitable offers --------------------
    sign_in(page, live_server, "rm.chen")
    worklist = page.get_by_test_id("worklist")
    expect(worklist.get_by_test_id("follow-up").first).to_be_visible()
    reasons = worklist.get_by_test_id("reason").all_inner_texts()
    assert reasons and all(reason.strip() for reason in reasons)
    expect(worklist.get_by_test_id("open-offers").first).to_be_visible()
    offered_rows = worklist.get_by_test_id("follow-up").filter(has=page.get_by_test_id("open-offers"))
    first = offered_rows.first
    customer_link = first.locator("a").first
    customer_id = int(customer_link.get_attribute("href").rstrip("/").rsplit("/", 1)[-1])
    assert Suggestion.objects.filter(customer_id=customer_id, status="open").exists()

    # -- logs a visit ------------------------------------------------------------------------
    first.get_by_test_id("complete").click()
    page.get_by_label("Outcome").select_option("reached")
    page.get_by_label("Channel").select_option("branch")
    page.get_by_label("Notes").fill("Came in to talk about the maturing deposit")
    page.get_by_role("button", name="Complete").click()
    expect(page.get_by_test_id("worklist")).to_be_visible()
    done = FollowUp.objects.select_related("interaction").get(customer_id=customer_id, status="done",
                                                              completed_by__username="rm.chen")
    assert done.interaction.channel == "branch" and done.interaction.interaction_type == "follow_up"
    assert "maturing deposit" in Interaction.objects.get(pk=done.interaction_id).summary

    # -- books an appointment -----------------------------------------------------------------
    page.goto(f"{live_server.url}/customers/{customer_id}/appointments/new/")
    page.get_by_label("Date").fill((MORNING.date() + datetime.timedelta(days=2)).isoformat())
    page.get_by_label("Time").fill("10:30")
    page.get_by_label("Place").fill("Lujiazui branch, room 2")
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_test_id("appointment").first).to_be_visible()
    assert Appointment.objects.filter(customer_id=customer_id, cancelled_at__isnull=True).count() == 1

    # -- the VIP campaign, with three customers the rules must hold back ---------------------
    reachable = list(_with_email_marketing(_vip_audience()).order_by("pk")[:3])
    assert len(reachable) == 3, "the demo bank has VIPs in SH01 who agreed to e-mail marketing"
    withdrawn, capped, abroad = reachable
    outreach.consent_withdraw(actor=_staff("manager.sun"), customer=withdrawn, channel="email",
                              purpose="marketing", source="call_centre")
    # A marketing contact already this week (the default caps: 1 in 7 days, 2 in 30).
    decision = outreach.contact_request(actor=None, customer=capped, channel="email",
                                        purpose="marketing", reason="Earlier offer",
                                        sender=outreach.ContactSender("campaign", "0"))
    assert decision.allowed
    Customer.objects.filter(pk=abroad.pk).update(time_zone="America/New_York")  # 21:00 there: quiet hours

    page.context.clear_cookies()  # the branch manager signs in next
    sign_in(page, live_server, "manager.sun")
    page.goto(f"{live_server.url}/campaigns/new/")
    page.get_by_label("Name").fill("VIP wealth review")
    page.get_by_label("Channel").select_option("email")
    page.get_by_label("Purpose").select_option("marketing")
    page.get_by_label("Subject (e-mail)").fill("Your wealth review")
    page.get_by_label("Message").fill("Dear {name}, your relationship manager would like to review "
                                      "your plan.")
    page.get_by_label("VIP").check()
    page.get_by_role("button", name="Prepare").click()
    expect(page.get_by_test_id("campaign-status")).to_be_visible()
    page.get_by_role("button", name="Submit").click()
    page.get_by_role("button", name="Schedule").click()
    campaign = Campaign.objects.get(name="VIP wealth review")
    sending.campaigns_tick()  # the beat's minute: start, batches, deferrals

    recipients = {item.customer_id: item for item in CampaignRecipient.objects.filter(campaign=campaign)}
    assert recipients[withdrawn.pk].status == "blocked"
    assert recipients[withdrawn.pk].refusal_code == "consent_withdrawn"
    assert recipients[capped.pk].status == "blocked" and recipients[capped.pk].refusal_code == "cap"
    assert recipients[abroad.pk].status == "deferred"
    sent = [customer_id for customer_id, item in recipients.items() if item.status == "sent"]
    assert sent, "the campaign went out"
    for customer_id in sent:  # no sent message breaks consent, a hold, a cap or quiet hours
        customer = Customer.objects.get(pk=customer_id)
        assert Consent.objects.filter(customer=customer, channel="email", purpose="marketing",
                                      status="granted").exists()
        assert not customer.do_not_contact and not customer.is_vulnerable
        assert not ContactHold.objects.filter(customer=customer, lifted_at__isnull=True).exists()
        marketing = ContactLog.objects.filter(customer=customer, purpose="marketing", outcome="sent")
        assert marketing.filter(at__gt=MORNING - datetime.timedelta(days=7)).count() <= 1
        assert marketing.filter(at__gt=MORNING - datetime.timedelta(days=30)).count() <= 2
        assert customer.time_zone in ("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Singapore", "Australia/Sydney")
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/results/")
    expect(page.get_by_text("VIP wealth review").first).to_be_visible()


def _staff(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)
