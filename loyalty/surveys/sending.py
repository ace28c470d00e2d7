"""Asking for surveys and sending them.

Three things ask: the feedback app when a complaint is closed (`request_survey`), the visits
(the task pulls the follow-ups completed with the customer reached: no signals, loyalty reads
what happened below it) and the periodic relationship survey per segment. Each creates a
queued invitation once per customer, trigger and reference (a unique constraint with
INSERT ... ON CONFLICT DO NOTHING), and the task sends the queue.

Sending one invitation is one transaction holding the customer's row lock (the same lock the
contact-pressure policy takes), so two workers cannot both find "no survey in the last 90
days" and both send: the frequency limit (LOYALTY_SURVEY_PERIOD_DAYS, default 90) is checked
under the lock, then the policy is asked (purpose surveys, no actor: a scheduled sender). A
refusal is recorded on the invitation with its code; quiet hours put it back in the queue
until they end.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min
from django.urls import reverse
from django.utils import timezone

from crm.outbox import outbox_enqueue
from customers import outreach
from customers.models import (
    Consent,
    ConsentStatus,
    ContactPurpose,
    Customer,
    CustomerKind,
    CustomerStatus,
    FollowUp,
    FollowUpOutcome,
    FollowUpStatus,
    SenderKind,
)
from customers.outreach.pressure import lock_customer
from loyalty.models import SurveyInvitation, SurveyInvitationStatus, SurveyTemplate, SurveyTrigger
from loyalty.surveys import delivery, links

logger = logging.getLogger(__name__)

SEND_TASK = "loyalty.surveys.tasks.send_survey_invitation"
BATCH_SIZE = 500
INVITATIONS = SurveyInvitation._meta.db_table
FOLLOW_UPS = FollowUp._meta.db_table
CUSTOMERS = Customer._meta.db_table
DETRACTOR_REASON = "detractor"


def period_days() -> int:
    """At most one survey per customer in this many days."""
    return int(getattr(settings, "LOYALTY_SURVEY_PERIOD_DAYS", 90))


def link_days() -> int:
    """A survey link works for this many days after it is sent."""
    return int(getattr(settings, "LOYALTY_SURVEY_LINK_DAYS", 14))


def _channels() -> tuple[str, ...]:
    return tuple(getattr(settings, "LOYALTY_SURVEY_CHANNELS", ("sms", "email", "app_push")))


def active_template(trigger: str) -> SurveyTemplate | None:
    return SurveyTemplate.objects.filter(trigger=trigger, is_active=True).first()


def survey_link(token: str) -> str:
    """The absolute URL of the public survey page for `token`."""
    return f"{settings.PORTAL_BASE_URL}{reverse('loyalty_public:survey-answer', args=[token])}"


@transaction.atomic
def request_survey(customer: Customer, trigger: str, reference: str) -> SurveyInvitation | None:
    """Ask `customer` for a survey about `reference` (a complaint's number, a follow-up's id),
    once: a second request for the same trigger and reference returns the first invitation.

    The invitation is queued and sent after commit by the sending task, subject to the
    frequency limit and the contact-pressure policy. Return None when no survey template is
    active for `trigger`. Raise ValueError for an unknown trigger or an empty reference.
    """
    if trigger not in SurveyTrigger.values:
        raise ValueError(f"Unknown survey trigger {trigger!r}.")
    reference = (reference or "").strip()[:64]
    if not reference:
        raise ValueError("A survey request needs a reference.")
    template = active_template(trigger)
    if template is None:
        return None
    invitation, created = SurveyInvitation.objects.get_or_create(
        customer_id=customer.pk, trigger=trigger, reference=reference, defaults={"template": template}
    )
    if created:
        outbox_enqueue(SEND_TASK, invitation.pk)
    return invitation


def _language(customer: Customer) -> str:
    if customer.kind == CustomerKind.INDIVIDUAL:
        profile = getattr(customer, "individual", None)
        if profile is not None and profile.preferred_language:
            return profile.preferred_language
    return settings.LANGUAGE_CODE


def _channel(customer_id: int) -> str:
    """The first survey channel the customer has agreed to, else the first channel (which the
    policy will then refuse for want of consent, recorded)."""
    channels = _channels()
    granted = set(
        Consent.objects.filter(
            customer_id=customer_id,
            purpose=ContactPurpose.SURVEYS,
            status=ConsentStatus.GRANTED,
            channel__in=channels,
        ).values_list("channel", flat=True)
    )
    return next((channel for channel in channels if channel in granted), channels[0])


def _reason(invitation: SurveyInvitation) -> str:
    return f"Satisfaction survey ({invitation.trigger})"


@transaction.atomic
def invitation_send(*, invitation_id: int) -> SurveyInvitation | None:
    """Send a queued invitation: under the customer's lock, skip it if the customer was sent a
    survey within the period, else ask the contact-pressure policy and, when it allows, make
    the link and hand it to the channel after commit. Safe to run twice: an invitation no
    longer queued, or queued for later (quiet hours), is left as it is. Return the invitation
    (None if it no longer exists)."""
    customer_id = (
        SurveyInvitation.objects.filter(pk=invitation_id).values_list("customer_id", flat=True).first()
    )
    if customer_id is None:
        return None
    lock_customer(customer_id)
    invitation = (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("customer", "customer__individual")
        .get(pk=invitation_id)
    )
    now = timezone.now()
    if invitation.status != SurveyInvitationStatus.QUEUED or (
        invitation.not_before and invitation.not_before > now
    ):
        return invitation
    customer = invitation.customer
    recent = (
        SurveyInvitation.objects.filter(
            customer_id=customer.pk, sent_at__gt=now - datetime.timedelta(days=period_days())
        )
        .exclude(pk=invitation.pk)
        .exists()
    )
    if recent:
        invitation.status = SurveyInvitationStatus.SKIPPED
        invitation.save(update_fields=["status"])
        return invitation
    invitation.channel = _channel(customer.pk)
    decision = outreach.contact_request(
        actor=None,
        customer=customer,
        channel=invitation.channel,
        purpose=ContactPurpose.SURVEYS,
        reason=_reason(invitation),
        sender=outreach.ContactSender(kind=SenderKind.SURVEY, id=str(invitation.pk)),
    )
    if not decision.allowed:
        if decision.retry_at is not None:
            invitation.not_before = decision.retry_at
            invitation.save(update_fields=["channel", "not_before"])
            return invitation
        invitation.status = SurveyInvitationStatus.REFUSED
        invitation.refusal_code = decision.code
        invitation.save(update_fields=["channel", "status", "refusal_code"])
        return invitation
    token, digest = links.new_token()
    invitation.status = SurveyInvitationStatus.SENT
    invitation.token_hash = digest
    invitation.language = _language(customer)
    invitation.sent_at = now
    invitation.expires_at = now + datetime.timedelta(days=link_days())
    invitation.branch_id = customer.home_branch_id
    invitation.relationship_manager_id = customer.relationship_manager_id
    invitation.segment = customer.segment
    invitation.save(
        update_fields=[
            "status",
            "token_hash",
            "language",
            "channel",
            "sent_at",
            "expires_at",
            "branch",
            "relationship_manager",
            "segment",
        ]
    )
    url = survey_link(token)
    transaction.on_commit(lambda: delivery.deliver(invitation, url))
    return invitation


def _execute(sql: str, params: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


VISIT_INSERT = f"""
    INSERT INTO {INVITATIONS} (template_id, customer_id, trigger, reference, status, refusal_code, language,
                               channel, segment, created_at)
    SELECT %(template)s, f.customer_id, %(trigger)s, 'follow-up:' || f.id, %(queued)s, '', '', '', '', now()
    FROM {FOLLOW_UPS} f
    WHERE f.status = %(done)s AND f.outcome = %(reached)s AND f.completed_at >= %(since)s
      AND f.reason <> %(detractor)s
    ON CONFLICT (customer_id, trigger, reference) DO NOTHING"""  # noqa: S608 - table names only

RELATIONSHIP_INSERT = f"""
    INSERT INTO {INVITATIONS} (template_id, customer_id, trigger, reference, status, refusal_code, language,
                               channel, segment, created_at)
    SELECT %(template)s, c.id, %(trigger)s, %(reference)s, %(queued)s, '', '', '', '', now()
    FROM {CUSTOMERS} c
    WHERE c.id >= %(lo)s AND c.id < %(hi)s AND c.merged_into_id IS NULL AND c.status = %(active)s
      AND (cardinality(%(segments)s::text[]) = 0 OR c.segment = ANY(%(segments)s::text[]))
      AND NOT EXISTS (SELECT 1 FROM {INVITATIONS} i WHERE i.customer_id = c.id AND i.sent_at > %(since)s)
    ON CONFLICT (customer_id, trigger, reference) DO NOTHING"""  # noqa: S608 - table names only


def visits_pull(*, now: datetime.datetime | None = None) -> int:
    """Queue a visit survey for every follow-up completed with the customer reached within the
    look-back (LOYALTY_SURVEY_VISIT_LOOKBACK_HOURS, default 72; each run overlaps the last, the
    unique constraint makes that harmless). Detractor call-backs are not surveyed. Return how
    many were queued."""
    template = active_template(SurveyTrigger.VISIT)
    if template is None:
        return 0
    now = now or timezone.now()
    hours = int(getattr(settings, "LOYALTY_SURVEY_VISIT_LOOKBACK_HOURS", 72))
    return _execute(
        VISIT_INSERT,
        {
            "template": template.pk,
            "trigger": SurveyTrigger.VISIT,
            "queued": SurveyInvitationStatus.QUEUED,
            "done": FollowUpStatus.DONE,
            "reached": FollowUpOutcome.REACHED,
            "since": now - datetime.timedelta(hours=hours),
            "detractor": DETRACTOR_REASON,
        },
    )


def relationship_reference(day: datetime.date) -> str:
    return f"relationship:{day.year}-Q{(day.month - 1) // 3 + 1}"


def relationship_pull(*, today: datetime.date | None = None, batch_size: int = 20000) -> int:
    """Queue the quarter's relationship survey for the active customers of the template's
    segments who were not sent a survey within the period, in ranges of customer ids (one
    statement per range). Return how many were queued."""
    template = active_template(SurveyTrigger.RELATIONSHIP)
    if template is None:
        return 0
    today = today or timezone.localdate()
    bounds = Customer.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return 0
    params = {
        "template": template.pk,
        "trigger": SurveyTrigger.RELATIONSHIP,
        "reference": relationship_reference(today),
        "queued": SurveyInvitationStatus.QUEUED,
        "active": CustomerStatus.ACTIVE,
        "segments": list(template.segments or []),
        "since": timezone.now() - datetime.timedelta(days=period_days()),
    }
    queued = 0
    for lo in range(bounds["lo"], bounds["hi"] + 1, batch_size):
        with transaction.atomic():
            queued += _execute(RELATIONSHIP_INSERT, {**params, "lo": lo, "hi": lo + batch_size})
    return queued


@dataclass
class SendResult:
    sent: int = 0
    refused: int = 0
    skipped: int = 0
    waiting: int = 0

    def as_dict(self) -> dict:
        return {"sent": self.sent, "refused": self.refused, "skipped": self.skipped, "waiting": self.waiting}


def queue_send(*, limit: int = 5000) -> SendResult:
    """Send the queued invitations that are due, oldest first, up to `limit`; each in its own
    transaction (one customer's lock at a time)."""
    result = SendResult()
    now = timezone.now()
    ids = list(
        SurveyInvitation.objects.filter(status=SurveyInvitationStatus.QUEUED)
        .exclude(not_before__gt=now)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for invitation_id in ids:
        invitation = invitation_send(invitation_id=invitation_id)
        if invitation is None:
            continue
        if invitation.status == SurveyInvitationStatus.SENT:
            result.sent += 1
        elif invitation.status == SurveyInvitationStatus.REFUSED:
            result.refused += 1
        elif invitation.status == SurveyInvitationStatus.SKIPPED:
            result.skipped += 1
        else:
            result.waiting += 1
    return result
