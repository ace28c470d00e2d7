"""The rewards catalogue and redemptions."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models import Segment
from loyalty.models.points import PointsEntry
from loyalty.models.tiers import Tier


class Reward(models.Model):
    """A reward customers may redeem points for: its cost, the stock left (null: unlimited),
    the dates it may be redeemed on, and who may have it (eligible tiers and segments; empty:
    everyone). Changed through `loyalty.rewards.reward_save`."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=500, blank=True)
    points_cost = models.PositiveIntegerField(_("points"), validators=[MinValueValidator(1),
                                                                      MaxValueValidator(10_000_000)])
    stock = models.PositiveIntegerField(_("stock"), null=True, blank=True,
                                        help_text=_("Empty for unlimited."))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    eligible_tiers = models.ManyToManyField(Tier, blank=True, related_name="+",
                                            verbose_name=_("eligible tiers"))
    eligible_segments = ArrayField(models.CharField(max_length=16, choices=Segment.choices), default=list,
                                   blank=True, verbose_name=_("eligible segments"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["points_cost", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__isnull=True) | Q(stock__gte=0),
                                   name="reward_stock_not_negative"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="reward_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RedemptionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled")


class Redemption(models.Model):
    """Points spent on a reward: requested (points debited, stock taken), then fulfilled, or
    cancelled (the points come back as a new lot, the stock is returned)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="redemptions",
                                 verbose_name=_("customer"))
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions",
                               verbose_name=_("reward"))
    points = models.PositiveIntegerField(_("points"))
    status = models.CharField(_("status"), max_length=10, choices=RedemptionStatus.choices)
    entry = models.OneToOneField(PointsEntry, on_delete=models.PROTECT, related_name="redemption",
                                 verbose_name=_("debit"))
    refund_entry = models.OneToOneField(PointsEntry, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="refunded_redemption", verbose_name=_("refund"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("fulfilled or cancelled by"))
    decided_at = models.DateTimeField(_("fulfilled or cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        indexes = [models.Index(fields=["customer", "-requested_at"], name="redemption_history"),
                   models.Index(fields=["requested_at"], condition=Q(status="requested"),
                                name="redemption_open")]
        constraints = [
            models.CheckConstraint(condition=~Q(status="cancelled") | Q(refund_entry__isnull=False),
                                   name="redemption_cancelled_refunded"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.reward_id} {self.status}"
