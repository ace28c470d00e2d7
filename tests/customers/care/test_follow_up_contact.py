"""Follow-up calls go through the contact-pressure policy: asked before the call (with quiet
hours), or when the completion says the customer was contacted without asking (every rule but
quiet hours); a refusal is recorded and shown, and the completion refused with its reason."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from customers.care import services as care
from customers.models import (
    ContactLog,
    ContactOutcome,
    FollowUp,
    FollowUpStatus,
    Interaction,
)
from customers.models import FollowUpOutcome as Outcome
from customers.outreach import consent_withdraw
from tests.customers.factories import make_individual

pytestmark = pytest.mark.django_db

# 22:30 in Shanghai (inside the default quiet hours 21:00-08:00) and noon there.
NIGHT_SHANGHAI = datetime.datetime(2026, 6, 10, 14, 30, tzinfo=datetime.UTC)
NOON_SHANGHAI = datetime.datetime(2026, 6, 10, 4, 0, tzinfo=datetime.UTC)


@pytest.fixture
def now(monkeypatch):
    state = {"at": NOON_SHANGHAI}
    monkeypatch.setattr(timezone, "now", lambda: state["at"])
    return state


@pytest.fixture
def follow_up(relationship_manager, branch, now):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch, segment="vip")
    return FollowUp.objects.create(
        customer=customer, assigned_to=relationship_manager, cycle_key="plan:1:2026-06-01", reason="maturity",
        reason_data={"product_type": "time_deposit", "account": "****1234", "date": "2026-07-01"},
        due_on=datetime.date(2026, 6, 10), channel="phone")


def _logs(follow_up):
    logs = ContactLog.objects.filter(sender_kind="follow_up", sender_id=str(follow_up.pk))
    return list(logs.order_by("pk"))


def test_asking_before_a_call_logs_an_allowed_service_contact_without_the_reasons_details(
        follow_up, relationship_manager):
    decision = care.follow_up_contact(actor=relationship_manager, follow_up=follow_up)
    assert decision.allowed
    [log] = _logs(follow_up)
    assert (log.channel, log.purpose, log.outcome, log.actor_id) == ("phone", "service", ContactOutcome.SENT,
                                                                     relationship_manager.pk)
    assert log.reason == "Follow-up: Product maturing"
    assert "1234" not in log.reason


def test_quiet_hours_refuse_the_call_in_the_customers_time_zone(follow_up, relationship_manager, now):
    now["at"] = NIGHT_SHANGHAI
    decision = care.follow_up_contact(actor=relationship_manager, follow_up=follow_up)
    assert not decision.allowed and decision.code == "quiet_hours"
    assert decision.retry_at == datetime.datetime(2026, 6, 11, 0, 0, tzinfo=datetime.UTC)
    assert [log.outcome for log in _logs(follow_up)] == [ContactOutcome.REFUSED]


def test_completing_after_asking_logs_no_second_contact(follow_up, relationship_manager):
    care.follow_up_contact(actor=relationship_manager, follow_up=follow_up)
    care.follow_up_complete(actor=relationship_manager, follow_up=follow_up, outcome=Outcome.REACHED)
    assert len(_logs(follow_up)) == 1
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DONE


def test_completing_a_call_made_without_asking_records_it_even_when_logged_in_quiet_hours(
        follow_up, relationship_manager, now):
    now["at"] = NIGHT_SHANGHAI
    care.follow_up_complete(actor=relationship_manager, follow_up=follow_up, outcome=Outcome.NOT_REACHABLE)
    [log] = _logs(follow_up)
    assert log.outcome == ContactOutcome.SENT


def test_a_do_not_contact_customer_cannot_be_recorded_as_called(follow_up, relationship_manager):
    customer = follow_up.customer
    customer.do_not_contact = True
    customer.save(update_fields=["do_not_contact"])
    with pytest.raises(ValidationError) as refused:
        care.follow_up_complete(actor=relationship_manager, follow_up=follow_up, outcome=Outcome.REACHED)
    assert "asked not to be contacted" in str(refused.value)
    [log] = _logs(follow_up)
    assert (log.outcome, log.refusal_code) == (ContactOutcome.REFUSED, "do_not_contact")
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.OPEN
    assert not Interaction.objects.filter(customer=customer).exists()


def test_a_withdrawn_channel_refuses_the_call_but_a_branch_visit_needs_no_asking(follow_up,
                                                                                relationship_manager):
    consent_withdraw(actor=relationship_manager, customer=follow_up.customer, channel="phone",
                     purpose="service", source="branch_form", evidence_reference="FORM-1")
    assert care.follow_up_contact(actor=relationship_manager, follow_up=follow_up).code == "consent_withdrawn"
    with pytest.raises(ValidationError):
        care.follow_up_complete(actor=relationship_manager, follow_up=follow_up, outcome=Outcome.REACHED)
    care.follow_up_complete(actor=relationship_manager, follow_up=follow_up, outcome=Outcome.REACHED,
                            channel="branch")
    assert len(_logs(follow_up)) == 2  # the two refusals; the visit asked nothing
    follow_up.refresh_from_db()
    with pytest.raises(ValidationError):
        care.follow_up_contact(actor=relationship_manager, follow_up=follow_up)  # no longer open


def test_a_rescheduled_outcome_contacts_nobody(follow_up, relationship_manager):
    care.follow_up_complete(actor=relationship_manager, follow_up=follow_up, outcome=Outcome.RESCHEDULED,
                            reschedule_to=datetime.date(2026, 6, 20))
    assert _logs(follow_up) == []


def test_only_who_may_work_the_follow_up_may_ask(follow_up, other_relationship_manager):
    with pytest.raises(PermissionDenied):
        care.follow_up_contact(actor=other_relationship_manager, follow_up=follow_up)
    assert _logs(follow_up) == []


def test_the_completion_page_asks_and_shows_the_answer(client, follow_up, relationship_manager, now):
    now["at"] = NIGHT_SHANGHAI
    client.force_login(relationship_manager)
    page = client.get(reverse("follow-up-complete", args=[follow_up.pk])).content.decode()
    assert 'data-testid="ask-contact"' in page
    answer = client.post(reverse("follow-up-contact", args=[follow_up.pk]), {"channel": "phone"}, follow=True)
    text = answer.content.decode()
    assert answer.status_code == 200
    assert "Do not contact" in text and "quiet hours" in text


def test_the_completion_form_shows_a_refused_contact_and_keeps_what_was_typed(client, follow_up,
                                                                             relationship_manager):
    follow_up.customer.do_not_contact = True
    follow_up.customer.save(update_fields=["do_not_contact"])
    client.force_login(relationship_manager)
    answer = client.post(reverse("follow-up-complete", args=[follow_up.pk]),
                         {"outcome": "reached", "channel": "phone", "next_step": "Send the brochure"})
    text = answer.content.decode()
    assert answer.status_code == 400
    assert "the customer asked not to be contacted" in text
    assert "Send the brochure" in text


def test_a_stranger_gets_404_from_the_ask(client, follow_up, other_relationship_manager):
    client.force_login(other_relationship_manager)
    assert client.post(reverse("follow-up-contact", args=[follow_up.pk])).status_code == 404
    assert _logs(follow_up) == []


def test_the_api_answers_with_the_decision_and_logs_it(follow_up, relationship_manager,
                                                       other_relationship_manager, now):
    from tests.customers.api.helpers import client_for, field_errors

    api = client_for(relationship_manager)
    answer = api.post(f"/api/v1/follow-ups/{follow_up.pk}/contact/", {}, format="json",
                      HTTP_IDEMPOTENCY_KEY="ask-1")
    assert answer.status_code == 200
    body = answer.json()
    assert body["allowed"] is True and body["code"] == "" and body["retry_at"] is None
    assert body["contact_log_id"] == _logs(follow_up)[0].pk
    now["at"] = NIGHT_SHANGHAI
    refused = api.post(f"/api/v1/follow-ups/{follow_up.pk}/contact/", {"channel": "email"}, format="json",
                       HTTP_IDEMPOTENCY_KEY="ask-2").json()
    assert (refused["allowed"], refused["code"]) == (False, "quiet_hours")
    assert "quiet hours" in refused["message"]
    bad = api.post(f"/api/v1/follow-ups/{follow_up.pk}/contact/", {"channel": "branch"}, format="json",
                   HTTP_IDEMPOTENCY_KEY="ask-3")
    assert "channel" in field_errors(bad)
    stranger = client_for(other_relationship_manager).post(f"/api/v1/follow-ups/{follow_up.pk}/contact/", {},
                                                           format="json", HTTP_IDEMPOTENCY_KEY="ask-4")
    assert stranger.status_code == 404
    assert len(_logs(follow_up)) == 2
