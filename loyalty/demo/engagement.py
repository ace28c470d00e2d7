"""Demo data of the engagement area: a few events of the Shanghai branch (a lecture next week,
a fraud-awareness session, an online course with lessons), six months of survey answers for
the NPS history of the demo branches, with the detractors' call-backs, and one survey link
sent after a visit, waiting to be answered on the public page.

`seed_engagement(customers=..., seed=...)` has the shape of the other apps' demo generators
(crm's seed_demo runs them after the customers): it yields progress lines without personal
data and does nothing when events already exist. The survey templates come from migration
0002 (three languages).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from customers.care import services as care
from customers.care.reasons import DETRACTOR
from customers.models import Channel, Customer, FollowUp, FollowUpOutcome, FollowUpStatus
from loyalty.events import services as events
from loyalty.models import (
    Event,
    QuestionKind,
    SurveyAnswer,
    SurveyInvitation,
    SurveyInvitationStatus,
    SurveyResponse,
    SurveyTemplate,
    SurveyTrigger,
)
from loyalty.surveys import links
from loyalty.surveys.responses import is_detractor

ORGANISER = "rm.chen"
ANSWERS = 160
COMMENTS = (
    "Very patient explanation of the options.",
    "Waited too long at the counter.",
    "The app reminder was helpful.",
    "I would like more evening appointments.",
    "Clear advice, thank you.",
)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _events(organiser, today: datetime.date) -> list[Event]:
    branch = organiser.staff_profile.branch
    lecture_day = today + datetime.timedelta(days=7)
    lecture = events.event_create(
        actor=organiser,
        branch=branch,
        kind="lecture",
        title="Planning for retirement: pensions and annuities",
        description="A one-hour lecture with questions, for customers of every segment.",
        starts_at=_at(lecture_day, 15),
        ends_at=_at(lecture_day, 16),
        place="Lujiazui branch, 3rd floor",
        capacity=30,
    )
    fraud_day = today + datetime.timedelta(days=10)
    fraud = events.event_create(
        actor=organiser,
        branch=branch,
        kind="fraud_awareness",
        title="Spotting phone and message scams",
        starts_at=_at(fraud_day, 10),
        ends_at=_at(fraud_day, 11),
        place="Lujiazui branch, customer hall",
        capacity=50,
    )
    course_day = today + datetime.timedelta(days=1)
    course = events.event_create(
        actor=organiser,
        branch=branch,
        kind="course",
        title="Investing basics (online)",
        starts_at=_at(course_day, 9),
        ends_at=_at(course_day + datetime.timedelta(days=60), 18),
        online_link="https://learning.bank.example/investing-basics",
        capacity=500,
    )
    for title in ("Saving and budgeting", "Risk and return", "Funds and bonds", "Building a portfolio"):
        events.lesson_add(actor=organiser, event=course, title=title)
    exclusive_day = today + datetime.timedelta(days=21)
    exclusive = events.event_create(
        actor=organiser,
        branch=branch,
        kind="exclusive",
        title="Private banking evening: market outlook",
        starts_at=_at(exclusive_day, 18),
        ends_at=_at(exclusive_day, 21),
        place="Bund 18, 6th floor",
        capacity=20,
        eligible_segments=["private", "vip"],
    )
    return [lecture, fraud, course, exclusive]


def _scores(rng: random.Random) -> tuple[int, int]:
    nps = rng.choices(range(11), weights=[1, 1, 1, 2, 2, 3, 4, 8, 10, 12, 10])[0]
    csat = max(1, min(5, round(nps / 2.2) + rng.choice((-1, 0, 0, 1))))
    return nps, csat


def _history(customers: list[Customer], today: datetime.date, rng: random.Random) -> dict[str, int]:
    templates = {
        template.trigger: template
        for template in SurveyTemplate.objects.filter(is_active=True).prefetch_related("questions")
    }
    counts = {"answers": 0, "detractors": 0}
    if not templates or not customers:
        return counts
    for index in range(min(ANSWERS, len(customers))):
        customer = customers[index]
        trigger = rng.choice([SurveyTrigger.VISIT, SurveyTrigger.VISIT, SurveyTrigger.RELATIONSHIP])
        template = templates.get(trigger) or next(iter(templates.values()))
        sent = _at(today - datetime.timedelta(days=rng.randint(3, 180)), rng.randint(9, 18))
        answered = sent + datetime.timedelta(hours=rng.randint(1, 72))
        channel = rng.choice(["sms", "sms", "email", "app_push"])
        invitation = SurveyInvitation.objects.create(
            template=template,
            customer=customer,
            trigger=template.trigger,
            reference=f"demo:{index}",
            status=SurveyInvitationStatus.RESPONDED,
            language="zh-hans",
            channel=channel,
            branch_id=customer.home_branch_id,
            relationship_manager_id=customer.relationship_manager_id,
            segment=customer.segment,
            sent_at=sent,
            expires_at=sent + datetime.timedelta(days=14),
            responded_at=answered,
        )
        nps, csat = _scores(rng)
        questions = list(template.questions.all())
        kinds = {question.kind for question in questions}
        nps = nps if QuestionKind.NPS in kinds else None
        csat = csat if QuestionKind.CSAT in kinds else None
        response = SurveyResponse.objects.create(
            invitation=invitation,
            customer=customer,
            trigger=invitation.trigger,
            language="zh-hans",
            nps_score=nps,
            csat_score=csat,
            is_detractor=is_detractor(nps, csat),
            branch_id=invitation.branch_id,
            relationship_manager_id=invitation.relationship_manager_id,
            segment=invitation.segment,
            channel=channel,
            submitted_at=answered,
        )
        for question in questions:
            if question.kind == QuestionKind.TEXT:
                if rng.random() < 0.4:
                    SurveyAnswer(
                        response=response, customer=customer, question=question, text=rng.choice(COMMENTS)
                    ).save()
            else:
                SurveyAnswer(
                    response=response,
                    customer=customer,
                    question=question,
                    score=nps if question.kind == QuestionKind.NPS else csat,
                ).save()
        counts["answers"] += 1
        if response.is_detractor:
            counts["detractors"] += 1
            follow_up, _created = care.follow_up_open_for(
                customer=customer,
                cycle_key=f"survey:{invitation.pk}",
                reason=DETRACTOR,
                reason_data={
                    "kind": "nps" if nps is not None and nps <= 6 else "csat",
                    "score": nps if nps is not None and nps <= 6 else csat,
                    "survey": invitation.pk,
                },
                due_on=timezone.localdate(answered) + datetime.timedelta(days=2),
                channel=Channel.PHONE,
            )
            if follow_up is not None:
                response.follow_up = follow_up
                response.save(update_fields=["follow_up"])
                if answered.date() < today - datetime.timedelta(days=7):
                    # Older call-backs have been made; most customers were reached.
                    FollowUp.objects.filter(pk=follow_up.pk).update(
                        status=FollowUpStatus.DONE,
                        completed_at=answered + datetime.timedelta(days=1),
                        completed_by_id=follow_up.assigned_to_id,
                        outcome=rng.choice([FollowUpOutcome.REACHED] * 4 + [FollowUpOutcome.NOT_REACHABLE]),
                    )
    return counts


def _live_link(customer: Customer, today: datetime.date) -> str:
    """One visit survey sent today to `customer`, to answer on the public page."""
    template = SurveyTemplate.objects.filter(trigger=SurveyTrigger.VISIT, is_active=True).first()
    if template is None:
        return ""
    token, digest = links.new_token()
    now = timezone.now()
    SurveyInvitation.objects.create(
        template=template,
        customer=customer,
        trigger=SurveyTrigger.VISIT,
        reference="demo:live",
        status=SurveyInvitationStatus.SENT,
        language="zh-hans",
        channel="sms",
        token_hash=digest,
        branch_id=customer.home_branch_id,
        relationship_manager_id=customer.relationship_manager_id,
        segment=customer.segment,
        sent_at=now,
        expires_at=now + datetime.timedelta(days=14),
    )
    return reverse("loyalty_public:survey-answer", args=[token])


def seed_engagement(
    *, customers: int = 0, seed: int = 2026, as_of: datetime.date | None = None
) -> Iterator[str]:
    """Create the demo events, survey history and one live survey link; yield progress lines.

    Runs after the organisation and the customers. Does nothing if events exist already."""
    if Event.objects.exists():
        yield "Events already loaded; not generating more."
        return
    organiser = (
        get_user_model().objects.filter(username=ORGANISER).select_related("staff_profile__branch").first()
    )
    if organiser is None or getattr(organiser, "staff_profile", None) is None:
        yield "No demo organiser (rm.chen); events not generated."
        return
    rng = random.Random(seed)
    today = as_of or timezone.localdate()
    with transaction.atomic():
        created = _events(organiser, today)
        booked = list(
            Customer.objects.filter(
                relationship_manager__isnull=False, merged_into__isnull=True, status="active"
            ).order_by("pk")[: ANSWERS + 1]
        )
        live_customer = next((c for c in booked if c.relationship_manager_id == organiser.pk), None)
        history = _history([c for c in booked if c is not live_customer], today, rng)
        path = _live_link(live_customer, today) if live_customer is not None else ""
    yield (
        f"Events: {len(created)} (a lecture next week, a fraud-awareness session, a course, "
        "an exclusive evening)"
    )
    yield (
        f"Survey answers: {history['answers']} over six months ({history['detractors']} unhappy, "
        "with call-backs)"
    )
    if path:
        yield f"A visit survey waiting on the public page: {path}"
