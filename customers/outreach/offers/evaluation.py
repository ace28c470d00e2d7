"""Turning rules and facts into offers: for one customer, the products the rules suggest
and that are suitable (one per product, from its highest-priority rule), and the ones a rule
suggested but suitability withheld, with why."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from customers.models import OfferRule, Product
from customers.outreach.offers.rules import rule_match
from customers.outreach.offers.suitability import CustomerFacts, unsuitable_reasons


@dataclass(frozen=True)
class Offer:
    rule: OfferRule
    reasons: list

    @property
    def product(self) -> Product:
        return self.rule.product


@dataclass(frozen=True)
class Withheld:
    rule: OfferRule
    reasons: list

    @property
    def product(self) -> Product:
        return self.rule.product


@dataclass
class Evaluation:
    offers: list[Offer] = field(default_factory=list)
    withheld: list[Withheld] = field(default_factory=list)

    @property
    def product_ids(self) -> set[int]:
        return {offer.product.pk for offer in self.offers}


def evaluate(facts: CustomerFacts, rules: list[OfferRule], *, today: datetime.date) -> Evaluation:
    """The offers and withheld products for the customer of `facts` under `rules` (ordered by
    priority: the first rule to reach a product names it)."""
    result = Evaluation()
    seen: set[int] = set()
    for rule in rules:
        if rule.product_id in seen:
            continue
        matched = rule_match(rule, facts)
        if matched is None:
            continue
        seen.add(rule.product_id)
        refused = unsuitable_reasons(rule.product, facts, today=today)
        if refused:
            result.withheld.append(Withheld(rule=rule, reasons=refused))
        else:
            result.offers.append(Offer(rule=rule, reasons=matched))
    return result
