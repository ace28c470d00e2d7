"""Fixtures of the loyalty tests: a customer in the RM's book, earning rules, a clock."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from loyalty.models import EarningRule
from tests.customers.factories import make_individual

# Noon in Shanghai (the bank's zone), outside quiet hours.
NOON = datetime.datetime(2026, 6, 10, 4, 0, tzinfo=datetime.UTC)


class Clock:
    """What `django.utils.timezone.now` answers while the test runs."""

    def __init__(self, start: datetime.datetime):
        self.current = start

    def __call__(self) -> datetime.datetime:
        return self.current

    def advance(self, **delta) -> datetime.datetime:
        self.current += datetime.timedelta(**delta)
        return self.current


@pytest.fixture
def clock(monkeypatch):
    fixed = Clock(NOON)
    monkeypatch.setattr(timezone, "now", fixed)
    return fixed


@pytest.fixture
def customer(relationship_manager, branch):
    return make_individual(relationship_manager=relationship_manager, branch=branch)


@pytest.fixture
def other_customer(other_relationship_manager, other_branch):
    return make_individual(relationship_manager=other_relationship_manager, branch=other_branch)


@pytest.fixture
def rules(db):
    """An attendance rule (100 points, valid 365 days), a deposit rule (1 point per 100 of the
    amount, at most 500 points in 30 days) and a birthday rule without the tier multiplier."""
    return {
        "event_attendance": EarningRule.objects.create(activity="event_attendance", name="Event attendance",
                                                       points=100, validity_days=365),
        "product:term_deposit": EarningRule.objects.create(
            activity="product:term_deposit", name="Term deposit", points=0, points_per_unit=1,
            unit_amount=100, validity_days=730, limit_points=500, limit_days=30),
        "birthday": EarningRule.objects.create(activity="birthday", name="Birthday", points=200,
                                               tier_multiplier=False, validity_days=90),
    }


def balance_agrees(customer) -> int:
    """Assert the cached balance, the entries and the lots agree; return the balance."""
    from django.db.models import Sum

    from loyalty.models import PointsAccount, PointsEntry, PointsLot

    account = PointsAccount.objects.get(customer=customer)
    entries = PointsEntry.objects.filter(account=account).aggregate(total=Sum("points"))["total"] or 0
    lots = PointsLot.objects.filter(account=account).aggregate(total=Sum("remaining"))["total"] or 0
    assert account.balance == entries == lots
    return account.balance
