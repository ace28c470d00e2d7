"""Offer rules: validating their conditions, reading what they need about a batch of
customers in a fixed number of queries, and matching a rule against one customer.

`customer_facts(ids)` reads the customers with their profiles, their open needs, and their
active holdings by product type with the deposits total in the bank's currency (a balance in a
currency without an exchange rate counts as zero), in three queries whatever the number of
customers; `one_customer_facts(customer)` the same for a customer already read with its
profile, in one query. Matching and suitability then run in Python.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, DecimalField, F, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, JSONObject
from django.utils.translation import gettext as _

from customers.models import (
    DEPOSIT_PRODUCTS,
    NEEDS_BY_KIND,
    Customer,
    CustomerKind,
    ExchangeRate,
    Holding,
    HoldingStatus,
    Need,
    NeedStatus,
    OfferRule,
)
from customers.outreach.offers import reasons
from customers.outreach.offers.catalogue import SEGMENTS_BY_KIND
from customers.outreach.offers.suitability import CustomerFacts

OPEN_NEED_STATUSES = (NeedStatus.OPEN, NeedStatus.IN_PROGRESS)


def _rule_kinds(rule: OfferRule) -> set[str]:
    """The kinds a rule can reach: its own, narrowed by its segments and its product's."""
    kinds = set(rule.kinds or CustomerKind.values)
    if rule.segments:
        kinds &= {kind for kind, segments in SEGMENTS_BY_KIND.items() if segments & set(rule.segments)}
    return kinds


def rule_validate(rule: OfferRule) -> None:
    """Raise ValidationError by field when the rule's conditions cannot work: no condition at
    all, a segment outside its kinds, a need outside the catalogue of its kinds, a product type
    both required and excluded, a product for nobody the rule reaches, or an inactive product
    on an active rule."""
    errors: dict[str, str] = {}
    if not any([rule.kinds, rule.segments, rule.need_type, rule.holds_product_types, rule.lacks_product_types,
                rule.min_deposits, rule.min_aum]):
        errors["__all__"] = _("Give the rule at least one condition: a need, holdings, an amount, a segment "
                              "or a kind.")
    if rule.kinds and rule.segments:
        allowed = set().union(*(SEGMENTS_BY_KIND[kind] for kind in rule.kinds))
        if set(rule.segments) - allowed:
            errors["segments"] = _("These segments do not belong to the rule's kinds of customer.")
    kinds = _rule_kinds(rule)
    if rule.need_type and not any(rule.need_type in NEEDS_BY_KIND[kind] for kind in kinds):
        errors["need_type"] = _("This need is not in the catalogue of the customers this rule reaches.")
    if set(rule.holds_product_types) & set(rule.lacks_product_types):
        errors["lacks_product_types"] = _("A product type cannot be both required and excluded.")
    product = rule.product if rule.product_id else None
    if product is not None:
        if product.kinds and not (set(product.kinds) & kinds):
            errors["product"] = _("This product is not offered to the customers this rule reaches.")
        elif product.segments and rule.segments and not (set(product.segments) & set(rule.segments)):
            errors["product"] = _("This product is not offered to the segments this rule reaches.")
        elif rule.is_active and not product.is_active:
            errors["product"] = _("This product is no longer offered; choose an active one or switch the "
                                  "rule off.")
    if errors:
        raise ValidationError(errors)


def rule_match(rule: OfferRule, facts: CustomerFacts) -> list[dict] | None:
    """The reasons the customer meets every condition of `rule`, or None if one fails."""
    found = []
    if rule.kinds:
        if facts.kind not in rule.kinds:
            return None
        found.append({"code": reasons.KIND_IS, "params": {"kind": facts.kind}})
    if rule.segments:
        if facts.segment not in rule.segments:
            return None
        found.append({"code": reasons.SEGMENT_IS, "params": {"segment": facts.segment}})
    if rule.need_type:
        if rule.need_type not in facts.open_needs:
            return None
        found.append({"code": reasons.NEED_OPEN, "params": {"need": rule.need_type}})
    if rule.holds_product_types:
        if not facts.held_types & set(rule.holds_product_types):
            return None
        found.append({"code": reasons.HOLDS, "params": {"types": list(rule.holds_product_types)}})
    if rule.lacks_product_types:
        if facts.held_types & set(rule.lacks_product_types):
            return None
        found.append({"code": reasons.LACKS, "params": {"types": list(rule.lacks_product_types)}})
    if rule.min_deposits is not None:
        if facts.deposits < rule.min_deposits:
            return None
        found.append({"code": reasons.DEPOSITS_AT_LEAST, "params": {"amount": str(rule.min_deposits)}})
    if rule.min_aum is not None:
        if facts.aum < rule.min_aum:
            return None
        found.append({"code": reasons.AUM_AT_LEAST, "params": {"amount": str(rule.min_aum)}})
    # Kind and segment alone say who, not why: a rule of only those still matches.
    return found


def active_rules() -> list[OfferRule]:
    """Active rules with their products, by priority (one query)."""
    return list(OfferRule.objects.filter(is_active=True).select_related("product").order_by("priority", "pk"))


def _profile_facts(customer: Customer) -> CustomerFacts:
    """The facts on the customer row and its profile (loaded with it)."""
    extra: dict = {}
    if customer.kind == CustomerKind.INDIVIDUAL:
        profile = getattr(customer, "individual", None)
        if profile is not None:
            # Decrypted here, for this customer's age check, and kept nowhere.
            extra = {"risk_tolerance": profile.risk_tolerance, "date_of_birth": profile.date_of_birth,
                     "credit_rating": profile.credit_rating}
    else:
        profile = getattr(customer, "corporate", None)
        if profile is not None:
            extra = {"credit_rating": profile.credit_rating}
    return CustomerFacts(customer_id=customer.pk, kind=customer.kind, segment=customer.segment,
                         aum=customer.aum, **extra)


def _add_holding(facts: CustomerFacts, product_type: str, total: Decimal | None) -> None:
    facts.held_types.add(product_type)
    if product_type in DEPOSIT_PRODUCTS and total:
        facts.deposits += max(total, Decimal("0"))


def _rate():
    return Subquery(ExchangeRate.objects.filter(currency=OuterRef("currency")).values("rate")[:1])


def customer_facts(ids) -> dict[int, CustomerFacts]:
    """What the rules read about each customer of `ids` (three queries)."""
    ids = list(ids)
    customers = (Customer.objects.filter(pk__in=ids).select_related("individual", "corporate")
                 .only("pk", "kind", "segment", "aum", "individual__record_key", "individual__date_of_birth",
                       "individual__risk_tolerance", "individual__credit_rating", "corporate__credit_rating"))
    facts = {customer.pk: _profile_facts(customer) for customer in customers}
    for customer_id, need_type in (Need.objects.filter(customer_id__in=ids, status__in=OPEN_NEED_STATUSES)
                                   .values_list("customer_id", "need_type").distinct()):
        if customer_id in facts:
            facts[customer_id].open_needs.add(need_type)
    money = DecimalField(max_digits=30, decimal_places=8)
    held = (Holding.objects.filter(customer_id__in=ids, status=HoldingStatus.ACTIVE)
            .values("customer_id", "product_type")
            .annotate(total=Sum(Case(When(currency=settings.BANK_CURRENCY, then="balance"),
                                     default=Coalesce(_rate(), Value(Decimal("0")), output_field=money)
                                     * Coalesce("balance", Value(Decimal("0"))),
                                     output_field=money)))
            .order_by())
    for row in held:
        if row["customer_id"] in facts:
            _add_holding(facts[row["customer_id"]], row["product_type"], row["total"])
    return facts


def one_customer_facts(customer: Customer) -> CustomerFacts:
    """`customer_facts` for one customer read with its profile (from `customer_get`), in one
    query: its open needs and its active holdings as arrays beside its id."""
    facts = _profile_facts(customer)
    needs = Need.objects.filter(customer_id=OuterRef("pk"), status__in=OPEN_NEED_STATUSES).values("need_type")
    holdings = Holding.objects.filter(customer_id=OuterRef("pk"), status=HoldingStatus.ACTIVE).values(
        json=JSONObject(type=F("product_type"), balance=Cast("balance", CharField()), currency=F("currency"),
                        rate=Cast(_rate(), CharField())))
    row = Customer.objects.filter(pk=customer.pk).values(
        open_need_types=ArraySubquery(needs), active_holdings=ArraySubquery(holdings)).first() or {}
    facts.open_needs.update(row.get("open_need_types") or ())
    totals: dict[str, Decimal] = {}
    for holding in row.get("active_holdings") or ():
        balance = Decimal(holding["balance"] or "0")
        if holding["currency"] != settings.BANK_CURRENCY:
            balance *= Decimal(holding["rate"] or "0")
        totals[holding["type"]] = totals.get(holding["type"], Decimal("0")) + balance
    for product_type, total in totals.items():
        _add_holding(facts, product_type, total)
    return facts
