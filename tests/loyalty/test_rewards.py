"""The catalogue's eligibility, redemption, fulfilment and cancellation."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from loyalty import points, rewards
from loyalty.models import PointsEntry, PointsLot, Redemption, Reward, Tier, TierMembership
from loyalty.points import ledger
from tests.loyalty.conftest import balance_agrees

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(customer, clock):
    with transaction.atomic():
        account = ledger.account_lock(customer.pk)
        ledger.credit(account=account, kind="earn", points=500, occurred_at=clock.current,
                      expires_at=clock.current + datetime.timedelta(days=100))
    return customer


@pytest.fixture
def gold(db):
    return Tier.objects.create(code="gold", name="Gold", rank=2)


def test_eligibility_follows_validity_stock_tiers_and_segments(funded, gold, clock):
    today = clock.current.date()
    open_to_all = Reward.objects.create(code="coffee", name="Coffee", points_cost=10)
    Reward.objects.create(code="old", name="Old", points_cost=10,
                          valid_until=today - datetime.timedelta(days=1))
    Reward.objects.create(code="later", name="Later", points_cost=10,
                          valid_from=today + datetime.timedelta(days=1))
    Reward.objects.create(code="gone", name="Gone", points_cost=10, stock=0)
    Reward.objects.create(code="off", name="Off", points_cost=10, is_active=False)
    private = Reward.objects.create(code="private", name="Private", points_cost=10,
                                    eligible_segments=["private"])
    mass = Reward.objects.create(code="mass", name="Mass", points_cost=10,
                                 eligible_segments=[funded.segment])
    gold_only = Reward.objects.create(code="gold-only", name="Gold only", points_cost=10)
    gold_only.eligible_tiers.set([gold])

    before = set(rewards.rewards_available(customer=funded, today=today).values_list("code", flat=True))
    TierMembership.objects.create(customer=funded, tier=gold, since=today, reviewed_on=today)
    after = set(rewards.rewards_available(customer=funded, today=today).values_list("code", flat=True))

    assert funded.segment == "mass"
    assert before == {open_to_all.code, mass.code}
    assert private.code not in after
    assert after == {open_to_all.code, mass.code, gold_only.code}


def test_a_redemption_debits_points_and_takes_stock(funded, relationship_manager):
    reward = Reward.objects.create(code="lounge", name="Lounge", points_cost=120, stock=3)

    redemption = rewards.redemption_request(actor=relationship_manager, customer=funded, reward=reward)

    reward.refresh_from_db()
    assert (redemption.status, redemption.points, reward.stock) == ("requested", 120, 2)
    assert redemption.entry.points == -120
    assert balance_agrees(funded) == 380


def test_cancelling_refunds_the_points_as_a_new_lot_and_returns_the_stock(funded, relationship_manager,
                                                                          clock):
    reward = Reward.objects.create(code="lounge", name="Lounge", points_cost=120, stock=3)
    redemption = rewards.redemption_request(actor=relationship_manager, customer=funded, reward=reward)

    cancelled = rewards.redemption_cancel(actor=relationship_manager, redemption=redemption)

    reward.refresh_from_db()
    assert cancelled.status == "cancelled" and reward.stock == 3
    refund_lot = PointsLot.objects.get(entry=cancelled.refund_entry)
    assert (refund_lot.original, refund_lot.remaining) == (120, 120)
    validity = datetime.timedelta(days=rewards.redemption.REFUND_VALIDITY_DAYS)
    assert refund_lot.expires_at == clock.current + validity
    assert balance_agrees(funded) == 500
    with pytest.raises(ValidationError):
        rewards.redemption_fulfil(actor=relationship_manager, redemption=redemption)


def test_fulfilment_closes_the_redemption(funded, relationship_manager):
    reward = Reward.objects.create(code="coffee", name="Coffee", points_cost=10)
    redemption = rewards.redemption_request(actor=relationship_manager, customer=funded, reward=reward)

    fulfilled = rewards.redemption_fulfil(actor=relationship_manager, redemption=redemption)

    assert fulfilled.status == "fulfilled" and fulfilled.decided_by == relationship_manager
    with pytest.raises(ValidationError):
        rewards.redemption_cancel(actor=relationship_manager, redemption=redemption)
    assert balance_agrees(funded) == 490


def test_a_keyed_redemption_is_returned_on_retry_and_refused_for_another_reward(funded, relationship_manager):
    coffee = Reward.objects.create(code="coffee", name="Coffee", points_cost=10)
    tea = Reward.objects.create(code="tea", name="Tea", points_cost=10)

    first = rewards.redemption_request(actor=relationship_manager, customer=funded, reward=coffee,
                                       idempotency_key="K-1")
    again = rewards.redemption_request(actor=relationship_manager, customer=funded, reward=coffee,
                                       idempotency_key="K-1")
    with pytest.raises(points.IdempotencyConflict):
        rewards.redemption_request(actor=relationship_manager, customer=funded, reward=tea,
                                   idempotency_key="K-1")

    assert again.pk == first.pk
    assert Redemption.objects.count() == 1
    assert balance_agrees(funded) == 490


def test_refusals_change_nothing(funded, other_relationship_manager, relationship_manager):
    expensive = Reward.objects.create(code="car", name="Car", points_cost=10_000)
    private = Reward.objects.create(code="private", name="Private", points_cost=10, eligible_segments=["sme"])

    with pytest.raises(PermissionDenied):
        rewards.redemption_request(actor=other_relationship_manager, customer=funded, reward=expensive)
    with pytest.raises(points.InsufficientPoints):
        rewards.redemption_request(actor=relationship_manager, customer=funded, reward=expensive)
    with pytest.raises(rewards.RewardNotAvailable):
        rewards.redemption_request(actor=relationship_manager, customer=funded, reward=private)
    assert not Redemption.objects.exists()
    assert PointsEntry.objects.filter(kind="redeem").count() == 0
    assert balance_agrees(funded) == 500
