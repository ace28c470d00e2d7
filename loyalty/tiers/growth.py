"""A customer's growth plan: the next tier up, what is missing for it (points over 12 months,
average AUM, products on the way) and the milestones to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from customers.models import Customer, Holding, HoldingStatus, ProductType
from loyalty.models import Tier, TierMembership


@dataclass(frozen=True)
class Milestone:
    """One step to the next tier: what (`kind` points / aum / product), the target, where the
    customer is, and whether it is met."""

    kind: str
    label: str
    target: str
    current: str
    met: bool


@dataclass(frozen=True)
class GrowthPlan:
    """The customer's tier, the next one (None at the top), what is missing and the milestones."""

    tier: Tier | None
    next_tier: Tier | None
    points_12m: int
    average_aum: Decimal
    missing_points: int
    missing_aum: Decimal
    missing_products: list[str]
    milestones: list[Milestone] = field(default_factory=list)

    @property
    def progress(self) -> int:
        """Milestones met, as a whole percentage."""
        if not self.milestones:
            return 100
        return round(100 * sum(1 for item in self.milestones if item.met) / len(self.milestones))


def growth_plan(customer: Customer, *, points_12m: int | None = None,
                average_aum: Decimal | None = None) -> GrowthPlan:
    """The growth plan of `customer` from the latest review's figures (or those given). No
    access check: callers ask the policy (VIEW_POINTS) first."""
    from django.utils.translation import gettext as _

    membership = TierMembership.objects.select_related("tier").filter(customer_id=customer.pk).first()
    tier = membership.tier if membership else None
    points = points_12m if points_12m is not None else (membership.points_12m if membership else 0)
    aum = average_aum if average_aum is not None else (membership.average_aum if membership else customer.aum)
    rank = tier.rank if tier else -1
    next_tier = Tier.objects.filter(is_active=True, rank__gt=rank).order_by("rank").first()
    if next_tier is None:
        return GrowthPlan(tier, None, points, aum, 0, Decimal("0"), [], [])
    held = set(Holding.objects.filter(customer_id=customer.pk, status=HoldingStatus.ACTIVE)
               .values_list("product_type", flat=True))
    missing_products = [product for product in next_tier.required_products if product not in held]
    labels = dict(ProductType.choices)
    milestones = [
        Milestone("points", _("Points earned in 12 months"), f"{next_tier.min_points:,}", f"{points:,}",
                  points >= next_tier.min_points),
        Milestone("aum", _("Average assets under management"), f"{next_tier.min_aum:,.0f}", f"{aum:,.0f}",
                  aum >= next_tier.min_aum),
        *[Milestone("product", str(labels.get(product, product)), _("held"),
                    _("held") if product in held else _("not yet"), product in held)
          for product in next_tier.required_products],
    ]
    return GrowthPlan(tier=tier, next_tier=next_tier, points_12m=points, average_aum=aum,
                      missing_points=max(next_tier.min_points - points, 0),
                      missing_aum=max(next_tier.min_aum - aum, Decimal("0")),
                      missing_products=missing_products, milestones=milestones)
