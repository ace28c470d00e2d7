"""Membership tiers, each customer's current tier, the monthly AUM samples the qualification
averages, and the history of tier changes."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, ProductType


class Tier(models.Model):
    """A membership tier. A customer qualifies when, over the rolling 12 months, they earned at
    least `min_points` and their average AUM is at least `min_aum` (both, not the current
    balance); the highest-ranked tier they qualify for is theirs. `multiplier` scales earns
    under rules with the tier multiplier. `required_products` are products a growth plan asks
    for on the way (advice, not a condition). Changed through `loyalty.tiers.tier_save`."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True,
                                            help_text=_("Higher ranks are better tiers."))
    min_points = models.PositiveIntegerField(_("points earned in 12 months"), default=0)
    min_aum = models.DecimalField(_("average AUM over 12 months"), max_digits=20, decimal_places=2,
                                  default=Decimal("0"), validators=[MinValueValidator(0)])
    multiplier = models.DecimalField(_("earning multiplier"), max_digits=4, decimal_places=2,
                                     default=Decimal("1.00"),
                                     validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(10)])
    required_products = ArrayField(models.CharField(max_length=20, choices=ProductType.choices),
                                   default=list, blank=True, verbose_name=_("products on the way"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


class TierMembership(models.Model):
    """A customer's current tier (null: none yet) and what the latest monthly review found:
    the figures it qualified on and, while they fall short of the current tier, since when
    (a downgrade waits LOYALTY_TIER_DOWNGRADE_GRACE_DAYS from then)."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, primary_key=True,
                                    related_name="tier_membership", verbose_name=_("customer"))
    tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("tier"))
    since = models.DateField(_("since"))
    qualified_tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", verbose_name=_("qualifies for"))
    points_12m = models.BigIntegerField(_("points earned in 12 months"), default=0)
    average_aum = models.DecimalField(_("average AUM"), max_digits=20, decimal_places=2, default=Decimal("0"))
    below_since = models.DateField(_("below the tier since"), null=True, blank=True)
    reviewed_on = models.DateField(_("reviewed"))

    class Meta:
        verbose_name = _("tier membership")
        verbose_name_plural = _("tier memberships")
        indexes = [models.Index(fields=["tier"], name="tier_membership_tier")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.tier_id}"


class AumSample(models.Model):
    """A customer's AUM on the day of a monthly review; qualification averages the last 12."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    aum = models.DecimalField(max_digits=20, decimal_places=2)

    class Meta:
        verbose_name = _("AUM sample")
        verbose_name_plural = _("AUM samples")
        constraints = [models.UniqueConstraint(fields=["customer", "month"], name="aum_sample_once_a_month")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.month}"


class TierChangeKind(models.TextChoices):
    JOINED = "joined", _("Joined")
    UPGRADE = "upgrade", _("Upgraded")
    DOWNGRADE = "downgrade", _("Downgraded")


class TierChange(models.Model):
    """A change of a customer's tier made by a monthly review, shown to the RM on the customer
    page. Once per customer per review (`reviewed_on`). `announced_at`: when it was put on the
    customer's timeline and the customer was told (loyalty.tiers.announce)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="tier_changes",
                                 verbose_name=_("customer"))
    kind = models.CharField(_("change"), max_length=10, choices=TierChangeKind.choices)
    from_tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("from"))
    to_tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("to"))
    reviewed_on = models.DateField(_("review"))
    announced_at = models.DateTimeField(_("announced"), null=True, blank=True)

    class Meta:
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")
        indexes = [models.Index(fields=["customer", "-reviewed_on"], name="tier_change_history"),
                   models.Index(fields=["id"], condition=Q(announced_at__isnull=True),
                                name="tier_change_unannounced")]
        constraints = [
            models.UniqueConstraint(fields=["customer", "reviewed_on"], name="tier_change_once_per_review"),
            models.CheckConstraint(condition=~Q(from_tier=models.F("to_tier")) | Q(from_tier__isnull=True),
                                   name="tier_change_changes"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind} {self.reviewed_on}"
