"""The customer's answer, from the public page: one response per invitation, and the detractor
loop (an unhappy answer opens a follow-up for the RM's call, due within two days).

The public page has no user: the link's secret is the credential. `invitation_for_token` says
why a link does not open (tampered, unknown, expired, already answered); `response_submit`
checks it again under the invitation's row lock, so two submissions of one link at once save
one response.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from compliance.audit import audit_record
from customers import services
from customers.care import services as care
from customers.care.reasons import DETRACTOR
from customers.models import Channel, ContactChannel, InteractionType
from loyalty.events.earning import Activity, award_points
from loyalty.models import (
    QuestionKind,
    SurveyAnswer,
    SurveyInvitation,
    SurveyInvitationStatus,
    SurveyQuestion,
    SurveyResponse,
)
from loyalty.models.surveys import SCORE_RANGES
from loyalty.surveys import links

DETRACTOR_DAYS = 2
TEXT_MAX = 2000
# The timeline's channel for the survey's contact channel.
TIMELINE_CHANNELS = {
    ContactChannel.SMS: Channel.MESSAGING,
    ContactChannel.MESSAGING: Channel.MESSAGING,
    ContactChannel.EMAIL: Channel.EMAIL,
    ContactChannel.APP_PUSH: Channel.MOBILE_APP,
    ContactChannel.PHONE: Channel.PHONE,
    ContactChannel.POST: Channel.LETTER,
}


class LinkProblem:
    TAMPERED = "tampered"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


class LinkRefused(Exception):
    """The link does not open (any more): `code` is a LinkProblem."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class LinkCheck:
    invitation: SurveyInvitation | None
    problem: str = ""


def _problem(invitation: SurveyInvitation, now: datetime.datetime) -> str:
    if invitation.status == SurveyInvitationStatus.RESPONDED:
        return LinkProblem.USED
    if invitation.status != SurveyInvitationStatus.SENT:
        return LinkProblem.UNKNOWN
    if invitation.expires_at is None or invitation.expires_at <= now:
        return LinkProblem.EXPIRED
    return ""


def invitation_for_token(token: str) -> LinkCheck:
    """The invitation a public link stands for, or why it does not open."""
    digest = links.verified_hash(token or "")
    if digest is None:
        return LinkCheck(None, LinkProblem.TAMPERED)
    invitation = SurveyInvitation.objects.select_related("template").filter(token_hash=digest).first()
    if invitation is None:
        return LinkCheck(None, LinkProblem.UNKNOWN)
    return LinkCheck(invitation, _problem(invitation, timezone.now()))


def is_detractor(nps: int | None, csat: int | None) -> bool:
    """NPS 0-6 or CSAT 1-2."""
    return (nps is not None and nps <= 6) or (csat is not None and csat <= 2)


def _clean_answers(questions: list[SurveyQuestion], raw: dict) -> dict[int, int | str]:
    errors, values = {}, {}
    for question in questions:
        field = f"q{question.pk}"
        value = raw.get(field)
        value = "" if value is None else str(value).strip()
        if question.kind == QuestionKind.TEXT:
            if len(value) > TEXT_MAX:
                errors[field] = _("Keep your answer within %(max)s characters.") % {"max": TEXT_MAX}
            elif value:
                values[question.pk] = value
            elif question.is_required:
                errors[field] = _("Please answer this question.")
            continue
        low, high = SCORE_RANGES[question.kind]
        if not value:
            if question.is_required:
                errors[field] = _("Please choose a score.")
            continue
        try:
            score = int(value)
        except ValueError:
            score = None
        if score is None or not low <= score <= high:
            errors[field] = _("Choose a score from %(low)s to %(high)s.") % {"low": low, "high": high}
        else:
            values[question.pk] = score
    if errors:
        raise ValidationError(errors)
    return values


def _first_score(questions, values, kind) -> int | None:
    return next((values[q.pk] for q in questions if q.kind == kind and q.pk in values), None)


def _timeline_summary(response: SurveyResponse) -> str:
    parts = []
    if response.nps_score is not None:
        parts.append(_("recommendation %(score)s of 10") % {"score": response.nps_score})
    if response.csat_score is not None:
        parts.append(_("satisfaction %(score)s of 5") % {"score": response.csat_score})
    return _("Survey answered: %(scores)s.") % {"scores": ", ".join(parts) or "-"}


@transaction.atomic
def response_submit(*, invitation: SurveyInvitation, answers: dict) -> SurveyResponse:
    """Save the customer's answers to `invitation` (`answers`: "q<question id>" -> value, as the
    public form posts them), mark it answered, put it on the customer's timeline, earn the
    survey's points and, for a detractor's answer, open the RM's call-back follow-up due within
    two days.

    Raise LinkRefused if the invitation was answered meanwhile, has expired or was never
    sent; ValidationError (by "q<id>") for a missing required answer, a score out of range or
    text too long. Nothing is saved then.
    """
    invitation = (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("customer", "template")
        .get(pk=invitation.pk)
    )
    now = timezone.now()
    problem = _problem(invitation, now)
    if problem:
        raise LinkRefused(problem)
    questions = list(invitation.template.questions.all())
    values = _clean_answers(questions, answers)
    nps = _first_score(questions, values, QuestionKind.NPS)
    csat = _first_score(questions, values, QuestionKind.CSAT)
    customer = invitation.customer
    response = SurveyResponse.objects.create(
        invitation=invitation,
        customer=customer,
        trigger=invitation.trigger,
        language=invitation.language,
        nps_score=nps,
        csat_score=csat,
        is_detractor=is_detractor(nps, csat),
        branch_id=invitation.branch_id,
        relationship_manager_id=invitation.relationship_manager_id,
        segment=invitation.segment,
        channel=invitation.channel,
        submitted_at=now,
    )
    for question in questions:
        if question.pk not in values:
            continue
        value = values[question.pk]
        answer = SurveyAnswer(
            response=response,
            customer=customer,
            question=question,
            score=value if isinstance(value, int) else None,
            text=value if isinstance(value, str) else None,
        )
        answer.save()
    invitation.status = SurveyInvitationStatus.RESPONDED
    invitation.responded_at = now
    invitation.save(update_fields=["status", "responded_at"])
    if response.is_detractor:
        kind, score = ("nps", nps) if nps is not None and nps <= 6 else ("csat", csat)
        follow_up, _created = care.follow_up_open_for(
            customer=customer,
            cycle_key=f"survey:{invitation.pk}",
            reason=DETRACTOR,
            reason_data={"kind": kind, "score": score, "survey": invitation.pk},
            due_on=timezone.localdate(now) + datetime.timedelta(days=DETRACTOR_DAYS),
            channel=Channel.PHONE,
        )
        if follow_up is not None:
            response.follow_up = follow_up
            response.save(update_fields=["follow_up"])
    # The timeline is read by staff: in the bank's language, with scores only (no free text).
    with translation.override(None):
        services.interaction_log_for_system(
            customer=customer,
            system="surveys",
            channel=TIMELINE_CHANNELS.get(invitation.channel, Channel.EMAIL),
            interaction_type=InteractionType.SERVICE,
            summary=_timeline_summary(response),
            external_reference=f"survey-response:{invitation.pk}",
            occurred_at=now,
        )
    award_points(customer, Activity.SURVEY_COMPLETED, f"survey-invitation:{invitation.pk}", now)
    audit_record(
        actor=None,
        action="survey_response.submitted",
        object_type="loyalty.surveyresponse",
        object_id=response.pk,
        fields=["text"] if any(isinstance(v, str) for v in values.values()) else [],
        extra={"customer": customer.pk, "invitation": invitation.pk, "detractor": response.is_detractor},
    )
    return response
