"""Saving earning rules (configuration)."""

from __future__ import annotations

from django.db import transaction

from compliance.audit import audit_record
from loyalty import permissions
from loyalty.models import EarningRule
from loyalty.permissions import LoyaltySettingsAction

RULE_FIELDS = ("activity", "name", "points", "points_per_unit", "unit_amount", "validity_days",
               "tier_multiplier",
               "limit_points", "limit_days", "is_active")


@transaction.atomic
def earning_rule_save(*, actor, rule: EarningRule | None, values: dict) -> EarningRule:
    """Create (`rule` None) or change an earning rule. Raise PermissionDenied unless `actor`
    may configure earning rules; ValidationError (by field) for bad values. Earns already
    made keep what they earned."""
    permissions.check(actor, LoyaltySettingsAction.EARNING_RULES)
    rule = rule or EarningRule()
    created = rule.pk is None
    for name in RULE_FIELDS:
        if name in values:
            setattr(rule, name, values[name])
    rule.full_clean()
    rule.save()
    audit_record(actor=actor, action="config.changed", object_type="loyalty.earningrule", object_id=rule.pk,
                 fields=sorted(values), extra={"created": created})
    return rule
