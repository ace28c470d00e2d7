"""Ledger properties: the balance is the sum of the entries and of the lots at all times,
debits consume lots oldest expiry first, expiry takes exactly what is left of expired lots,
and the check reports any difference."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyalty import points
from loyalty.models import LotConsumption, PointsAccount, PointsEntry, PointsLot
from loyalty.points import ledger
from tests.loyalty.conftest import NOON, balance_agrees

pytestmark = pytest.mark.django_db

operations = st.lists(
    st.one_of(
        st.tuples(st.just("earn"), st.integers(1, 500), st.integers(1, 60)),  # points, valid days
        st.tuples(st.just("debit"), st.integers(1, 400), st.just(0)),
        st.tuples(st.just("wait"), st.integers(1, 40), st.just(0)),  # days
        st.tuples(st.just("expire"), st.just(0), st.just(0)),
    ),
    min_size=1, max_size=25,
)


class Rolledback(Exception):
    pass


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=operations)
def test_balance_is_the_sum_of_entries_and_lots_and_debits_are_fifo(customer, clock, steps):
    start = clock.current
    try:
        with transaction.atomic():
            clock.current = start
            model: list[list] = []  # [expires_at, remaining, lot id] in credit order
            for kind, amount, days in steps:
                now = clock.current
                if kind == "earn":
                    with transaction.atomic():
                        account = ledger.account_lock(customer.pk)
                        entry = ledger.credit(account=account, kind="earn", points=amount, occurred_at=now,
                                              expires_at=now + datetime.timedelta(days=days))
                    model.append([now + datetime.timedelta(days=days), amount, entry.lot.pk])
                elif kind == "debit":
                    live = sorted((lot for lot in model if lot[0] > now and lot[1] > 0),
                                  key=lambda lot: (lot[0], lot[2]))
                    available = sum(lot[1] for lot in live)
                    if available < amount:
                        with pytest.raises(points.InsufficientPoints), transaction.atomic():
                            ledger.debit(account=ledger.account_lock(customer.pk), kind="redeem",
                                         points=amount)
                    else:
                        with transaction.atomic():
                            entry = ledger.debit(account=ledger.account_lock(customer.pk), kind="redeem",
                                                 points=amount)
                        expected, left = {}, amount
                        for lot in live:
                            taken = min(lot[1], left)
                            if taken:
                                expected[lot[2]] = taken
                                lot[1] -= taken
                                left -= taken
                        consumed = dict(LotConsumption.objects.filter(entry=entry)
                                        .values_list("lot_id", "points"))
                        assert consumed == expected
                elif kind == "wait":
                    clock.advance(days=amount)
                else:
                    due = sum(lot[1] for lot in model if lot[0] <= now)
                    result = points.points_expire(now=now)
                    assert result.points == due
                    for lot in model:
                        if lot[0] <= now:
                            lot[1] = 0
                if model:
                    assert balance_agrees(customer) == sum(lot[1] for lot in model)
                    remaining = dict(PointsLot.objects.filter(account__customer=customer)
                                     .values_list("pk", "remaining"))
                    assert remaining == {lot[2]: lot[1] for lot in model}
            assert points.ledger_check().ok
            raise Rolledback
    except Rolledback:
        pass


def test_expiry_writes_one_entry_per_account_and_a_rerun_expires_nothing(customer, other_customer, clock):
    with transaction.atomic():
        for who, amounts in ((customer, [(10, 30), (20, 50), (400, 70)]), (other_customer, [(5, 10)])):
            account = ledger.account_lock(who.pk)
            for days, amount in amounts:
                ledger.credit(account=account, kind="earn", points=amount, occurred_at=clock.current,
                              expires_at=clock.current + datetime.timedelta(days=days))
    with transaction.atomic():
        ledger.debit(account=ledger.account_lock(customer.pk), kind="redeem", points=40)  # 30 + 10 of the 50
    clock.advance(days=30)

    first = points.points_expire(batch_size=1)
    second = points.points_expire()

    assert first.as_dict() == {"accounts": 2, "points": 40 + 10, "batches": 2}
    assert second.as_dict() == {"accounts": 0, "points": 0, "batches": 0}
    expiries = PointsEntry.objects.filter(kind="expire")
    assert sorted(expiries.values_list("account__customer_id", "points")) == sorted(
        [(customer.pk, -40), (other_customer.pk, -10)])
    assert balance_agrees(customer) == 70
    assert balance_agrees(other_customer) == 0
    assert points.ledger_check().ok


def test_expired_points_cannot_be_redeemed_before_the_expiry_job_runs(customer, clock):
    with transaction.atomic():
        account = ledger.account_lock(customer.pk)
        ledger.credit(account=account, kind="earn", points=100, occurred_at=clock.current,
                      expires_at=clock.current + datetime.timedelta(days=1))
    clock.advance(days=2)

    with pytest.raises(points.InsufficientPoints) as refused, transaction.atomic():
        ledger.debit(account=ledger.account_lock(customer.pk), kind="redeem", points=10)
    assert (refused.value.available, refused.value.requested) == (0, 10)


def test_the_database_refuses_a_negative_balance_or_lot(customer, clock):
    with transaction.atomic():
        account = ledger.account_lock(customer.pk)
        entry = ledger.credit(account=account, kind="earn", points=10, occurred_at=NOON,
                              expires_at=NOON + datetime.timedelta(days=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsAccount.objects.filter(pk=account.pk).update(balance=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsLot.objects.filter(entry=entry).update(remaining=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsLot.objects.filter(entry=entry).update(remaining=11)


def test_the_check_command_reports_a_difference(customer, clock, capsys):
    with transaction.atomic():
        account = ledger.account_lock(customer.pk)
        ledger.credit(account=account, kind="earn", points=10, occurred_at=NOON,
                      expires_at=NOON + datetime.timedelta(days=1))
    call_command("loyalty_check")
    assert "The points ledger agrees." in capsys.readouterr().out

    PointsAccount.objects.filter(pk=account.pk).update(balance=15)  # a cached balance gone astray
    with pytest.raises(CommandError):
        call_command("loyalty_check")
    out = capsys.readouterr().out
    assert f"account {account.pk}: balance 15, entries 10, lots 10" in out
    assert points.ledger_check().accounts == [{"account": account.pk, "customer": customer.pk, "balance": 15,
                                               "entries": 10, "lots": 10}]


def test_the_summary_reads_balance_available_expiring_and_earned_in_one_query(customer, clock,
                                                                            django_assert_num_queries):
    from loyalty.selectors import points_summary_unrestricted

    with transaction.atomic():
        account = ledger.account_lock(customer.pk)
        for days, amount in ((10, 100), (100, 50), (1, 30)):
            ledger.credit(account=account, kind="earn", points=amount, occurred_at=clock.current,
                          expires_at=clock.current + datetime.timedelta(days=days))
    clock.advance(days=2)  # the 30 have expired, not yet swept

    with django_assert_num_queries(1):
        summary = points_summary_unrestricted(customer.pk)

    assert (summary.balance, summary.available, summary.expiring_soon, summary.earned_12m) == (180, 150,
                                                                                               100, 180)
    assert summary.next_expiry == NOON + datetime.timedelta(days=10)
