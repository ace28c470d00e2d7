"""Why a product was suggested or withheld, in the reader's language, from codes and their
non-identifying parameters (a need type, a rule's threshold, a risk level, an age range).
Nothing here holds or shows a customer's own age, income or balances."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from customers.models import CustomerKind, NeedType, ProductType, RiskTolerance, Segment

# Why a product was withheld (suitability).
RISK_ABOVE_TOLERANCE = "risk_above_tolerance"
NO_RISK_PROFILE = "no_risk_profile"
AGE_OUTSIDE = "age_outside"
AGE_UNKNOWN = "age_unknown"
CREDIT_RATING_BELOW = "credit_rating_below"
NO_CREDIT_RATING = "no_credit_rating"
SEGMENT_NOT_ELIGIBLE = "segment_not_eligible"
KIND_NOT_ELIGIBLE = "kind_not_eligible"
PRODUCT_INACTIVE = "product_inactive"
WITHHELD_CODES = (RISK_ABOVE_TOLERANCE, NO_RISK_PROFILE, AGE_OUTSIDE, AGE_UNKNOWN, CREDIT_RATING_BELOW,
                  NO_CREDIT_RATING, SEGMENT_NOT_ELIGIBLE, KIND_NOT_ELIGIBLE, PRODUCT_INACTIVE)

# Why a product was suggested (the rule's conditions the customer met).
NEED_OPEN = "need_open"
DEPOSITS_AT_LEAST = "deposits_at_least"
AUM_AT_LEAST = "aum_at_least"
LACKS = "lacks"
HOLDS = "holds"
SEGMENT_IS = "segment_is"
KIND_IS = "kind_is"


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _types(values) -> str:
    return ", ".join(_label(ProductType, value) for value in values or ())


def _amount(value) -> str:
    try:
        return number_format(Decimal(str(value)), decimal_pos=0, force_grouping=True)
    except (InvalidOperation, TypeError, ValueError):
        return ""


def _ages(low, high) -> str:
    if low is not None and high is not None:
        return f"{low}–{high}"
    if low is not None:
        return _("%(age)s or over") % {"age": low}
    return _("%(age)s or under") % {"age": high}


def withheld_text(code: str, params: dict | None = None) -> str:
    """One reason a product was not offered ("fund risk R4 exceeds risk tolerance R2")."""
    params = params or {}
    product = _label(ProductType, params.get("product_type", "")).lower()
    if code == RISK_ABOVE_TOLERANCE:
        return _("%(product)s risk R%(risk)s exceeds risk tolerance R%(tolerance)s (%(profile)s)") % {
            "product": product, "risk": params.get("risk"), "tolerance": params.get("tolerance"),
            "profile": _label(RiskTolerance, params.get("profile", "")).lower()}
    if code == NO_RISK_PROFILE:
        return _("no risk profile on record: only R1 products may be offered, this %(product)s is "
                 "R%(risk)s") % {"product": product, "risk": params.get("risk")}
    if code == AGE_OUTSIDE:
        return _("customer's age is outside %(range)s") % {
            "range": _ages(params.get("min"), params.get("max"))}
    if code == AGE_UNKNOWN:
        return _("date of birth not on record, and the product is for ages %(range)s") % {
            "range": _ages(params.get("min"), params.get("max"))}
    if code == CREDIT_RATING_BELOW:
        return _("credit rating below the product's minimum %(minimum)s") % {"minimum": params.get("minimum")}
    if code == NO_CREDIT_RATING:
        return _("no credit rating on record, and the product needs at least %(minimum)s") % {
            "minimum": params.get("minimum")}
    if code == SEGMENT_NOT_ELIGIBLE:
        return _("not offered to the %(segment)s segment") % {
            "segment": _label(Segment, params.get("segment"))}
    if code == KIND_NOT_ELIGIBLE:
        if params.get("kind") == CustomerKind.CORPORATE:
            return _("not offered to corporate customers")
        return _("not offered to individual customers")
    if code == PRODUCT_INACTIVE:
        return _("the product is no longer offered")
    return _("not suitable")


def suggested_text(code: str, params: dict | None = None) -> str:
    """One reason a product was suggested ("open need: international business")."""
    params = params or {}
    if code == NEED_OPEN:
        return _("open need: %(need)s") % {"need": _label(NeedType, params.get("need")).lower()}
    if code == DEPOSITS_AT_LEAST:
        return _("deposits of at least %(amount)s") % {"amount": _amount(params.get("amount"))}
    if code == AUM_AT_LEAST:
        return _("assets under management of at least %(amount)s") % {"amount": _amount(params.get("amount"))}
    if code == LACKS:
        return _("holds no %(types)s") % {"types": _types(params.get("types")).lower()}
    if code == HOLDS:
        return _("holds %(types)s") % {"types": _types(params.get("types")).lower()}
    if code == SEGMENT_IS:
        return _("segment %(segment)s") % {"segment": _label(Segment, params.get("segment"))}
    if code == KIND_IS:
        if params.get("kind") == CustomerKind.CORPORATE:
            return _("corporate customer")
        return _("individual customer")
    return _("rule matched")


def reasons_text(reasons, *, withheld: bool = False) -> str:
    """A list of {"code", "params"} as one line, joined with "; "."""
    render = withheld_text if withheld else suggested_text
    return "; ".join(render(item.get("code", ""), item.get("params")) for item in reasons or ())
