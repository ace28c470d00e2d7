"""Concurrent redemptions on PostgreSQL, with real threads and transactions: the account's row
lock serialises debits, the guarded stock UPDATE serialises stock, and the CHECK constraints
are the last line."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from loyalty import rewards
from loyalty.models import PointsAccount, PointsEntry, PointsLot, Redemption, Reward
from loyalty.points import InsufficientPoints, ledger
from tests.loyalty.conftest import balance_agrees

pytestmark = pytest.mark.django_db(transaction=True)


def _credit(customer, amounts):
    from django.db import transaction

    now = timezone.now()
    with transaction.atomic():
        account = ledger.account_lock(customer.pk)
        for days, amount in amounts:
            ledger.credit(account=account, kind="earn", points=amount, occurred_at=now,
                          expires_at=now + datetime.timedelta(days=days), activity="event_attendance")


def _race(count: int, target) -> tuple[list, list]:
    start = threading.Barrier(count, timeout=30)
    results, errors = [], []
    lock = threading.Lock()

    def run(index):
        try:
            start.wait()
            outcome = target(index)
            with lock:
                results.append(outcome)
        except Exception as error:
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_fifty_redemptions_of_ten_against_a_hundred_points_give_exactly_ten(customer, relationship_manager):
    _credit(customer, [(30, 40), (60, 60)])
    reward = Reward.objects.create(code="coffee", name="Coffee", points_cost=10)
    user_id = relationship_manager.pk

    def redeem(index):
        actor = get_user_model().objects.get(pk=user_id)
        return rewards.redemption_request(actor=actor, customer=customer, reward=reward)

    results, errors = _race(50, redeem)

    assert len(results) == 10
    assert len(errors) == 40
    assert all(isinstance(error, InsufficientPoints) for error in errors)
    assert PointsAccount.objects.get(customer=customer).balance == 0
    assert balance_agrees(customer) == 0
    assert Redemption.objects.count() == 10
    assert PointsEntry.objects.filter(kind="redeem").aggregate(total=Sum("points"))["total"] == -100
    assert not PointsLot.objects.filter(remaining__lt=0).exists()


def test_stock_never_goes_below_zero_under_concurrency(customer, relationship_manager):
    _credit(customer, [(30, 1000)])
    reward = Reward.objects.create(code="lounge", name="Airport lounge", points_cost=10, stock=5)
    user_id = relationship_manager.pk

    def redeem(index):
        actor = get_user_model().objects.get(pk=user_id)
        return rewards.redemption_request(actor=actor, customer=customer, reward=reward)

    results, errors = _race(20, redeem)

    assert len(results) == 5
    assert len(errors) == 15
    assert all(isinstance(error, (rewards.OutOfStock, rewards.RewardNotAvailable)) for error in errors)
    reward.refresh_from_db()
    assert reward.stock == 0
    # The refused ones took no points: five redemptions of ten.
    assert balance_agrees(customer) == 1000 - 50


def test_concurrent_retries_of_one_award_earn_once(customer, rules):
    from loyalty import points

    occurred = timezone.now() - datetime.timedelta(minutes=1)

    def award(index):
        return points.award_activity(customer=customer, activity="event_attendance", reference="EV-9:REG-1",
                                     occurred_at=occurred)

    results, errors = _race(10, award)

    assert errors == []
    assert sorted(result.replayed for result in results) == [False] + [True] * 9
    assert {result.entry.pk for result in results} == {PointsEntry.objects.get().pk}
    assert balance_agrees(customer) == 100
