"""The contact plans and trigger rules a bank starts from (administrators change them in
admin). Written by migration 0011 and, after a flush empties the tables, by post_migrate."""

from __future__ import annotations

# (segment, every n days, every n months, channel)
DEFAULT_PLANS = [
    ("private", None, 1, "branch"),
    ("vip", None, 3, "phone"),
    ("sme", None, 3, "branch"),
    ("large", None, 1, "branch"),
    ("multinational", None, 1, "branch"),
    ("mass", None, 12, "phone"),
]
DEFAULT_TRIGGERS = [
    {"kind": "maturity", "days_ahead": 30, "product_types": ["term_deposit", "wealth_product"]},
    {"kind": "birthday", "days_ahead": 7},
    {"kind": "kyc_review", "days_ahead": 30},
    {"kind": "risk_review", "days_ahead": 30},
    {"kind": "aum_drop", "threshold_percent": 20, "days_ahead": 30},
    {"kind": "dormant", "dormant_days": 180},
]


def ensure_defaults(contact_plan_model, trigger_rule_model, *, using: str = "default") -> None:
    """Write the defaults into empty tables (models passed in, so a migration can use its own)."""
    if not contact_plan_model.objects.using(using).exists():
        contact_plan_model.objects.using(using).bulk_create([
            contact_plan_model(segment=segment, interval_days=days, interval_months=months, channel=channel)
            for segment, days, months, channel in DEFAULT_PLANS
        ])
    if not trigger_rule_model.objects.using(using).exists():
        trigger_rule_model.objects.using(using).bulk_create([
            trigger_rule_model(**values) for values in DEFAULT_TRIGGERS
        ])
