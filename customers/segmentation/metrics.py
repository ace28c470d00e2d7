"""The figures segmentation rules may test, and the operators each takes.

===========  ==========  ====================  ==========================================
metric       kinds       ops                   value
===========  ==========  ====================  ==========================================
aum          both        >= > <= < =           amount (Customer.aum, in clear)
income       individual  >= <                  a band floor from models.INCOME_BANDS
revenue      corporate   >= <                  a band floor from models.INCOME_BANDS
employees    corporate   >= > <= < =           whole number
countries    corporate   >= > <= < =           whole number (countries of operation)
holding      both        has                   a product type held in an active holding
===========  ==========  ====================  ==========================================

Income and revenue are encrypted; only their band floor is in clear. "income >= T" on the
floor is exact when T is itself a floor, and so is "< T"; ">", "<=" and "=" are not (a floor
of 1M says nothing about being above 1M), so they are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy

from customers.models import CORPORATE_SEGMENTS, RETAIL_SEGMENTS, CustomerKind

AMOUNT, BAND, COUNT, PRODUCT = "amount", "band", "count", "product"
NUMERIC_OPS = (">=", ">", "<=", "<", "=")
BAND_OPS = (">=", "<")
OP_SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "=", "has": ""}
BOTH_KINDS = frozenset({CustomerKind.INDIVIDUAL.value, CustomerKind.CORPORATE.value})


@dataclass(frozen=True)
class Metric:
    """A figure a rule may test: which kinds have it, how its value reads, its SQL column."""

    name: str
    label: str
    kinds: frozenset[str]
    value_kind: str
    column: str  # a column of the `scan` CTE below; empty for `holding`

    @property
    def ops(self) -> tuple[str, ...]:
        if self.value_kind == PRODUCT:
            return ("has",)
        if self.value_kind == BAND:
            return BAND_OPS
        return NUMERIC_OPS


METRICS: dict[str, Metric] = {
    metric.name: metric
    for metric in (
        Metric("aum", gettext_lazy("AUM"), BOTH_KINDS, AMOUNT, "s.m_aum"),
        Metric("income", gettext_lazy("income band"), frozenset({CustomerKind.INDIVIDUAL.value}),
               BAND, "s.m_income"),
        Metric("revenue", gettext_lazy("revenue band"), frozenset({CustomerKind.CORPORATE.value}),
               BAND, "s.m_revenue"),
        Metric("employees", gettext_lazy("employees"), frozenset({CustomerKind.CORPORATE.value}),
               COUNT, "s.m_employees"),
        Metric("countries", gettext_lazy("countries of operation"),
               frozenset({CustomerKind.CORPORATE.value}), COUNT, "s.m_countries"),
        Metric("holding", gettext_lazy("holding"), BOTH_KINDS, PRODUCT, ""),
    )
}


# Metrics read from a sensitive field (customers.apps registers them with compliance.access).
SENSITIVE_METRIC_FIELDS = {"aum": "aum", "income": "annual_income", "revenue": "annual_revenue"}


def segments_for_kind(kind: str) -> tuple[str, ...]:
    """The segment codes a customer of `kind` may be placed in."""
    if kind == CustomerKind.INDIVIDUAL:
        return tuple(segment.value for segment in RETAIL_SEGMENTS)
    if kind == CustomerKind.CORPORATE:
        return tuple(segment.value for segment in CORPORATE_SEGMENTS)
    return ()



def plain_number(amount: Decimal) -> str:
    """A decimal without exponent or trailing zeros: Decimal("6E+6") -> "6000000"."""
    return f"{amount.normalize():f}"
