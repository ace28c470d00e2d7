"""Relationship care: contact plans per segment, life-event trigger rules, the follow-ups they
create, appointments, in-portal notifications and the AUM snapshots the drop trigger compares.

A follow-up is created once per customer per cycle: `cycle_key` names the plan period or the
event ("plan:3:2026-12-01", "maturity:812:2027-01-12") and a unique constraint on (customer,
cycle_key) makes a rerun, a concurrent run or a retry after a crash insert nothing twice.
The reason a follow-up exists is stored as a code with non-identifying parameters (a product
type, an account's mask, a date), so the worklist can say why without decrypting anything.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compliance.fields import EncryptedTextField, RecordKeyField
from customers.models.party import Channel, Customer, Segment
from customers.models.relations import Interaction, NeedType


class ContactPlan(models.Model):
    """How often customers of a segment are visited or called, and on which channel.

    Exactly one of `interval_days` and `interval_months` is set. One active plan per segment;
    a segment without an active plan gets no scheduled follow-ups.
    """

    segment = models.CharField(_("segment"), max_length=16, choices=Segment.choices)
    interval_days = models.PositiveSmallIntegerField(
        _("every (days)"), null=True, blank=True, validators=[MinValueValidator(7), MaxValueValidator(730)]
    )
    interval_months = models.PositiveSmallIntegerField(
        _("every (months)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.PHONE)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("contact plan")
        verbose_name_plural = _("contact plans")
        ordering = ["segment"]
        constraints = [
            models.UniqueConstraint(fields=["segment"], condition=Q(is_active=True),
                                    name="one_active_plan_per_segment"),
            models.CheckConstraint(
                condition=(Q(interval_days__isnull=True, interval_months__isnull=False)
                           | Q(interval_days__isnull=False, interval_months__isnull=True)),
                name="contact_plan_one_interval",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_segment_display()}"


class TriggerKind(models.TextChoices):
    MATURITY = "maturity", _("Product maturing")
    BIRTHDAY = "birthday", _("Birthday")
    KYC_REVIEW = "kyc_review", _("KYC review due")
    RISK_REVIEW = "risk_review", _("Risk profile review due")
    AUM_DROP = "aum_drop", _("Large drop in assets")
    DORMANT = "dormant", _("Dormant customer")


class TriggerRule(models.Model):
    """A life event that creates a follow-up, once per event.

    `days_ahead`: how far ahead an event is noticed (maturity, birthday, reviews);
    `threshold_percent`: the AUM drop (against the stored snapshot) that counts as large;
    `dormant_days`: days without contact after which a customer counts as dormant;
    `product_types`: the holdings a maturity rule watches.
    """

    kind = models.CharField(_("trigger"), max_length=16, choices=TriggerKind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    days_ahead = models.PositiveSmallIntegerField(
        _("days ahead"), default=30, validators=[MaxValueValidator(366)]
    )
    threshold_percent = models.PositiveSmallIntegerField(
        _("drop threshold (%)"), default=20, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    dormant_days = models.PositiveSmallIntegerField(
        _("dormant after (days)"), default=180, validators=[MinValueValidator(30)]
    )
    product_types = ArrayField(
        models.CharField(max_length=20), verbose_name=_("product types"), default=list, blank=True
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("trigger rule")
        verbose_name_plural = _("trigger rules")
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=Q(is_active=True),
                                    name="one_active_rule_per_trigger"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    OVERDUE = "overdue", _("Overdue")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (FollowUpStatus.OPEN, FollowUpStatus.OVERDUE)


class FollowUpOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NOT_REACHABLE = "not_reachable", _("Not reachable")
    RESCHEDULED = "rescheduled", _("Rescheduled")
    DECLINED = "declined", _("Declined")


class FollowUp(models.Model):
    """A visit or call due with a customer, from a contact plan or a life event.

    `reason` is a code (``plan`` or a TriggerKind) and `reason_data` its non-identifying
    parameters; `notes`, `next_step` and `reschedule_reason` are free text about the customer
    and stored encrypted. `assigned_to` is the customer's RM, or the delegate while a
    delegation of the RM's book runs.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="follow_ups",
                                 verbose_name=_("customer"))
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("assigned to"))
    cycle_key = models.CharField(_("cycle"), max_length=80)
    reason = models.CharField(_("reason"), max_length=16)
    reason_data = models.JSONField(_("reason details"), default=dict, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.PHONE)
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=FollowUpStatus.choices,
                              default=FollowUpStatus.OPEN)
    outcome = models.CharField(_("outcome"), max_length=16, choices=FollowUpOutcome.choices, blank=True)
    record_key = RecordKeyField()
    notes = EncryptedTextField(_("notes"), blank=True, null=True, max_length=4000)
    needs_discovered = ArrayField(
        models.CharField(max_length=24, choices=NeedType.choices), verbose_name=_("needs discovered"),
        default=list, blank=True,
    )
    next_step = EncryptedTextField(_("next step"), blank=True, null=True, max_length=1000)
    reschedule_reason = EncryptedTextField(_("reschedule reason"), blank=True, null=True, max_length=1000)
    interaction = models.ForeignKey(Interaction, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("interaction"))
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(fields=["customer", "cycle_key"], name="follow_up_once_per_cycle"),
        ]
        indexes = [
            models.Index(fields=["assigned_to", "status", "due_on"], name="follow_up_worklist"),
            models.Index(fields=["status", "due_on"], name="follow_up_status_due"),
            models.Index(fields=["customer", "status"], name="follow_up_customer_status"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.cycle_key}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Appointment(models.Model):
    """A meeting or call booked with a customer at a date, time and place."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="appointments",
                                 verbose_name=_("customer"))
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("with"))
    follow_up = models.ForeignKey(FollowUp, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="appointments", verbose_name=_("follow-up"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [models.Index(fields=["staff", "starts_at"], name="appointment_calendar")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                   name="appointment_ends_after"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.starts_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """A message in a user's portal inbox: a text (names and links only), read or not.

    `key` makes a notification idempotent ("digest:2026-12-04"): sent once per user.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=80)
    text = models.CharField(_("text"), max_length=300)
    link = models.CharField(_("link"), max_length=300, blank=True)
    is_read = models.BooleanField(_("read"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once")]
        indexes = [models.Index(fields=["user", "is_read", "-created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.key


class AumSnapshot(models.Model):
    """A customer's AUM as it was when last taken, for the large-drop trigger to compare with."""

    customer = models.OneToOneField(Customer, primary_key=True, on_delete=models.CASCADE,
                                    related_name="+")
    aum = models.DecimalField(max_digits=20, decimal_places=2)
    taken_on = models.DateField()

    class Meta:
        verbose_name = _("AUM snapshot")
        verbose_name_plural = _("AUM snapshots")

    def __str__(self) -> str:
        return f"{self.customer_id} {self.taken_on}"
