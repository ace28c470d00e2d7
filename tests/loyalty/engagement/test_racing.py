"""Concurrency on PostgreSQL with real threads: the last seat and the survey period."""

from __future__ import annotations

import pytest

from loyalty.events import services
from loyalty.models import EventRegistration, SurveyInvitation, SurveyTemplate
from loyalty.surveys import sending
from tests.customers.factories import make_individual
from tests.loyalty.engagement.conftest import grant
from tests.loyalty.engagement.factories import make_event
from tests.threads import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)




def test_many_staff_racing_for_the_last_seats_never_overfill(relationship_manager, branch):
    event = make_event(relationship_manager, branch, capacity=3)
    customers = [make_individual(relationship_manager=relationship_manager, branch=branch) for _ in range(6)]

    errors = run_concurrently(
        *[
            (
                lambda customer=customer: services.registration_create(
                    actor=relationship_manager, event=event, customer=customer
                )
            )
            for customer in customers
        ]
    )

    assert errors == []
    statuses = sorted(EventRegistration.objects.values_list("status", flat=True))
    assert statuses == ["registered"] * 3 + ["waitlisted"] * 3


def test_two_surveys_sent_at_once_to_one_customer_send_one(relationship_manager, branch):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    grant(relationship_manager, customer)
    # Queued directly, so that nothing sends them before the race.
    first, second = (
        SurveyInvitation.objects.create(
            template=SurveyTemplate.objects.get(trigger=trigger),
            customer=customer,
            trigger=trigger,
            reference=reference,
        )
        for trigger, reference in (("complaint", "CMP-1"), ("visit", "follow-up:1"))
    )

    errors = run_concurrently(
        lambda: sending.invitation_send(invitation_id=first.pk),
        lambda: sending.invitation_send(invitation_id=second.pk),
    )

    assert errors == []
    # Under the customer's lock the second finds the first sent and skips (without it, both
    # would pass the period check and the policy's cap would refuse one instead).
    assert sorted(SurveyInvitation.objects.values_list("status", flat=True)) == ["sent", "skipped"]


def test_one_link_submitted_twice_at_once_saves_one_response(relationship_manager, branch):
    from loyalty.models import SurveyResponse
    from loyalty.surveys import responses

    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    grant(relationship_manager, customer)
    queued = SurveyInvitation.objects.create(
        template=SurveyTemplate.objects.get(trigger="visit"),
        customer=customer,
        trigger="visit",
        reference="follow-up:1",
    )
    invitation = sending.invitation_send(invitation_id=queued.pk)
    questions = {q.kind: f"q{q.pk}" for q in invitation.template.questions.all()}
    outcomes = []

    def submit(score):
        def run():
            try:
                responses.response_submit(
                    invitation=invitation, answers={questions["nps"]: score, questions["csat"]: "4"}
                )
                outcomes.append("saved")
            except responses.LinkRefused as refused:
                outcomes.append(refused.code)

        return run

    errors = run_concurrently(submit("9"), submit("3"))

    assert errors == []
    assert sorted(outcomes) == ["saved", "used"]
    assert SurveyResponse.objects.count() == 1
