"""The deadline profiles the portal starts from (administrators change them in admin): GDPR
(one month, extendable by two), Hong Kong's PDPO (40 days), mainland China's PIPL (the bank's
own deadline, 15 business days by default). Written by migration 0006 and, after a flush
empties the table, by post_migrate."""

from __future__ import annotations

DEFAULT_PROFILES = [
    {"code": "gdpr", "name": "GDPR (EU/UK)", "respond_within": 1, "unit": "months", "extension": 2,
     "extension_unit": "months", "warn_days_before": 7},
    {"code": "hk_pdpo", "name": "Hong Kong PDPO", "respond_within": 40, "unit": "days", "extension": 0,
     "extension_unit": "days", "warn_days_before": 7},
    {"code": "cn_pipl", "name": "Mainland China PIPL", "respond_within": 15, "unit": "business_days",
     "extension": 15, "extension_unit": "business_days", "warn_days_before": 5},
]


def ensure_profiles(model, *, using: str = "default") -> None:
    """Write the default profiles into an empty table (the model passed in, so a migration can
    use its own)."""
    if not model.objects.using(using).exists():
        model.objects.using(using).bulk_create([model(**values) for values in DEFAULT_PROFILES])
