"""The points ledger: one account per customer, lots of earned points with their own expiry,
signed entries for every change, and the rows saying which lots each debit consumed.

The ledger is the truth. `PointsAccount.balance` is a cached sum kept in the same transaction
as every entry (it is the row the ledger services lock); `loyalty_check` verifies nightly that
the balance, the sum of the entries and the sum of the lots' remaining points agree.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from customers.models import Customer


class PointsAccount(models.Model):
    """A customer's points account: the row every ledger write locks first (SELECT ... FOR
    UPDATE, in primary-key order when several are locked), and the cached balance."""

    customer = models.OneToOneField(Customer, on_delete=models.PROTECT, related_name="points_account",
                                    verbose_name=_("customer"))
    balance = models.BigIntegerField(_("balance"), default=0)
    opened_at = models.DateTimeField(_("opened"))

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="points_account_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.balance}"


class EntryKind(models.TextChoices):
    EARN = "earn", _("Earned")
    REDEEM = "redeem", _("Redeemed")
    EXPIRE = "expire", _("Expired")
    ADJUST = "adjust", _("Adjusted")
    REVERSE = "reverse", _("Reversed")
    REFUND = "refund", _("Refunded")


# Kinds that count as points earned (tier qualification, "earned in a window", earning limits):
# an earn, and the reversal of one.
EARNED_KINDS = (EntryKind.EARN, EntryKind.REVERSE)


class EarningRule(models.Model):
    """How many points an activity earns. `activity` is the code other systems and apps report
    ("product:term_deposit", "event_attendance", "survey_completed", "birthday", ...).
    `points` per occurrence, plus `points_per_unit` for each whole `unit_amount` of the
    reported amount (a product activity's value); the earn is multiplied by the customer's tier
    multiplier when `tier_multiplier` is set. At most `limit_points` per customer in any
    `limit_days` days (both empty: no limit). Changed through `loyalty.points.rules`."""

    activity = models.CharField(_("activity"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    points = models.PositiveIntegerField(_("points per occurrence"), default=0,
                                         validators=[MaxValueValidator(1_000_000)])
    points_per_unit = models.PositiveIntegerField(_("points per unit of amount"), default=0,
                                                  validators=[MaxValueValidator(1_000_000)])
    unit_amount = models.DecimalField(_("unit of amount"), max_digits=14, decimal_places=2, null=True,
                                      blank=True, validators=[MinValueValidator(1)])
    validity_days = models.PositiveSmallIntegerField(
        _("valid for (days)"), default=730, validators=[MinValueValidator(1), MaxValueValidator(3660)])
    tier_multiplier = models.BooleanField(_("apply the tier multiplier"), default=True)
    limit_points = models.PositiveIntegerField(_("limit (points)"), null=True, blank=True)
    limit_days = models.PositiveSmallIntegerField(_("limit period (days)"), null=True, blank=True,
                                                  validators=[MinValueValidator(1), MaxValueValidator(366)])
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("earning rule")
        verbose_name_plural = _("earning rules")
        ordering = ["activity"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(limit_points__isnull=True) & Q(limit_days__isnull=True))
                | (Q(limit_points__isnull=False) & Q(limit_days__isnull=False)),
                name="earning_rule_limit_complete",
            ),
            models.CheckConstraint(condition=Q(points_per_unit=0) | Q(unit_amount__isnull=False),
                                   name="earning_rule_unit_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.activity}: {self.name}"


class PointsEntry(models.Model):
    """One signed change to an account: earned (+), redeemed (-), expired (-), adjusted (±),
    reversed (- for an earn taken back) or refunded (+ for a cancelled redemption). Never
    changed or deleted. `reference` is the caller's reference (a core-banking transaction, an
    event registration); `reverses` the earn a reversal takes back."""

    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="entries",
                                verbose_name=_("account"))
    kind = models.CharField(_("kind"), max_length=8, choices=EntryKind.choices)
    points = models.BigIntegerField(_("points"))
    activity = models.CharField(_("activity"), max_length=40, blank=True)
    rule = models.ForeignKey(EarningRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("earning rule"))
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    reverses = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("reverses"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("by"))
    occurred_at = models.DateTimeField(_("occurred"))
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        indexes = [
            models.Index(fields=["account", "-occurred_at", "-id"], name="points_entry_history"),
            models.Index(fields=["account", "kind", "occurred_at"], name="points_entry_window"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="points_entry_not_zero"),
            models.CheckConstraint(
                condition=(Q(kind__in=["earn", "refund"]) & Q(points__gt=0))
                | (Q(kind__in=["redeem", "expire", "reverse"]) & Q(points__lt=0))
                | Q(kind="adjust"),
                name="points_entry_sign",
            ),
            # An earn is taken back once.
            models.UniqueConstraint(fields=["reverses"], condition=Q(reverses__isnull=False),
                                    name="points_entry_reversed_once"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.kind} {self.points:+d}"


class PointsLot(models.Model):
    """Points credited together (an earn, a positive adjustment, a refund), with what is left
    of them and when they expire. Debits consume lots oldest expiry first."""

    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="lots",
                                verbose_name=_("account"))
    entry = models.OneToOneField(PointsEntry, on_delete=models.PROTECT, related_name="lot",
                                 verbose_name=_("credited by"))
    original = models.BigIntegerField(_("points credited"))
    remaining = models.BigIntegerField(_("points remaining"))
    earned_at = models.DateTimeField(_("earned"))
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        verbose_name = _("points lot")
        verbose_name_plural = _("points lots")
        indexes = [
            # FIFO consumption and the expiry batches, by account: only lots with points left.
            models.Index(fields=["account", "expires_at", "id"], condition=Q(remaining__gt=0),
                         name="points_lot_open"),
            models.Index(fields=["expires_at"], condition=Q(remaining__gt=0), name="points_lot_expiring"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(original__gt=0), name="points_lot_original_positive"),
            models.CheckConstraint(condition=Q(remaining__gte=0), name="points_lot_remaining_not_negative"),
            models.CheckConstraint(condition=Q(remaining__lte=F("original")),
                                   name="points_lot_remaining_within_original"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.remaining}/{self.original} until {self.expires_at:%Y-%m-%d}"


class LotConsumption(models.Model):
    """`points` of `lot` taken by the debit `entry` (a redemption, an expiry, a negative
    adjustment or a reversal)."""

    entry = models.ForeignKey(PointsEntry, on_delete=models.PROTECT, related_name="consumptions")
    lot = models.ForeignKey(PointsLot, on_delete=models.PROTECT, related_name="consumptions")
    points = models.BigIntegerField()

    class Meta:
        verbose_name = _("lot consumption")
        verbose_name_plural = _("lot consumptions")
        indexes = [models.Index(fields=["lot"], name="lot_consumption_lot")]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="lot_consumption_positive"),
            models.UniqueConstraint(fields=["entry", "lot"], name="lot_consumption_once"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} <- {self.lot_id}: {self.points}"


class PointsRequest(models.Model):
    """A caller's idempotency key for a ledger write: `source` says whose keys these are
    ("activity" for award_activity's (activity, reference), "core_banking", "api:<user id>",
    ...), `request_hash` what was asked. The same key again returns `entry`'s result; the same
    key with another request is refused (loyalty.points.IdempotencyConflict)."""

    source = models.CharField(max_length=60)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(PointsEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("points request")
        verbose_name_plural = _("points requests")
        constraints = [models.UniqueConstraint(fields=["source", "key"], name="points_request_key_once")]

    def __str__(self) -> str:
        return f"{self.source} {self.key}"


class AdjustmentReason(models.TextChoices):
    GOODWILL = "goodwill", _("Goodwill gesture")
    CORRECTION = "correction", _("Correction of an error")
    COMPLAINT = "complaint", _("Complaint compensation")
    MIGRATION = "migration", _("Migration from another programme")


class AdjustmentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPLIED = "applied", _("Applied")
    REJECTED = "rejected", _("Rejected")


class PointsAdjustment(models.Model):
    """A manual adjustment of a customer's points, proposed by one person. At or below the
    configured size (LOYALTY_ADJUSTMENT_APPROVAL_ABOVE) it is applied at once; above it waits
    for a second person (never the proposer) to approve or reject it. The reason is a code,
    not free text, so the record carries no personal data."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="points_adjustments",
                                 verbose_name=_("customer"))
    points = models.BigIntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=12, choices=AdjustmentReason.choices)
    reference = models.CharField(_("reference"), max_length=64, blank=True,
                                 help_text=_("A ticket or complaint number, not personal data."))
    status = models.CharField(_("status"), max_length=8, choices=AdjustmentStatus.choices)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("proposed by"))
    proposed_at = models.DateTimeField(_("proposed"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    entry = models.OneToOneField(PointsEntry, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="adjustment", verbose_name=_("entry"))

    class Meta:
        verbose_name = _("points adjustment")
        verbose_name_plural = _("points adjustments")
        indexes = [models.Index(fields=["proposed_at"], condition=Q(status="pending"),
                                name="points_adjustment_queue")]
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="points_adjustment_not_zero"),
            # Four eyes: whoever decides a pending adjustment is not whoever proposed it.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="points_adjustment_four_eyes",
            ),
            models.CheckConstraint(condition=~Q(status="applied") | Q(entry__isnull=False),
                                   name="points_adjustment_applied_has_entry"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.points:+d} {self.status}"


class ExpiryReminder(models.Model):
    """One points-expiry reminder per customer per expiry window (the week the points
    expire in): asked of the contact-pressure policy once, sent or refused as it answered."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("customer"))
    window_starts_on = models.DateField(_("expiry window"))
    points = models.BigIntegerField(_("points expiring"))
    expires_at = models.DateTimeField(_("first expiry"))
    contact_log_id = models.BigIntegerField(null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, blank=True)
    refusal_code = models.CharField(_("refused because"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("points-expiry reminder")
        verbose_name_plural = _("points-expiry reminders")
        constraints = [models.UniqueConstraint(fields=["customer", "window_starts_on"],
                                               name="expiry_reminder_once_per_window")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.window_starts_on}: {self.outcome or 'pending'}"
