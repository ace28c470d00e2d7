"""The loyalty demo data: configuration once, history once, a ledger that agrees."""

from __future__ import annotations

import pytest

from loyalty import points
from loyalty.demo import seed_loyalty
from loyalty.models import EarningRule, PointsAccount, Reward, Tier
from tests.customers.factories import make_individual

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_configuration_and_history_once(relationship_manager, branch):
    for _ in range(3):
        make_individual(relationship_manager=relationship_manager, branch=branch)

    first = list(seed_loyalty(customers=3, seed=7))
    accounts = PointsAccount.objects.count()
    second = list(seed_loyalty(customers=3, seed=7))

    assert (EarningRule.objects.count(), Tier.objects.count(), Reward.objects.count()) == (8, 4, 5)
    assert accounts == 3 and PointsAccount.objects.count() == 3
    assert len(first) == 2 and len(second) == 1
    assert points.ledger_check().ok
