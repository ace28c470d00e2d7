"""Whether a product may be offered to a customer, and if not, why.

Checked before anything is offered, in this order, every failing check giving its reason:
the product is active; its kinds and segments include the customer's; for an individual, the
product's risk level is within the risk tolerance (no risk profile: R1 only) and the age
within the product's limits (the age comes from the encrypted date of birth, decrypted here
in Python for this customer and kept nowhere: the reason names the range, never the age);
for a credit product with a minimum rating, the customer's rating is at least that.
Corporate customers carry no risk profile: their suitability is eligibility and rating.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from customers.models import (
    CREDIT_PRODUCTS,
    CREDIT_RATING_SCALE,
    RISK_TOLERANCE_LEVELS,
    CustomerKind,
    Product,
)
from customers.outreach.offers import reasons


@dataclass
class CustomerFacts:
    """What the rules and the suitability checks read about one customer."""

    customer_id: int
    kind: str
    segment: str
    risk_tolerance: str = ""
    date_of_birth: datetime.date | None = None
    credit_rating: str = ""
    aum: Decimal = Decimal("0")
    deposits: Decimal = Decimal("0")
    held_types: set[str] = field(default_factory=set)
    open_needs: set[str] = field(default_factory=set)


def age_on(date_of_birth: datetime.date, today: datetime.date) -> int:
    """Whole years from `date_of_birth` to `today`."""
    before_birthday = (today.month, today.day) < (date_of_birth.month, date_of_birth.day)
    return today.year - date_of_birth.year - before_birthday


def _rating_rank(rating: str) -> int | None:
    try:
        return CREDIT_RATING_SCALE.index((rating or "").strip().upper())
    except ValueError:
        return None


def _reason(code: str, **params) -> dict:
    return {"code": code, "params": params}


def _individual_reasons(product: Product, facts: CustomerFacts, today: datetime.date) -> list[dict]:
    found = []
    risk = int(product.risk_level)
    tolerance = RISK_TOLERANCE_LEVELS.get(facts.risk_tolerance)
    if tolerance is None:
        if risk > 1:
            found.append(_reason(reasons.NO_RISK_PROFILE, product_type=product.product_type, risk=risk))
    elif risk > tolerance:
        found.append(_reason(reasons.RISK_ABOVE_TOLERANCE, product_type=product.product_type, risk=risk,
                             tolerance=tolerance, profile=facts.risk_tolerance))
    if product.min_age is not None or product.max_age is not None:
        limits = {"min": product.min_age, "max": product.max_age}
        if facts.date_of_birth is None:
            found.append(_reason(reasons.AGE_UNKNOWN, **limits))
        else:
            age = age_on(facts.date_of_birth, today)
            if (product.min_age is not None and age < product.min_age) or (
                    product.max_age is not None and age > product.max_age):
                found.append(_reason(reasons.AGE_OUTSIDE, **limits))
    return found


def unsuitable_reasons(product: Product, facts: CustomerFacts, *, today: datetime.date) -> list[dict]:
    """Every reason `product` may not be offered to the customer of `facts` (empty: suitable)."""
    found = []
    if not product.is_active:
        found.append(_reason(reasons.PRODUCT_INACTIVE))
    if product.kinds and facts.kind not in product.kinds:
        found.append(_reason(reasons.KIND_NOT_ELIGIBLE, kind=facts.kind))
    if product.segments and facts.segment not in product.segments:
        found.append(_reason(reasons.SEGMENT_NOT_ELIGIBLE, segment=facts.segment))
    if facts.kind == CustomerKind.INDIVIDUAL:
        found.extend(_individual_reasons(product, facts, today))
    if product.min_credit_rating and product.product_type in CREDIT_PRODUCTS:
        minimum = _rating_rank(product.min_credit_rating)
        held = _rating_rank(facts.credit_rating)
        if held is None:
            found.append(_reason(reasons.NO_CREDIT_RATING, minimum=product.min_credit_rating))
        elif minimum is not None and held > minimum:
            found.append(_reason(reasons.CREDIT_RATING_BELOW, minimum=product.min_credit_rating))
    return found
