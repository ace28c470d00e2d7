"""Asking for surveys and sending them: once per reason, through the contact-pressure policy,
at most one per customer in the period, links made only when the policy allows."""

from __future__ import annotations

import pytest

from customers.care import services as care
from customers.models import ContactLog, FollowUp
from loyalty.models import SurveyInvitation, SurveyInvitationStatus, SurveyTemplate
from loyalty.surveys import links as link_tokens
from loyalty.surveys import request_survey, sending, tasks
from tests.customers.factories import make_individual
from tests.loyalty.engagement.conftest import token_of

pytestmark = pytest.mark.django_db


def _request(customer, reference="CMP-1", capture=None):
    if capture is None:
        return request_survey(customer, "complaint", reference)
    with capture(execute=True):
        return request_survey(customer, "complaint", reference)


def test_a_requested_survey_is_sent_after_commit_with_a_signed_link(
    surveyed, links, django_capture_on_commit_callbacks
):
    invitation = _request(surveyed, capture=django_capture_on_commit_callbacks)

    invitation.refresh_from_db()
    assert invitation.status == SurveyInvitationStatus.SENT
    assert invitation.channel == "sms"
    assert invitation.template.code == "complaint"
    assert invitation.branch_id == surveyed.home_branch_id
    assert invitation.relationship_manager_id == surveyed.relationship_manager_id
    assert invitation.segment == "vip"
    assert (invitation.expires_at - invitation.sent_at).days == 14
    [(invitation_id, url)] = links
    assert invitation_id == invitation.pk
    assert url.startswith("https://portal.example/s/")
    # The link carries the signed secret only; the database keeps its hash.
    assert link_tokens.verified_hash(token_of(url)) == invitation.token_hash
    assert url == f"https://portal.example/s/{token_of(url)}/"
    assert surveyed.number not in url and "@" not in url
    log = ContactLog.objects.get(customer=surveyed)
    assert (log.purpose, log.sender_kind, log.sender_id, log.outcome, log.actor_id) == (
        "surveys",
        "survey",
        str(invitation.pk),
        "sent",
        None,
    )


def test_a_second_request_for_the_same_reference_returns_the_first(
    surveyed, django_capture_on_commit_callbacks
):
    first = _request(surveyed, capture=django_capture_on_commit_callbacks)
    second = _request(surveyed, capture=django_capture_on_commit_callbacks)

    assert second.pk == first.pk
    assert SurveyInvitation.objects.count() == 1
    assert ContactLog.objects.count() == 1


def test_without_an_active_template_nothing_is_asked(surveyed):
    SurveyTemplate.objects.filter(trigger="complaint").update(is_active=False)

    assert request_survey(surveyed, "complaint", "CMP-1") is None
    assert SurveyInvitation.objects.count() == 0


def test_an_unknown_trigger_or_empty_reference_is_a_programming_error(surveyed):
    with pytest.raises(ValueError):
        request_survey(surveyed, "birthday", "X")
    with pytest.raises(ValueError):
        request_survey(surveyed, "complaint", " ")


def test_one_survey_per_customer_in_the_period(surveyed, clock, links, django_capture_on_commit_callbacks):
    _request(surveyed, "CMP-1", capture=django_capture_on_commit_callbacks)
    clock.advance(days=89)
    skipped = _request(surveyed, "CMP-2", capture=django_capture_on_commit_callbacks)
    clock.advance(days=2)
    sent = _request(surveyed, "CMP-3", capture=django_capture_on_commit_callbacks)

    skipped.refresh_from_db()
    sent.refresh_from_db()
    assert skipped.status == SurveyInvitationStatus.SKIPPED
    assert skipped.token_hash is None
    assert sent.status == SurveyInvitationStatus.SENT
    assert [invitation_id for invitation_id, _url in links] == [skipped.pk - 1, sent.pk]
    # The skipped survey asked the policy nothing.
    assert ContactLog.objects.filter(customer=surveyed).count() == 2


def test_the_period_is_configurable(surveyed, clock, settings, django_capture_on_commit_callbacks):
    settings.LOYALTY_SURVEY_PERIOD_DAYS = 200
    _request(surveyed, "CMP-1", capture=django_capture_on_commit_callbacks)
    clock.advance(days=120)
    later = _request(surveyed, "CMP-2", capture=django_capture_on_commit_callbacks)

    later.refresh_from_db()
    assert later.status == SurveyInvitationStatus.SKIPPED


def test_a_refusal_of_the_policy_is_recorded_and_no_link_is_made(
    customer, links, django_capture_on_commit_callbacks
):
    invitation = _request(customer, capture=django_capture_on_commit_callbacks)

    invitation.refresh_from_db()
    assert (invitation.status, invitation.refusal_code, invitation.token_hash) == (
        "refused",
        "no_consent",
        None,
    )
    assert links == []
    assert ContactLog.objects.get(customer=customer).refusal_code == "no_consent"


def test_in_quiet_hours_the_survey_waits_and_goes_when_they_end(
    surveyed, clock, links, django_capture_on_commit_callbacks
):
    clock.advance(hours=10)  # 22:00 in Shanghai
    invitation = _request(surveyed, capture=django_capture_on_commit_callbacks)
    invitation.refresh_from_db()
    assert invitation.status == SurveyInvitationStatus.QUEUED
    assert invitation.not_before is not None
    assert sending.queue_send().as_dict() == {"sent": 0, "refused": 0, "skipped": 0, "waiting": 0}

    clock.set(invitation.not_before)
    with django_capture_on_commit_callbacks(execute=True):
        result = sending.queue_send()

    invitation.refresh_from_db()
    assert result.sent == 1
    assert invitation.status == SurveyInvitationStatus.SENT
    assert len(links) == 1


def test_sending_twice_sends_once(surveyed, links, django_capture_on_commit_callbacks):
    invitation = request_survey(surveyed, "complaint", "CMP-1")
    with django_capture_on_commit_callbacks(execute=True):
        sending.invitation_send(invitation_id=invitation.pk)
        sending.invitation_send(invitation_id=invitation.pk)

    assert len(links) == 1
    assert ContactLog.objects.count() == 1


def _completed_follow_up(customer, actor, outcome="reached"):
    follow_up = FollowUp.objects.create(
        customer=customer,
        assigned_to=actor,
        cycle_key="plan:1:2026-06-01",
        reason="plan",
        reason_data={"months": 3},
        due_on="2026-06-10",
    )
    return care.follow_up_complete(actor=actor, follow_up=follow_up, outcome=outcome)


def test_the_task_surveys_visits_completed_with_the_customer_reached(
    surveyed, relationship_manager, branch, links, django_capture_on_commit_callbacks
):
    reached = _completed_follow_up(surveyed, relationship_manager)
    other = make_individual(relationship_manager=relationship_manager, branch=branch)
    _completed_follow_up(other, relationship_manager, outcome="not_reachable")

    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.send_surveys.delay().get()
    with django_capture_on_commit_callbacks(execute=True):
        again = tasks.send_surveys.delay().get()

    assert first == {"queued": 1, "sent": 1, "refused": 0, "skipped": 0, "waiting": 0}
    assert again == {"queued": 0, "sent": 0, "refused": 0, "skipped": 0, "waiting": 0}
    invitation = SurveyInvitation.objects.get()
    assert (invitation.customer_id, invitation.trigger, invitation.reference) == (
        surveyed.pk,
        "visit",
        f"follow-up:{reached.pk}",
    )
    assert invitation.template.code == "visit"
    assert len(links) == 1


def test_the_relationship_survey_asks_the_template_segments_once_a_quarter(
    surveyed, relationship_manager, branch, django_capture_on_commit_callbacks
):
    SurveyTemplate.objects.filter(trigger="relationship").update(segments=["vip"])
    make_individual(relationship_manager=relationship_manager, branch=branch, segment="mass")

    assert sending.relationship_pull() == 1
    assert sending.relationship_pull() == 0
    invitation = SurveyInvitation.objects.get()
    assert (invitation.customer_id, invitation.reference) == (surveyed.pk, "relationship:2026-Q2")
