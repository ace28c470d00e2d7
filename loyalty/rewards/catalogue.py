"""Which rewards a customer may have, and saving the catalogue."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from compliance.audit import audit_record
from customers.models import Customer
from loyalty import permissions
from loyalty.models import Reward, TierMembership
from loyalty.permissions import LoyaltySettingsAction

REWARD_FIELDS = ("code", "name", "description", "points_cost", "stock", "valid_from", "valid_until",
                 "eligible_segments", "is_active")


def _current_tier_id(customer_id: int) -> int | None:
    return TierMembership.objects.filter(customer_id=customer_id).values_list("tier_id", flat=True).first()


def rewards_available(*, customer: Customer, today: datetime.date | None = None) -> QuerySet:
    """The active rewards `customer` may redeem today: in their validity, in stock, and open
    to their tier and segment (a reward naming no tiers or no segments is open to all)."""
    today = today or timezone.localdate()
    tier_id = _current_tier_id(customer.pk)
    rewards = (Reward.objects.filter(is_active=True)
               .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
               .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
               .filter(Q(stock__isnull=True) | Q(stock__gt=0))
               .filter(Q(eligible_segments=[]) | Q(eligible_segments__contains=[customer.segment])))
    tiered = Reward.eligible_tiers.through.objects.filter(reward_id=OuterRef("pk"))
    rewards = rewards.annotate(tiered=Exists(tiered))
    open_to_tier = Q(tiered=False)
    if tier_id is not None:
        open_to_tier |= Q(Exists(Reward.eligible_tiers.through.objects.filter(reward_id=OuterRef("pk"),
                                                                              tier_id=tier_id)))
    return rewards.filter(open_to_tier).order_by("points_cost", "code")


def reward_eligible(*, customer: Customer, reward: Reward, today: datetime.date | None = None) -> bool:
    """Whether `customer` may redeem `reward` today (see rewards_available)."""
    return rewards_available(customer=customer, today=today).filter(pk=reward.pk).exists()


@transaction.atomic
def reward_save(*, actor, reward: Reward | None, values: dict, eligible_tiers=None) -> Reward:
    """Create (`reward` None) or change a reward of the catalogue. Raise PermissionDenied
    unless `actor` may configure rewards; ValidationError (by field) for bad values."""
    permissions.check(actor, LoyaltySettingsAction.REWARDS)
    reward = reward or Reward()
    created = reward.pk is None
    for name in REWARD_FIELDS:
        if name in values:
            setattr(reward, name, values[name])
    reward.full_clean()
    reward.save()
    if eligible_tiers is not None:
        reward.eligible_tiers.set(eligible_tiers)
    audit_record(actor=actor, action="config.changed", object_type="loyalty.reward", object_id=reward.pk,
                 fields=sorted(values), extra={"created": created})
    return reward
