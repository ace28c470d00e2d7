"""Writes of the events: create an event, invite, register (seat or waiting list), cancel
(promoting the first on the waiting list), check in at the door, record a course's lessons.

Each runs in one transaction and asks the one policy first: MANAGE_EVENTS on the event's
branch for the organiser's work (creating, checking in, lessons), REGISTER_FOR_EVENT on the
customer for registering, cancelling and inviting. Registering and cancelling take the event's
row lock, so the seat count they read cannot change under them. Attendance and a completed
course go on the customer's timeline (a system interaction, once per registration) and earn
points (loyalty.events.earning). Audit events carry ids and codes only.
"""

from __future__ import annotations

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.audit import audit_record
from customers import outreach, services
from customers.models import Channel, ContactChannel, ContactPurpose, Customer, InteractionType, SenderKind
from loyalty.events.earning import Activity, award_points
from loyalty.events.eligibility import ineligibility
from loyalty.models import (
    Event,
    EventInvitation,
    EventKind,
    EventRegistration,
    EventStatus,
    InvitationStatus,
    Lesson,
    LessonCompletion,
    RegistrationStatus,
)
from loyalty.models.events import LIVE_REGISTRATION, SEATED
from loyalty.permissions_engagement import EngagementAction, check

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
EVENT_FIELDS = (
    "kind",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "place",
    "online_link",
    "capacity",
    "eligible_tiers",
    "eligible_segments",
)


def new_check_in_code() -> str:
    """Eight characters without look-alikes (no 0/O, 1/I): read aloud, typed or scanned."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").upper()[: CODE_LENGTH * 2]


@transaction.atomic
def event_create(*, actor, branch, **values) -> Event:
    """Create an event of `branch` (values: EVENT_FIELDS; lessons are added with lesson_add).

    Raise PermissionDenied unless `actor` may manage the branch's events; ValidationError (by
    field) for an end before the start, a start in the past, neither place nor online link,
    or a capacity outside 1..100000.
    """
    check(actor, EngagementAction.MANAGE_EVENTS, branch)
    if branch is None:
        raise ValidationError({"branch": _("Events are organised by a branch; you have none.")})
    unknown = set(values) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")
    event = Event(branch=branch, created_by=actor, status=EventStatus.PUBLISHED, **values)
    errors = {}
    if event.starts_at and event.starts_at < timezone.now() - datetime.timedelta(minutes=5):
        errors["starts_at"] = _("Choose a start that has not passed.")
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        errors["ends_at"] = _("The event must end after it starts.")
    if not (event.place or "").strip() and not (event.online_link or "").strip():
        errors["place"] = _("Give a place or an online link.")
    if errors:
        raise ValidationError(errors)
    event.full_clean()
    event.save()
    audit_record(
        actor=actor,
        action="event.created",
        object_type="loyalty.event",
        object_id=event.pk,
        extra={"branch": branch.pk, "kind": event.kind},
    )
    return event


@transaction.atomic
def lesson_add(*, actor, event: Event, title: str) -> Lesson:
    """Add a lesson at the end of a course. Raise PermissionDenied unless `actor` may manage the
    branch's events; ValidationError for an event that is not a course or an empty title."""
    check(actor, EngagementAction.MANAGE_EVENTS, event.branch)
    if event.kind != EventKind.COURSE:
        raise ValidationError({"title": _("Only an online course has lessons.")})
    if not (title or "").strip():
        raise ValidationError({"title": _("Give the lesson a title.")})
    event = Event.objects.select_for_update().get(pk=event.pk)
    position = (event.lessons.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    lesson = Lesson(event=event, position=position, title=title.strip())
    lesson.full_clean()
    lesson.save()
    return lesson


def _open_event(event: Event) -> Event:
    locked = Event.objects.select_for_update().select_related("branch").get(pk=event.pk)
    if locked.status != EventStatus.PUBLISHED:
        raise ValidationError({"event": _("This event is not open for registration.")})
    if locked.ends_at <= timezone.now():
        raise ValidationError({"event": _("This event is over.")})
    return locked


@transaction.atomic
def event_invite(
    *, actor, event: Event, customer: Customer, channel: str = ContactChannel.EMAIL
) -> tuple[EventInvitation, outreach.ContactDecision | None]:
    """Invite `customer` to `event` through the contact-pressure policy (purpose events), once:
    a second invitation returns the first and asks nothing (decision None). A refusal is
    recorded on the invitation with its code and returned for the caller to show.

    Raise PermissionDenied unless `actor` may register the customer for events;
    ValidationError for an event not open, or a customer it is not for.
    """
    check(actor, EngagementAction.REGISTER_FOR_EVENT, customer)
    event = _open_event(event)
    reason = ineligibility(event, customer)
    if reason:
        raise ValidationError({"customer": reason})
    existing = EventInvitation.objects.filter(event=event, customer=customer).first()
    if existing is not None:
        return existing, None
    decision = outreach.contact_request(
        actor=actor,
        customer=customer,
        channel=channel,
        purpose=ContactPurpose.EVENTS,
        reason=f"Event invitation ({event.kind})",
        sender=outreach.ContactSender(kind=SenderKind.EVENT_INVITATION, id=str(event.pk)),
    )
    invitation = EventInvitation.objects.create(
        event=event,
        customer=customer,
        channel=channel,
        invited_by=actor,
        invited_at=timezone.now(),
        status=InvitationStatus.SENT if decision.allowed else InvitationStatus.REFUSED,
        refusal_code="" if decision.allowed else decision.code,
    )
    audit_record(
        actor=actor,
        action="event.invited",
        object_type="loyalty.event",
        object_id=event.pk,
        extra={"customer": customer.pk, "outcome": invitation.status},
    )
    return invitation, decision


def _insert_registration(**values) -> EventRegistration:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return EventRegistration.objects.create(check_in_code=new_check_in_code(), **values)
        except IntegrityError as error:
            if "event_registration_code" not in str(error):
                raise
    raise ValidationError({"event": _("Please try again.")})


@transaction.atomic
def registration_create(*, actor, event: Event, customer: Customer) -> EventRegistration:
    """Register `customer` for `event`: a seat while there are seats, else a place on the
    waiting list, in the order of registration. Each registration has its check-in code.

    Raise PermissionDenied unless `actor` may register the customer; ValidationError for an
    event not open or over, a customer it is not for, or one already registered.
    """
    check(actor, EngagementAction.REGISTER_FOR_EVENT, customer)
    event = _open_event(event)
    reason = ineligibility(event, customer)
    if reason:
        raise ValidationError({"customer": reason})
    live = EventRegistration.objects.filter(event=event, status__in=LIVE_REGISTRATION)
    if live.filter(customer=customer).exists():
        raise ValidationError({"customer": _("This customer is already registered for this event.")})
    seated = live.filter(status__in=SEATED).count()
    status = RegistrationStatus.REGISTERED if seated < event.capacity else RegistrationStatus.WAITLISTED
    registration = _insert_registration(
        event=event, customer=customer, status=status, registered_by=actor, registered_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action="event_registration.created",
        object_type="loyalty.eventregistration",
        object_id=registration.pk,
        extra={"event": event.pk, "customer": customer.pk, "status": status},
    )
    return registration


@transaction.atomic
def registration_cancel(*, actor, registration: EventRegistration) -> EventRegistration:
    """Cancel a registration; a freed seat goes to the first on the waiting list.

    Raise PermissionDenied unless `actor` may register the customer; ValidationError for a
    registration already cancelled or attended.
    """
    check(actor, EngagementAction.REGISTER_FOR_EVENT, registration.customer)
    Event.objects.select_for_update().filter(pk=registration.event_id).get()
    registration = EventRegistration.objects.select_for_update().get(pk=registration.pk)
    if registration.status not in (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED):
        raise ValidationError({"registration": _("Only a registration not yet attended can be cancelled.")})
    freed = registration.status == RegistrationStatus.REGISTERED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    promoted = None
    if freed:
        promoted = (
            EventRegistration.objects.filter(
                event_id=registration.event_id, status=RegistrationStatus.WAITLISTED
            )
            .order_by("registered_at", "pk")
            .first()
        )
        if promoted is not None:
            promoted.status = RegistrationStatus.REGISTERED
            promoted.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="event_registration.cancelled",
        object_type="loyalty.eventregistration",
        object_id=registration.pk,
        extra={"event": registration.event_id, "promoted": promoted.pk if promoted else None},
    )
    return registration


def _attended(registration: EventRegistration, event: Event, at: datetime.datetime, activity: str) -> None:
    channel = Channel.ONLINE_BANKING if event.online_link and not event.place else Channel.BRANCH
    if activity == Activity.COURSE_COMPLETED:
        summary = _("Completed the course: %(title)s") % {"title": event.title}
    else:
        summary = _("Attended %(kind)s: %(title)s") % {
            "kind": EventKind(event.kind).label,
            "title": event.title,
        }
    services.interaction_log_for_system(
        customer=registration.customer,
        system="events",
        channel=channel,
        interaction_type=InteractionType.SERVICE,
        summary=summary,
        external_reference=f"event-registration:{registration.pk}",
        occurred_at=at,
    )
    award_points(registration.customer, activity, f"event-registration:{registration.pk}", at)


@transaction.atomic
def check_in(*, actor, event: Event, code: str) -> EventRegistration:
    """Check in the holder of `code` at `event` (typed, or read from the customer's phone).

    Raise PermissionDenied unless `actor` may manage the event's branch's events;
    ValidationError ("code") for a code of no registration of this event, a cancelled or
    waiting-list registration, or one already checked in.
    """
    check(actor, EngagementAction.MANAGE_EVENTS, event.branch)
    registration = (
        EventRegistration.objects.select_for_update(of=("self",))
        .select_related("customer", "event")
        .filter(event_id=event.pk, check_in_code=normalise_code(code))
        .first()
    )
    if registration is None:
        raise ValidationError({"code": _("No registration for this event has this code.")})
    if registration.status == RegistrationStatus.ATTENDED:
        raise ValidationError(
            {
                "code": _("Already checked in at %(time)s.")
                % {"time": timezone.localtime(registration.checked_in_at).strftime("%H:%M")}
            }
        )
    if registration.status != RegistrationStatus.REGISTERED:
        raise ValidationError(
            {
                "code": _("This registration is %(status)s: no seat to check in to.")
                % {"status": RegistrationStatus(registration.status).label.lower()}
            }
        )
    now = timezone.now()
    registration.status = RegistrationStatus.ATTENDED
    registration.checked_in_at = now
    registration.checked_in_by = actor
    registration.save(update_fields=["status", "checked_in_at", "checked_in_by"])
    _attended(registration, registration.event, now, Activity.EVENT_ATTENDED)
    audit_record(
        actor=actor,
        action="event_registration.checked_in",
        object_type="loyalty.eventregistration",
        object_id=registration.pk,
        extra={"event": event.pk, "customer": registration.customer_id},
    )
    return registration


@transaction.atomic
def lesson_complete(*, actor, registration: EventRegistration, lesson: Lesson) -> EventRegistration:
    """Record that the customer completed `lesson` of the course they are registered for; with
    the last lesson the course is completed (attended, on the timeline, points earned once).

    Raise PermissionDenied unless `actor` may manage the course's branch's events;
    ValidationError for a lesson of another course or a registration without a seat.
    """
    check(actor, EngagementAction.MANAGE_EVENTS, registration.event.branch)
    registration = (
        EventRegistration.objects.select_for_update(of=("self",))
        .select_related("customer", "event")
        .get(pk=registration.pk)
    )
    if lesson.event_id != registration.event_id:
        raise ValidationError({"lesson": _("This lesson belongs to another course.")})
    if registration.status not in SEATED:
        raise ValidationError({"lesson": _("Only a registered customer completes lessons.")})
    now = timezone.now()
    LessonCompletion.objects.get_or_create(
        registration=registration, lesson=lesson, defaults={"completed_at": now, "recorded_by": actor}
    )
    total = Lesson.objects.filter(event_id=registration.event_id).count()
    done = registration.lessons_done.count()
    if registration.completed_at is None and done >= total:
        registration.completed_at = now
        registration.status = RegistrationStatus.ATTENDED
        registration.save(update_fields=["completed_at", "status"])
        _attended(registration, registration.event, now, Activity.COURSE_COMPLETED)
    audit_record(
        actor=actor,
        action="lesson.completed",
        object_type="loyalty.eventregistration",
        object_id=registration.pk,
        extra={"lesson": lesson.pk, "customer": registration.customer_id},
    )
    return registration


def event_invite_eligible(*, event_id: int, channel: str = ContactChannel.EMAIL, limit: int = 5000) -> dict:
    """The bank's own sender (no actor): invite the active customers of the event's branch it
    is for who have no invitation yet, each through the contact-pressure policy in its own
    transaction. Safe to rerun (once per customer and event). Return counts by outcome."""
    event = Event.objects.select_related("branch").get(pk=event_id)
    counts = {"sent": 0, "refused": 0}
    if event.status != EventStatus.PUBLISHED or event.ends_at <= timezone.now():
        return counts
    candidates = Customer.objects.filter(
        home_branch_id=event.branch_id, merged_into__isnull=True, status="active"
    ).exclude(event_invitations__event_id=event.pk)
    if event.eligible_segments:
        candidates = candidates.filter(segment__in=event.eligible_segments)
    for customer in candidates.order_by("pk")[:limit]:
        if ineligibility(event, customer):
            continue
        with transaction.atomic():
            decision = outreach.contact_request(
                actor=None,
                customer=customer,
                channel=channel,
                purpose=ContactPurpose.EVENTS,
                reason=f"Event invitation ({event.kind})",
                sender=outreach.ContactSender(kind=SenderKind.EVENT_INVITATION, id=str(event.pk)),
            )
            _invitation, created = EventInvitation.objects.get_or_create(
                event=event,
                customer=customer,
                defaults={
                    "channel": channel,
                    "invited_at": timezone.now(),
                    "status": InvitationStatus.SENT if decision.allowed else InvitationStatus.REFUSED,
                    "refusal_code": "" if decision.allowed else decision.code,
                },
            )
        if created:
            counts["sent" if decision.allowed else "refused"] += 1
    return counts
