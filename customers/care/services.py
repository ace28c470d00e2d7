"""Writes of relationship care: ask the contact-pressure policy before a follow-up call,
complete and reschedule a follow-up, book and cancel an appointment, save contact plans and
trigger rules, mark notifications read.

Each runs in one transaction, asks the one policy first (WORK_FOLLOW_UP on the follow-up's
customer; the settings actions for configuration), validates, and appends an audit event that
names fields, never their values.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.audit import audit_record
from customers import outreach, permissions, services
from customers.care.reasons import RESCHEDULED, contact_reason, reason_text
from customers.models import (
    NEEDS_BY_KIND,
    Appointment,
    BookDelegation,
    Channel,
    ContactChannel,
    ContactLog,
    ContactOutcome,
    ContactPlan,
    ContactPurpose,
    Customer,
    FollowUp,
    FollowUpOutcome,
    FollowUpStatus,
    InteractionType,
    Notification,
    SenderKind,
    TriggerRule,
)

OBJECT_TYPE = "customers.followup"
MAX_APPOINTMENT_MINUTES = 8 * 60

# The contact channel the policy is asked about for a follow-up made on each interaction
# channel; None: the customer is met in person (a branch visit), which is no outreach.
CONTACT_CHANNELS = {
    Channel.BRANCH: None,
    Channel.PHONE: ContactChannel.PHONE,
    Channel.MOBILE_APP: ContactChannel.APP_PUSH,
    Channel.ONLINE_BANKING: ContactChannel.MESSAGING,
    Channel.EMAIL: ContactChannel.EMAIL,
    Channel.MESSAGING: ContactChannel.MESSAGING,
    Channel.LETTER: ContactChannel.POST,
}
# Outcomes that say the customer was contacted (or an attempt was made) on the channel.
CONTACTED_OUTCOMES = frozenset({FollowUpOutcome.REACHED, FollowUpOutcome.NOT_REACHABLE,
                                FollowUpOutcome.DECLINED})


def _locked_open(follow_up: FollowUp) -> FollowUp:
    locked = FollowUp.objects.select_for_update().select_related("customer").get(pk=follow_up.pk)
    if not locked.is_open:
        raise ValidationError({"status": _("This follow-up is no longer open.")})
    return locked


def _check_future_day(day: datetime.date | None, field: str) -> None:
    if day is None:
        raise ValidationError({field: _("Choose a date.")})
    if day < timezone.localdate():
        raise ValidationError({field: _("Choose today or a later date.")})


def _sender(follow_up: FollowUp) -> outreach.ContactSender:
    return outreach.ContactSender(SenderKind.FOLLOW_UP, str(follow_up.pk))


def follow_up_contact(*, actor, follow_up: FollowUp, channel: str | None = None,
                      already_made: bool = False) -> outreach.ContactDecision:
    """Ask the contact-pressure policy whether `actor` may contact the follow-up's customer now
    on `channel` (an interaction channel; the follow-up's own by default), for service, and
    record the answer in the contact log (customers.outreach.contact_request). A refusal is the
    decision, not an exception: the RM reads why ("not contacted: do not contact").

    Raise PermissionDenied unless `actor` may work the customer's follow-ups; ValidationError
    for a follow-up no longer open, an unknown channel or one that needs no asking (a visit in
    branch). `already_made`: the contact took place without asking (logged on completion), so
    quiet hours are not asked.
    """
    permissions.check(actor, permissions.CustomerAction.WORK_FOLLOW_UP, follow_up.customer)
    if not follow_up.is_open:
        raise ValidationError({"status": _("This follow-up is no longer open.")})
    channel = channel or follow_up.channel
    if channel not in CONTACT_CHANNELS:
        raise ValidationError({"channel": _("Choose a channel.")})
    contact_channel = CONTACT_CHANNELS[channel]
    if contact_channel is None:
        raise ValidationError({"channel": _("A visit in branch needs no contact request.")})
    return outreach.contact_request(
        actor=actor, customer=follow_up.customer, channel=contact_channel, purpose=ContactPurpose.SERVICE,
        reason=contact_reason(follow_up), sender=_sender(follow_up), already_made=already_made,
    )


def _contacted(follow_up: FollowUp, channel: str) -> bool:
    """Whether the policy already allowed a contact for this follow-up on `channel`'s contact channel."""
    return ContactLog.objects.filter(
        customer_id=follow_up.customer_id, sender_kind=SenderKind.FOLLOW_UP, sender_id=str(follow_up.pk),
        channel=CONTACT_CHANNELS[channel], outcome=ContactOutcome.SENT,
    ).exists()


def follow_up_complete(*, actor, follow_up: FollowUp, outcome: str, notes: str = "",
                       needs: Iterable[str] = (), next_step: str = "", channel: str | None = None,
                       reschedule_to: datetime.date | None = None) -> FollowUp:
    """Record how the follow-up went and log it on the customer's timeline.

    Sets the outcome, notes (encrypted), needs discovered (each also recorded as a need) and
    next step, and writes an interaction of type follow-up. With outcome "rescheduled", a new
    follow-up for `reschedule_to` takes its place. An outcome that says the customer was
    contacted (reached, not reachable, declined) on a channel other than a branch visit goes
    through the contact-pressure policy unless it already allowed a contact for this follow-up
    on that channel (every rule but quiet hours: the contact was made before it is logged); a
    refusal is recorded and the completion refused with its reason.

    Raise PermissionDenied unless `actor` may work the customer's follow-ups; ValidationError
    (by field) for a follow-up no longer open, an unknown outcome or channel, a need outside the
    catalogue of the customer's kind, a missing or past `reschedule_to`, or a contact the policy
    refuses.
    """
    permissions.check(actor, permissions.CustomerAction.WORK_FOLLOW_UP, follow_up.customer)
    channel = channel or follow_up.channel
    if channel not in CONTACT_CHANNELS:
        raise ValidationError({"channel": _("Choose a channel.")})
    if (outcome in CONTACTED_OUTCOMES and CONTACT_CHANNELS[channel] is not None and follow_up.is_open
            and not _contacted(follow_up, channel)):
        decision = follow_up_contact(actor=actor, follow_up=follow_up, channel=channel, already_made=True)
        if not decision.allowed:
            raise ValidationError({"outcome": _("The follow-up stays open, the contact is refused (%(why)s).")
                                              % {"why": decision.message}})
    return _complete(actor=actor, follow_up=follow_up, outcome=outcome, notes=notes, needs=needs,
                     next_step=next_step, channel=channel, reschedule_to=reschedule_to)


@transaction.atomic
def _complete(*, actor, follow_up: FollowUp, outcome: str, notes: str, needs: Iterable[str], next_step: str,
              channel: str, reschedule_to: datetime.date | None) -> FollowUp:
    follow_up = _locked_open(follow_up)
    customer = follow_up.customer
    if outcome not in FollowUpOutcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    needs = list(dict.fromkeys(needs))
    if set(needs) - {str(need) for need in NEEDS_BY_KIND[customer.kind]}:
        raise ValidationError({"needs": _("This need is not in the catalogue for this customer.")})
    if outcome == FollowUpOutcome.RESCHEDULED:
        _check_future_day(reschedule_to, "reschedule_to")
    summary = _("Follow-up (%(reason)s): %(outcome)s.") % {
        "reason": reason_text(follow_up), "outcome": FollowUpOutcome(outcome).label,
    }
    if notes.strip():
        summary = f"{summary}\n{notes.strip()}"
    if next_step.strip():
        summary = f"{summary}\n{_('Next step')}: {next_step.strip()}"
    interaction = services.interaction_log(
        actor=actor, customer=customer, channel=channel,
        interaction_type=InteractionType.FOLLOW_UP, summary=summary[:4000],
    )
    for need in needs:
        services.need_record(actor=actor, customer=customer, need_type=need)
    follow_up.status = FollowUpStatus.DONE
    follow_up.outcome = outcome
    follow_up.notes = notes.strip() or None
    follow_up.needs_discovered = needs
    follow_up.next_step = next_step.strip() or None
    follow_up.interaction = interaction
    follow_up.completed_by = actor
    follow_up.completed_at = timezone.now()
    follow_up.full_clean()
    follow_up.save(update_fields=["status", "outcome", "notes", "needs_discovered", "next_step",
                                  "interaction", "completed_by", "completed_at"])
    if outcome == FollowUpOutcome.RESCHEDULED:
        FollowUp.objects.create(
            customer=customer, assigned_to=follow_up.assigned_to, cycle_key=f"rescheduled:{follow_up.pk}",
            reason=RESCHEDULED, reason_data={"from": follow_up.pk}, channel=follow_up.channel,
            due_on=reschedule_to,
        )
    audit_record(actor=actor, action="follow_up.completed", object_type=OBJECT_TYPE, object_id=follow_up.pk,
                 fields=[name for name, text in (("notes", notes), ("next_step", next_step)) if text.strip()],
                 extra={"customer": customer.pk, "outcome": outcome, "interaction": interaction.pk})
    return follow_up


@transaction.atomic
def follow_up_reschedule(*, actor, follow_up: FollowUp, due_on: datetime.date, reason: str) -> FollowUp:
    """Move an open follow-up to `due_on`, with a reason (stored encrypted); it is open again.

    Raise PermissionDenied unless `actor` may work the customer's follow-ups; ValidationError
    for a follow-up no longer open, a past date or a reason shorter than 3 characters.
    """
    permissions.check(actor, permissions.CustomerAction.WORK_FOLLOW_UP, follow_up.customer)
    follow_up = _locked_open(follow_up)
    _check_future_day(due_on, "due_on")
    if len((reason or "").strip()) < 3:
        raise ValidationError({"reason": _("Say why, in at least 3 characters.")})
    follow_up.due_on = due_on
    follow_up.status = FollowUpStatus.OPEN
    follow_up.reschedule_reason = reason.strip()
    follow_up.full_clean()
    follow_up.save(update_fields=["due_on", "status", "reschedule_reason"])
    audit_record(actor=actor, action="follow_up.rescheduled", object_type=OBJECT_TYPE, object_id=follow_up.pk,
                 fields=["due_on", "reschedule_reason"], extra={"customer": follow_up.customer_id})
    return follow_up


@transaction.atomic
def appointment_book(*, actor, customer: Customer, starts_at: datetime.datetime, minutes: int,
                     place: str, follow_up: FollowUp | None = None) -> Appointment:
    """Book an appointment of `actor` with `customer` at `starts_at` for `minutes`, at `place`.

    Raise PermissionDenied unless `actor` may work the customer's follow-ups; ValidationError
    (by field) for a start in the past, a length outside 5..480 minutes, an empty place, or a
    follow-up of another customer.
    """
    permissions.check(actor, permissions.CustomerAction.WORK_FOLLOW_UP, customer)
    errors = {}
    if starts_at is None or starts_at < timezone.now() - datetime.timedelta(minutes=5):
        errors["starts_at"] = _("Choose a time that has not passed.")
    if not 5 <= (minutes or 0) <= MAX_APPOINTMENT_MINUTES:
        errors["minutes"] = _("Choose between 5 and 480 minutes.")
    if not (place or "").strip():
        errors["place"] = _("Say where.")
    if follow_up is not None and follow_up.customer_id != customer.pk:
        errors["follow_up"] = _("This follow-up is for another customer.")
    if errors:
        raise ValidationError(errors)
    appointment = Appointment(customer=customer, staff=actor, follow_up=follow_up, starts_at=starts_at,
                              ends_at=starts_at + datetime.timedelta(minutes=minutes), place=place.strip())
    appointment.full_clean()
    appointment.save()
    audit_record(actor=actor, action="appointment.booked", object_type="customers.appointment",
                 object_id=appointment.pk, extra={"customer": customer.pk})
    return appointment


@transaction.atomic
def appointment_cancel(*, actor, appointment: Appointment) -> Appointment:
    """Cancel one of `actor`'s appointments. Raise PermissionDenied if it is not theirs to work."""
    permissions.check(actor, permissions.CustomerAction.WORK_FOLLOW_UP, appointment.customer)
    if appointment.staff_id != actor.pk:
        raise ValidationError({"appointment": _("This is not your appointment.")})
    if appointment.cancelled_at is None:
        appointment.cancelled_at = timezone.now()
        appointment.save(update_fields=["cancelled_at"])
        audit_record(actor=actor, action="appointment.cancelled", object_type="customers.appointment",
                     object_id=appointment.pk, extra={"customer": appointment.customer_id})
    return appointment


def _changed_fields(instance) -> list[str]:
    return [field.name for field in instance._meta.concrete_fields
            if field.editable and not field.primary_key and field.name != "updated_at"]


@transaction.atomic
def contact_plan_save(*, actor, plan: ContactPlan) -> ContactPlan:
    """Create or change a contact plan. Raise PermissionDenied unless `actor` may configure
    contact plans; ValidationError for two intervals, none, or a second active plan of a segment."""
    permissions.check(actor, permissions.SettingsAction.CONTACT_PLANS)
    plan.full_clean()
    plan.save()
    audit_record(actor=actor, action="contact_plan.saved", object_type="customers.contactplan",
                 object_id=plan.pk, fields=_changed_fields(plan))
    return plan


@transaction.atomic
def trigger_rule_save(*, actor, rule: TriggerRule) -> TriggerRule:
    """Create or change a trigger rule. Raise PermissionDenied unless `actor` may configure
    trigger rules; ValidationError for bad values or a second active rule of a kind."""
    permissions.check(actor, permissions.SettingsAction.TRIGGER_RULES)
    rule.full_clean()
    rule.save()
    audit_record(actor=actor, action="trigger_rule.saved", object_type="customers.triggerrule",
                 object_id=rule.pk, fields=_changed_fields(rule))
    return rule


def notifications_mark_read(*, actor, ids: Iterable[int] | None = None) -> int:
    """Mark `actor`'s notifications read (the given ones, or all); return how many changed."""
    queryset = Notification.objects.filter(user=actor, is_read=False)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(is_read=True)


def _assignee_id(customer: Customer) -> int | None:
    """Who works the customer's follow-ups today: the colleague covering the RM's book, else the RM."""
    if customer.relationship_manager_id is None:
        return None
    today = timezone.localdate()
    delegate = (BookDelegation.objects.filter(
        relationship_manager_id=customer.relationship_manager_id, starts_on__lte=today, ends_on__gte=today,
        revoked_at__isnull=True).order_by("-pk").values_list("delegate_id", flat=True).first())
    return delegate or customer.relationship_manager_id


@transaction.atomic
def follow_up_open_for(*, customer: Customer, cycle_key: str, reason: str, reason_data: dict,
                       due_on: datetime.date, channel: str) -> tuple[FollowUp | None, bool]:
    """Open a follow-up that another part of the bank asks for (an unhappy survey answer), once
    per customer and `cycle_key`, for whoever works the customer's follow-ups.

    For the portal's own processes (no actor: nobody's rights are checked). `reason_data`
    holds codes and numbers only. Return (follow_up, created); (None, False) when the customer
    has no relationship manager to call them. A second call with the same key returns the
    first follow-up.
    """
    existing = FollowUp.objects.filter(customer_id=customer.pk, cycle_key=cycle_key).first()
    if existing is not None:
        return existing, False
    assignee = _assignee_id(customer)
    if assignee is None:
        return None, False
    follow_up, created = FollowUp.objects.get_or_create(
        customer_id=customer.pk, cycle_key=cycle_key,
        defaults={"assigned_to_id": assignee, "reason": reason, "reason_data": reason_data,
                  "channel": channel, "due_on": due_on},
    )
    if created:
        audit_record(actor=None, action="follow_up.created", object_type=OBJECT_TYPE, object_id=follow_up.pk,
                     extra={"customer": customer.pk, "reason": reason})
    return follow_up, created
