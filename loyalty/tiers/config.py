"""Saving tiers (configuration)."""

from __future__ import annotations

from django.db import transaction

from compliance.audit import audit_record
from loyalty import permissions
from loyalty.models import Tier
from loyalty.permissions import LoyaltySettingsAction

TIER_FIELDS = ("code", "name", "rank", "min_points", "min_aum", "multiplier", "required_products",
               "is_active")


@transaction.atomic
def tier_save(*, actor, tier: Tier | None, values: dict) -> Tier:
    """Create (`tier` None) or change a tier. Raise PermissionDenied unless `actor` may
    configure tiers; ValidationError (by field) for bad values."""
    permissions.check(actor, LoyaltySettingsAction.TIERS)
    tier = tier or Tier()
    created = tier.pk is None
    for name in TIER_FIELDS:
        if name in values:
            setattr(tier, name, values[name])
    tier.full_clean()
    tier.save()
    audit_record(actor=actor, action="config.changed", object_type="loyalty.tier", object_id=tier.pk,
                 fields=sorted(values), extra={"created": created})
    return tier
