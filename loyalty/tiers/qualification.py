"""Which tier a customer holds, and which one figures qualify for."""

from __future__ import annotations

from decimal import Decimal

from customers.models import Customer
from loyalty.models import Tier, TierMembership


def current_tier(customer: Customer) -> Tier | None:
    """The tier `customer` holds now (set by the monthly review), or None."""
    membership = (TierMembership.objects.select_related("tier").filter(customer_id=customer.pk)
                  .only("tier").first())
    return membership.tier if membership is not None else None


def qualifying_tier(*, points_12m: int, average_aum: Decimal, tiers: list[Tier] | None = None) -> Tier | None:
    """The highest-ranked active tier whose thresholds (points earned over 12 months AND
    average AUM over 12 months) the figures meet, or None. Meeting a threshold exactly
    qualifies."""
    tiers = tiers if tiers is not None else list(Tier.objects.filter(is_active=True))
    met = [tier for tier in tiers if tier.is_active and points_12m >= tier.min_points
           and average_aum >= tier.min_aum]
    return max(met, key=lambda tier: tier.rank) if met else None
