"""The one contact-pressure policy: every message or call to a customer, marketing and service
alike, asks `contact_request` first and is made only when it answers allowed.

A campaign sender, a survey sender, a follow-up call, an event invitation and a points-expiry
reminder each call it once per customer and message, naming themselves as the sender. The
rules, in the order they are asked (the first that refuses is the reason recorded):

1. a merged-away record is never contacted (its survivor is);
2. the do-not-contact flag refuses everything but a legally required notice;
3. outreach (marketing, surveys, events) waits while a contact hold is open, and while the
   customer is flagged as vulnerable (`Customer.is_vulnerable`, a standing hold kept with
   the customer's details; a ContactHold of kind "vulnerable customer" is a cool-off with a
   start, an end, who and why);
4. consent for the purpose and channel: outreach needs a granted consent; service contacts
   rest on the customer relationship and stop when the customer withdraws them for the
   channel (a legally required notice does not rest on consent);
5. quiet hours in the customer's time zone (customers.outreach.quiet), for every channel but
   post; the decision says when they end, so a sender may try again then;
6. caps per purpose across channels (ContactCap, data), counting the contacts sent in each
   window; a legally required notice is never capped, though it counts.

The check and the record are one transaction holding a row lock on the customer (SELECT ...
FOR NO KEY UPDATE: it serialises every contact request, consent change and hold for that
customer, and unlike FOR UPDATE lets other writers insert rows that merely refer to the
customer), so two senders racing against a cap cannot both see room for one more contact.
Every answer is recorded in ContactLog, sent or refused with its code.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from customers import permissions
from customers.models import (
    Consent,
    ConsentStatus,
    ContactCap,
    ContactChannel,
    ContactHold,
    ContactLog,
    ContactOutcome,
    ContactPurpose,
    Customer,
    RefusalCode,
    SenderKind,
)
from customers.outreach.quiet import configured_quiet_hours, quiet_hours_check
from customers.outreach.refusals import refusal_message

# Purposes that need the customer's explicit yes; service contacts need only no "no".
OPT_IN_PURPOSES = frozenset({ContactPurpose.MARKETING, ContactPurpose.SURVEYS, ContactPurpose.EVENTS})
# Purposes a contact hold or the vulnerable flag pauses.
OUTREACH_PURPOSES = OPT_IN_PURPOSES
REASON_MAX_LENGTH = 200


@dataclass(frozen=True)
class ContactSender:
    """Who sends: a kind (SenderKind) and the id of the campaign, survey, follow-up... ("" for
    none)."""

    kind: str
    id: str = ""


@dataclass(frozen=True)
class ContactDecision:
    """The policy's answer, as recorded in `log`. `allowed` False: do not contact; `code` and
    `detail` say why, `message` in the reader's language, `retry_at` when quiet hours end."""

    allowed: bool
    log: ContactLog
    code: str = ""
    detail: dict = field(default_factory=dict)
    retry_at: datetime.datetime | None = None

    @property
    def message(self) -> str:
        if self.allowed:
            return _("contacted")
        return refusal_message(self.code, purpose=self.log.purpose, channel=self.log.channel,
                               detail=self.detail)


@dataclass(frozen=True)
class _Refusal:
    code: str
    detail: dict = field(default_factory=dict)
    retry_at: datetime.datetime | None = None


def _validate(*, channel: str, purpose: str, reason: str, sender: ContactSender,
              legally_required: bool) -> str:
    errors = {}
    if channel not in ContactChannel.values:
        errors["channel"] = _("Choose one of the contact channels.")
    if purpose not in ContactPurpose.values:
        errors["purpose"] = _("Choose one of the contact purposes.")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Say why the customer is contacted.")
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = _("Keep the reason within %(max)s characters.") % {"max": REASON_MAX_LENGTH}
    if not isinstance(sender, ContactSender) or sender.kind not in SenderKind.values:
        errors["sender"] = _("Name the sender: a campaign, survey, follow-up, invitation, reminder, "
                             "notice or member of staff.")
    elif len(sender.id) > 64:
        errors["sender"] = _("The sender's id is at most 64 characters.")
    if legally_required and purpose != ContactPurpose.SERVICE:
        errors["legally_required"] = _("Only a service notice can be legally required.")
    if errors:
        raise ValidationError(errors)
    return reason


def _hold_refusal(customer_id: int, flags: dict, purpose: str) -> _Refusal | None:
    if purpose not in OUTREACH_PURPOSES:
        return None
    hold = (ContactHold.objects.filter(customer_id=customer_id, lifted_at__isnull=True)
            .order_by("placed_at", "pk").values("kind", "placed_at").first())
    if hold is not None:
        return _Refusal(RefusalCode.HOLD, {"kind": hold["kind"], "since": hold["placed_at"].isoformat()})
    if flags["is_vulnerable"]:
        return _Refusal(RefusalCode.VULNERABLE)
    return None


def _consent_refusal(customer_id: int, channel: str, purpose: str, legally_required: bool) -> _Refusal | None:
    if legally_required:
        return None
    consent = (Consent.objects.filter(customer_id=customer_id, channel=channel, purpose=purpose)
               .values("status", "changed_at").first())
    if consent is not None and consent["status"] == ConsentStatus.WITHDRAWN:
        return _Refusal(RefusalCode.CONSENT_WITHDRAWN, {"since": consent["changed_at"].isoformat()})
    if consent is None and purpose in OPT_IN_PURPOSES:
        return _Refusal(RefusalCode.NO_CONSENT)
    return None


def _quiet_refusal(now: datetime.datetime, time_zone: str, channel: str) -> _Refusal | None:
    hours = configured_quiet_hours()
    check = quiet_hours_check(at=now, time_zone=time_zone, channel=channel, hours=hours)
    if not check.quiet:
        return None
    start, end = hours.label()
    detail = {"local_time": check.local.strftime("%H:%M"), "time_zone": time_zone, "start": start, "end": end,
              "resumes_at": check.resumes_at.isoformat()}
    return _Refusal(RefusalCode.QUIET_HOURS, detail, retry_at=check.resumes_at)


def sent_counts(customer_id: int, purpose: str, now: datetime.datetime,
                caps: list[ContactCap]) -> dict[int, int]:
    """Contacts sent to the customer for `purpose` within each cap's window, by cap id (one query)."""
    if not caps:
        return {}
    widest = max(cap.window_days for cap in caps)
    counts = ContactLog.objects.filter(
        customer_id=customer_id, purpose=purpose, outcome=ContactOutcome.SENT,
        at__gt=now - datetime.timedelta(days=widest),
    ).aggregate(**{
        f"cap_{cap.pk}": Count("pk", filter=Q(at__gt=now - datetime.timedelta(days=cap.window_days)))
        for cap in caps
    })
    return {cap.pk: counts[f"cap_{cap.pk}"] for cap in caps}


def _cap_refusal(customer_id: int, purpose: str, now: datetime.datetime,
                 legally_required: bool) -> _Refusal | None:
    if legally_required:
        return None
    caps = list(ContactCap.objects.filter(purpose=purpose, is_active=True).order_by("-window_days", "pk"))
    counts = sent_counts(customer_id, purpose, now, caps)
    for cap in caps:
        if counts.get(cap.pk, 0) >= cap.maximum:
            return _Refusal(RefusalCode.CAP, {"count": counts[cap.pk], "window_days": cap.window_days,
                                              "maximum": cap.maximum})
    return None


def _first_refusal(flags: dict, *, channel: str, purpose: str, legally_required: bool,
                   now: datetime.datetime, already_made: bool = False) -> _Refusal | None:
    customer_id = flags["pk"]
    if flags["merged_into_id"] is not None:
        return _Refusal(RefusalCode.MERGED)
    if flags["do_not_contact"] and not legally_required:
        return _Refusal(RefusalCode.DO_NOT_CONTACT)
    return (
        _hold_refusal(customer_id, flags, purpose)
        or _consent_refusal(customer_id, channel, purpose, legally_required)
        or (None if already_made else _quiet_refusal(now, flags["time_zone"], channel))
        or _cap_refusal(customer_id, purpose, now, legally_required)
    )


def lock_customer(customer_id: int) -> dict:
    """Take the customer's row lock for the rest of the transaction (FOR NO KEY UPDATE) and
    return the flags the policy reads, fresh. Every outreach write takes it first."""
    return (Customer.objects.select_for_update(no_key=True).filter(pk=customer_id)
            .values("pk", "do_not_contact", "is_vulnerable", "time_zone", "merged_into_id").get())


def contact_request(*, actor, customer: Customer, channel: str, purpose: str, reason: str,
                    sender: ContactSender, legally_required: bool = False,
                    already_made: bool = False) -> ContactDecision:
    """Ask whether `customer` may be contacted on `channel` for `purpose` now, and record the
    answer (ContactLog, sent or refused) in the same transaction as the check.

    `actor` is the member of staff or service account on whose behalf the contact is made
    (it must be allowed to log interactions for the customer), or None for the bank's own
    scheduled senders (Celery tasks: reminders, campaign batches), never for a request.
    `reason` says why, in the bank's terms (a campaign's name, a follow-up's reason), without
    personal data. `legally_required` marks a service notice the law requires.
    `already_made` records a contact a member of staff made without asking first (logged
    afterwards, such as a follow-up call): every rule is asked but quiet hours, since the time
    it is logged says nothing of when it was made.

    Return the decision; a refusal is not an exception. Raise PermissionDenied if `actor` may
    not contact the customer, ValidationError (by field) for bad input; neither records
    anything.
    """
    if actor is not None:
        permissions.check(actor, permissions.CustomerAction.LOG_INTERACTION, customer)
    reason = _validate(channel=channel, purpose=purpose, reason=reason, sender=sender,
                       legally_required=legally_required)
    with transaction.atomic():
        flags = lock_customer(customer.pk)
        now = timezone.now()
        refusal = _first_refusal(flags, channel=channel, purpose=purpose, legally_required=legally_required,
                                 now=now, already_made=already_made)
        log = ContactLog.objects.create(
            customer_id=customer.pk, channel=channel, purpose=purpose, legally_required=legally_required,
            reason=reason, sender_kind=sender.kind, sender_id=sender.id, actor=actor, at=now,
            outcome=ContactOutcome.REFUSED if refusal else ContactOutcome.SENT,
            refusal_code=refusal.code if refusal else "", detail=refusal.detail if refusal else {},
        )
    if refusal is None:
        return ContactDecision(allowed=True, log=log)
    return ContactDecision(allowed=False, log=log, code=refusal.code, detail=refusal.detail,
                           retry_at=refusal.retry_at)
