"""The contact-pressure policy, rule by rule: consent, do-not-contact and legally required
notices, holds and the vulnerable flag, quiet hours across time zones, each cap window, and
what is recorded for every answer."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from customers import outreach, services
from customers.models import ContactCap, ContactLog, Customer
from tests.customers.factories import make_individual
from tests.customers.outreach.conftest import ask, grant

pytestmark = pytest.mark.django_db


def _refused(decision, code: str) -> None:
    assert not decision.allowed
    assert decision.code == code
    assert (decision.log.outcome, decision.log.refusal_code) == ("refused", code)


# --- consent ---------------------------------------------------------------------------------


def test_marketing_without_consent_is_refused_and_recorded(relationship_manager, customer):
    decision = ask(relationship_manager, customer)

    _refused(decision, "no_consent")
    assert decision.message == "not contacted: no consent to marketing contacts by SMS"
    log = ContactLog.objects.get()
    assert (log.customer_id, log.channel, log.purpose, log.reason, log.sender_kind, log.sender_id,
            log.actor_id) == (customer.pk, "sms", "marketing", "Spring deposit campaign", "campaign", "42",
                              relationship_manager.pk)


def test_a_granted_consent_lets_the_contact_through(relationship_manager, customer, clock):
    grant(relationship_manager, customer)

    decision = ask(relationship_manager, customer)

    assert decision.allowed and decision.code == ""
    assert ContactLog.objects.get().outcome == "sent"
    assert ContactLog.objects.get().at == clock.current


def test_consent_is_per_channel(relationship_manager, customer):
    grant(relationship_manager, customer, channel="sms")

    _refused(ask(relationship_manager, customer, channel="email"), "no_consent")


def test_a_withdrawal_takes_effect_at_once(relationship_manager, customer, clock):
    grant(relationship_manager, customer)
    assert ask(relationship_manager, customer).allowed
    clock.advance(days=8)

    outreach.consent_withdraw(actor=relationship_manager, customer=customer, channel="sms",
                              purpose="marketing", source="call_centre")
    decision = ask(relationship_manager, customer)

    _refused(decision, "consent_withdrawn")
    assert decision.message == "not contacted: consent to marketing contacts by SMS withdrawn on 2026-06-18"


def test_service_contacts_need_no_consent_but_stop_when_withdrawn(relationship_manager, customer):
    assert ask(relationship_manager, customer, purpose="service").allowed

    outreach.consent_withdraw(actor=relationship_manager, customer=customer, channel="sms", purpose="service",
                              source="app")

    _refused(ask(relationship_manager, customer, purpose="service"), "consent_withdrawn")
    assert ask(relationship_manager, customer, purpose="service", legally_required=True).allowed
    assert ask(relationship_manager, customer, purpose="service", channel="email").allowed


# --- do not contact, legally required ----------------------------------------------------------


def test_do_not_contact_refuses_everything_but_a_legally_required_notice(relationship_manager, customer):
    grant(relationship_manager, customer)
    services.customer_update(actor=relationship_manager, customer=customer, fields={"do_not_contact": True})

    _refused(ask(relationship_manager, customer), "do_not_contact")
    _refused(ask(relationship_manager, customer, purpose="service"), "do_not_contact")
    legal = ask(relationship_manager, customer, purpose="service", legally_required=True)

    assert legal.allowed
    assert legal.log.legally_required is True
    assert ContactLog.objects.filter(outcome="refused").count() == 2


def test_only_a_service_notice_can_be_legally_required(relationship_manager, customer):
    with pytest.raises(ValidationError) as raised:
        ask(relationship_manager, customer, purpose="marketing", legally_required=True)

    assert list(raised.value.message_dict) == ["legally_required"]
    assert not ContactLog.objects.exists()


def test_bad_input_is_refused_by_field_and_records_nothing(relationship_manager, customer):
    with pytest.raises(ValidationError) as raised:
        outreach.contact_request(actor=relationship_manager, customer=customer, channel="pigeon",
                                 purpose="gossip", reason=" ", sender=outreach.ContactSender(kind="robot"))

    assert sorted(raised.value.message_dict) == ["channel", "purpose", "reason", "sender"]
    assert not ContactLog.objects.exists()


# --- who may ask -----------------------------------------------------------------------------


def test_a_user_who_may_not_contact_the_customer_records_nothing(
    compliance_officer, other_relationship_manager, customer
):
    for actor in (compliance_officer, other_relationship_manager):
        with pytest.raises(PermissionDenied):
            ask(actor, customer)

    assert not ContactLog.objects.exists()


def test_the_banks_scheduled_senders_ask_without_an_actor(relationship_manager, customer):
    grant(relationship_manager, customer)

    decision = ask(None, customer, sender=outreach.ContactSender(kind="points_reminder"))

    assert decision.allowed
    assert decision.log.actor_id is None


def test_a_merged_away_record_is_never_contacted(relationship_manager, branch, customer):
    survivor = make_individual(relationship_manager=relationship_manager, branch=branch)
    grant(relationship_manager, customer)
    Customer.objects.filter(pk=customer.pk).update(merged_into=survivor)

    _refused(ask(relationship_manager, customer), "merged")


# --- holds and the vulnerable flag ---------------------------------------------------------------


def test_a_hold_pauses_outreach_until_it_is_lifted(relationship_manager, branch_staff, customer):
    grant(relationship_manager, customer)
    grant(relationship_manager, customer, purpose="surveys")
    hold, _created = outreach.contact_hold_place(actor=branch_staff, customer=customer, kind="open_complaint",
                                                 reason="Card fee dispute at the counter", reference="CMP-7")

    held = ask(relationship_manager, customer)
    _refused(held, "hold")
    assert held.message == "not contacted: contact on hold (open complaint) since 2026-06-10"
    _refused(ask(relationship_manager, customer, purpose="surveys"), "hold")
    assert ask(relationship_manager, customer, purpose="service").allowed

    outreach.contact_hold_lift(actor=branch_staff, hold=hold, reason="Resolved")

    assert ask(relationship_manager, customer).allowed


def test_the_vulnerable_flag_is_a_standing_hold_on_outreach(relationship_manager, customer):
    grant(relationship_manager, customer)
    services.customer_update(actor=relationship_manager, customer=customer, fields={"is_vulnerable": True})

    decision = ask(relationship_manager, customer)

    _refused(decision, "vulnerable")
    assert decision.message == ("not contacted: the customer is flagged as vulnerable, so no marketing "
                                "contacts")
    assert ask(relationship_manager, customer, purpose="service").allowed


# --- quiet hours ---------------------------------------------------------------------------------


def test_quiet_hours_follow_each_customers_time_zone(relationship_manager, branch, customer, clock):
    in_london = make_individual(relationship_manager=relationship_manager, branch=branch,
                                time_zone="Europe/London")
    for someone in (customer, in_london):
        grant(relationship_manager, someone)
    # 22:30 in Shanghai is 15:30 in London (summer time).
    clock.current = datetime.datetime(2026, 6, 10, 14, 30, tzinfo=datetime.UTC)

    shanghai = ask(relationship_manager, customer)
    london = ask(relationship_manager, in_london)

    _refused(shanghai, "quiet_hours")
    assert shanghai.message == ("not contacted: 22:30 in the customer's time zone (Asia/Shanghai), within "
                                "the quiet hours 21:00-08:00")
    assert shanghai.retry_at == datetime.datetime(2026, 6, 11, 0, 0, tzinfo=datetime.UTC)  # 08:00 Shanghai
    assert london.allowed


def test_quiet_hours_over_midnight_and_their_end(relationship_manager, branch, clock):
    in_london = make_individual(relationship_manager=relationship_manager, branch=branch,
                                time_zone="Europe/London")
    grant(relationship_manager, in_london, purpose="service", channel="phone")
    clock.current = datetime.datetime(2026, 6, 11, 6, 59, tzinfo=datetime.UTC)  # 07:59 in London

    _refused(ask(relationship_manager, in_london, purpose="service", channel="phone"), "quiet_hours")
    clock.current = datetime.datetime(2026, 6, 11, 7, 0, tzinfo=datetime.UTC)  # 08:00 in London
    assert ask(relationship_manager, in_london, purpose="service", channel="phone").allowed


def test_post_is_not_held_back_by_quiet_hours(relationship_manager, customer, clock):
    grant(relationship_manager, customer, channel="post")
    clock.current = datetime.datetime(2026, 6, 10, 18, 0, tzinfo=datetime.UTC)  # 02:00 in Shanghai

    assert ask(relationship_manager, customer, channel="post").allowed
    _refused(ask(relationship_manager, customer, channel="sms", purpose="service"), "quiet_hours")


def test_quiet_hours_can_be_turned_off(relationship_manager, customer, clock, settings):
    settings.CONTACT_QUIET_HOURS = ""
    grant(relationship_manager, customer)
    clock.current = datetime.datetime(2026, 6, 10, 18, 0, tzinfo=datetime.UTC)

    assert ask(relationship_manager, customer).allowed


def test_quiet_hours_parse_and_refuse_nonsense():
    hours = outreach.parse_quiet_hours("21:00-08:00")

    assert hours.contains(datetime.time(23, 0)) and hours.contains(datetime.time(7, 59))
    assert not hours.contains(datetime.time(8, 0)) and not hours.contains(datetime.time(20, 59))
    assert outreach.parse_quiet_hours(" ") is None
    for text in ("21:00", "25:00-08:00", "08:00-08:00"):
        with pytest.raises(ValueError):
            outreach.parse_quiet_hours(text)


# --- caps ---------------------------------------------------------------------------------------


def test_each_cap_window_counts_across_channels(relationship_manager, customer, clock):
    for channel in ("sms", "email"):
        grant(relationship_manager, customer, channel=channel)
    assert ask(relationship_manager, customer, channel="sms").allowed  # day 0

    clock.advance(days=6)
    week = ask(relationship_manager, customer, channel="email")
    _refused(week, "cap")
    assert week.message == "not contacted: 1 marketing contact in the last 7 days"
    assert week.detail == {"count": 1, "window_days": 7, "maximum": 1}

    clock.advance(days=2)  # day 8
    assert ask(relationship_manager, customer, channel="email").allowed
    clock.advance(days=8)  # day 16
    month = ask(relationship_manager, customer, channel="sms")
    _refused(month, "cap")
    assert month.message == "not contacted: 2 marketing contacts in the last 30 days"

    clock.advance(days=15)  # day 31: the first contact has left the 30-day window
    assert ask(relationship_manager, customer, channel="sms").allowed
    assert ContactLog.objects.filter(outcome="sent").count() == 3


def test_refusals_do_not_count_towards_a_cap(relationship_manager, customer):
    for _attempt in range(3):
        _refused(ask(relationship_manager, customer), "no_consent")
    grant(relationship_manager, customer)

    assert ask(relationship_manager, customer).allowed


def test_caps_are_data_changed_through_their_service(administrator, branch_manager, relationship_manager,
                                                      customer, clock):
    grant(relationship_manager, customer)
    weekly = ContactCap.objects.get(purpose="marketing", window_days=7)
    with pytest.raises(PermissionDenied):
        outreach.contact_cap_save(actor=branch_manager, cap=weekly, purpose="marketing", window_days=7,
                                  maximum=3)
    assert ContactCap.objects.get(pk=weekly.pk).maximum == 1
    outreach.contact_cap_save(actor=administrator, cap=weekly, purpose="marketing", window_days=7, maximum=2)

    assert ask(relationship_manager, customer).allowed
    assert ask(relationship_manager, customer).allowed  # a second one this week, now allowed
    third = ask(relationship_manager, customer)
    _refused(third, "cap")
    assert third.detail == {"count": 2, "window_days": 30, "maximum": 2}


def test_a_legally_required_notice_is_never_capped(administrator, relationship_manager, customer):
    outreach.contact_cap_save(actor=administrator, purpose="service", window_days=30, maximum=1)

    assert ask(relationship_manager, customer, purpose="service").allowed
    _refused(ask(relationship_manager, customer, purpose="service"), "cap")
    assert ask(relationship_manager, customer, purpose="service", legally_required=True).allowed


def test_a_refusal_reads_in_the_readers_language(relationship_manager, customer, clock):
    from django.utils import translation

    grant(relationship_manager, customer)
    assert ask(relationship_manager, customer).allowed
    clock.advance(days=1)
    decision = ask(relationship_manager, customer)

    with translation.override("zh-hans"):
        simplified = decision.message
    with translation.override("zh-hant"):
        traditional = decision.message

    assert simplified == "未联系：最近 7 天内已有 1 次营销联系"
    assert traditional == "未聯絡：最近 7 天內已有 1 次行銷聯絡"
