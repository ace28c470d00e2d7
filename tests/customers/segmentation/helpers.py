"""Shared setup for the segmentation tests: rule sets installed directly, figures set in SQL."""

from __future__ import annotations

import datetime
import importlib
from decimal import Decimal

from django.utils import timezone

from customers.models import Customer, CustomerKind, SegmentRule, SegmentRuleSet

default_rules_migration = importlib.import_module("customers.migrations.0003_default_segment_rules")

IND, CORP = CustomerKind.INDIVIDUAL.value, CustomerKind.CORPORATE.value
REASON = "Family office moving assets to us in Q3"


def cond(metric, op, value):
    return {"metric": metric, "op": op, "value": value}


def install_rules(rules, *, version=None):
    """Make a rule set with `rules` [(kind, segment, [conditions])] the active one (test setup)."""
    SegmentRuleSet.objects.filter(is_active=True).update(is_active=False)
    version = version or (max(SegmentRuleSet.objects.values_list("version", flat=True), default=0) + 1)
    rule_set = SegmentRuleSet.objects.create(version=version, is_active=True, note="test rules")
    by_kind: dict[str, int] = {}
    for kind, segment, conditions in rules:
        by_kind[kind] = by_kind.get(kind, 0) + 10
        SegmentRule.objects.create(rule_set=rule_set, kind=kind, segment=segment, priority=by_kind[kind],
                                   conditions=conditions)
    return rule_set


def set_aum(customer, amount):
    Customer.objects.filter(pk=customer.pk).update(aum=Decimal(amount))


def segment_of(customer):
    return Customer.objects.values_list("segment", flat=True).get(pk=customer.pk)


def snapshot(*customers):
    return list(
        Customer.objects.filter(pk__in=[c.pk for c in customers]).order_by("pk")
        .values_list("pk", "segment", "segment_since", "segment_rule_id", "segment_basis")
    )


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


RETAIL_TWO_STEP = [
    (IND, "vip", [cond("aum", ">=", "100000")]),
    (IND, "private", [cond("aum", ">=", "1000000")]),
    (IND, "mass", []),
    (CORP, "sme", []),
]
