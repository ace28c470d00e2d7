"""Fixtures of the suitable-offers tests: customers whose facts the rules read (deposits,
needs, risk profile, age), built through the real services, and the default catalogue."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from customers import services
from customers.models import OfferRule, Product
from tests.customers.factories import make_corporate, make_holding, make_individual


def years_ago(years: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


@pytest.fixture
def catalogue(db):
    """The default products and rules by code and name (written by migration 0015)."""
    return {
        "products": {product.code: product for product in Product.objects.all()},
        "rules": {rule.name: rule for rule in OfferRule.objects.select_related("product")},
    }


@pytest.fixture
def saver(relationship_manager, branch):
    """An individual of 40 with a balanced risk profile and 800,000 in savings, no wealth product."""
    customer = make_individual(
        relationship_manager=relationship_manager,
        branch=branch,
        risk_tolerance="balanced",
        date_of_birth=years_ago(40),
        segment="mass",
    )
    make_holding(customer, balance=Decimal("800000.00"))
    return customer


@pytest.fixture
def exporter(relationship_manager, branch):
    """An SME rated A with an open international-business need."""
    customer = make_corporate(
        relationship_manager=relationship_manager, branch=branch, segment="sme", credit_rating="A"
    )
    services.need_record(actor=relationship_manager, customer=customer, need_type="international_business")
    return customer


def only_rules(*names: str) -> None:
    """Switch every default rule off but `names`."""
    OfferRule.objects.exclude(name__in=names).update(is_active=False)
