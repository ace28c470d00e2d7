"""Exclusive events and financial education: events (with a place or an online link, a capacity
and who is eligible), invitations sent through the contact-pressure policy, registrations with
a waiting list and a check-in code, and the lessons of an online course.

A customer holds at most one live registration per event (a partial unique constraint), and
registering takes the event's row lock, so two staff filling the last seat at once cannot
both get it: the second lands on the waiting list.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from crm.models import Branch
from customers.models import Customer, Segment


class EventKind(models.TextChoices):
    EXCLUSIVE = "exclusive", _("Exclusive event")
    LECTURE = "lecture", _("Financial-education lecture")
    FRAUD_AWARENESS = "fraud_awareness", _("Fraud-awareness session")
    COURSE = "course", _("Online course")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Open for registration")
    CANCELLED = "cancelled", _("Cancelled")


class Event(models.Model):
    """An event organised by a branch: a date, a place or an online link, a capacity (seats),
    and eligibility by tier codes and segments (empty: everyone). An online course has lessons;
    its capacity is the number of places on it."""

    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    eligible_tiers = ArrayField(
        models.CharField(max_length=16), verbose_name=_("eligible tiers"), default=list, blank=True
    )
    eligible_segments = ArrayField(
        models.CharField(max_length=16, choices=Segment.choices),
        verbose_name=_("eligible segments"),
        default=list,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.PUBLISHED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["branch", "starts_at"], name="event_branch_calendar")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after"),
            models.CheckConstraint(condition=~Q(place="") | ~Q(online_link=""), name="event_has_place"),
        ]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    """One lesson of an online course, in order."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("course")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["event", "position"]
        constraints = [models.UniqueConstraint(fields=["event", "position"], name="lesson_position")]

    def __str__(self) -> str:
        return f"{self.event_id}#{self.position} {self.title}"


class InvitationStatus(models.TextChoices):
    SENT = "sent", _("Invited")
    REFUSED = "refused", _("Not contacted")


class EventInvitation(models.Model):
    """An invitation to an event, once per customer and event, as the contact-pressure policy
    answered it (sent, or refused with its code)."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("event")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="event_invitations", verbose_name=_("customer")
    )
    status = models.CharField(_("status"), max_length=8, choices=InvitationStatus.choices)
    refusal_code = models.CharField(_("refused because"), max_length=20, blank=True)
    channel = models.CharField(_("channel"), max_length=12)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invited by"),
    )
    invited_at = models.DateTimeField(_("invited"))

    class Meta:
        verbose_name = _("event invitation")
        verbose_name_plural = _("event invitations")
        constraints = [models.UniqueConstraint(fields=["event", "customer"], name="event_invitation_once")]

    def __str__(self) -> str:
        return f"{self.event_id} {self.customer_id} {self.status}"


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITLISTED = "waitlisted", _("On the waiting list")
    ATTENDED = "attended", _("Attended")
    CANCELLED = "cancelled", _("Cancelled")


LIVE_REGISTRATION = (
    RegistrationStatus.REGISTERED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.ATTENDED,
)
SEATED = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)


class EventRegistration(models.Model):
    """A customer's place at an event: registered (a seat), waitlisted (in order of
    `registered_at`, promoted when a seat frees), attended (checked in at the door with
    `check_in_code`, or all lessons of a course completed) or cancelled."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("event")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="event_registrations", verbose_name=_("customer")
    )
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices)
    check_in_code = models.CharField(_("check-in code"), max_length=12)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    registered_at = models.DateTimeField(_("registered"))
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checked in by"),
    )
    completed_at = models.DateTimeField(_("course completed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("event registration")
        verbose_name_plural = _("event registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "customer"],
                condition=~Q(status="cancelled"),
                name="event_registration_one_live",
            ),
            models.UniqueConstraint(fields=["event", "check_in_code"], name="event_registration_code"),
        ]
        indexes = [
            models.Index(fields=["event", "status", "registered_at"], name="event_registration_queue"),
            models.Index(fields=["customer", "-registered_at"], name="event_registration_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.customer_id} {self.status}"


class LessonCompletion(models.Model):
    """A lesson of a course completed by a registered customer (once)."""

    registration = models.ForeignKey(
        EventRegistration,
        on_delete=models.CASCADE,
        related_name="lessons_done",
        verbose_name=_("registration"),
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+", verbose_name=_("lesson"))
    completed_at = models.DateTimeField(_("completed"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("lesson completion")
        verbose_name_plural = _("lesson completions")
        constraints = [
            models.UniqueConstraint(fields=["registration", "lesson"], name="lesson_completion_once")
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.lesson_id}"
