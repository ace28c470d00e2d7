"""The daily follow-up run: exactly once per customer per cycle, however often it runs, when
two runs race, and after a run that died half-way; assignment to the RM or the delegate;
reassignment moving open follow-ups; overdue marking."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.roles import Role
from customers import services
from customers.care import generation
from customers.care.periods import cycle_of
from customers.models import BookDelegation, ContactPlan, FollowUp, FollowUpStatus
from tests.customers.factories import make_corporate, make_individual
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("no_triggers", "whole_cycle")


def _book(rm, branch, count=5, segment="private"):
    return [make_individual(relationship_manager=rm, branch=branch, segment=segment) for _ in range(count)]


def _keys():
    return sorted(FollowUp.objects.values_list("customer_id", "cycle_key"))


@pytest.mark.django_db
def test_one_follow_up_per_customer_per_cycle_however_often_it_runs(relationship_manager, branch):
    customers = _book(relationship_manager, branch, count=4)
    today = timezone.localdate()

    first = generation.follow_ups_generate(today=today, batch_size=2)
    second = generation.follow_ups_generate(today=today, batch_size=2)

    assert first.planned == 4
    assert second.planned == 0
    cycle = cycle_of(today=today, interval_months=1)
    plan = ContactPlan.objects.get(segment="private", is_active=True)
    assert {key for _, key in _keys()} == {f"plan:{plan.pk}:{cycle.starts_on.isoformat()}"}
    follow_ups = FollowUp.objects.order_by("customer_id")
    assert [f.customer_id for f in follow_ups] == sorted(c.pk for c in customers)
    for follow_up in follow_ups:
        assert follow_up.assigned_to_id == relationship_manager.pk
        assert follow_up.reason == "plan"
        assert follow_up.reason_data == {"months": 1}
        assert cycle.starts_on <= follow_up.due_on <= cycle.ends_on
        assert follow_up.due_on >= today


@pytest.mark.django_db
def test_the_next_cycle_creates_the_next_follow_up(relationship_manager, branch):
    customer = _book(relationship_manager, branch, count=1, segment="vip")[0]  # quarterly
    generation.follow_ups_generate(today=datetime.date(2026, 12, 4))
    generation.follow_ups_generate(today=datetime.date(2027, 2, 27))  # same quarter
    generation.follow_ups_generate(today=datetime.date(2027, 1, 2))

    assert FollowUp.objects.filter(customer=customer).count() == 2
    keys = sorted(FollowUp.objects.values_list("cycle_key", flat=True))
    assert [key.rsplit(":", 1)[1] for key in keys] == ["2026-10-01", "2027-01-01"]


@pytest.mark.django_db
def test_customers_without_a_plan_rm_or_open_relationship_get_none(relationship_manager, branch):
    ContactPlan.objects.filter(segment="mass").update(is_active=False)
    make_individual(relationship_manager=relationship_manager, branch=branch, segment="mass")
    make_individual(relationship_manager=None, branch=branch, segment="private")
    closed = make_individual(relationship_manager=relationship_manager, branch=branch, segment="private",
                             status="closed")
    corporate = make_corporate(relationship_manager=relationship_manager, branch=branch, segment="sme")

    generation.follow_ups_generate()

    assert list(FollowUp.objects.values_list("customer_id", flat=True)) == [corporate.pk]
    assert not FollowUp.objects.filter(customer=closed).exists()


@pytest.mark.django_db
def test_a_run_that_died_half_way_is_completed_by_a_rerun(relationship_manager, branch, monkeypatch):
    customers = _book(relationship_manager, branch, count=6)
    real = generation.generate_range
    calls = {"n": 0}

    def dies_on_the_third_batch(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise DatabaseError("worker lost")
        return real(**kwargs)

    monkeypatch.setattr(generation, "generate_range", dies_on_the_third_batch)
    low = min(c.pk for c in customers)
    with pytest.raises(DatabaseError):
        generation.follow_ups_generate(batch_size=2, start_after=low - 1)
    assert FollowUp.objects.count() == 4  # the two batches before the failure committed

    monkeypatch.setattr(generation, "generate_range", real)
    rerun = generation.follow_ups_generate(batch_size=2)

    assert rerun.planned == 2
    assert sorted(FollowUp.objects.values_list("customer_id", flat=True)) == sorted(c.pk for c in customers)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_create_each_follow_up_once(relationship_manager, branch):
    customers = _book(relationship_manager, branch, count=8)
    results, errors = [], []
    start = threading.Barrier(2)

    def run():
        try:
            start.wait()
            results.append(generation.follow_ups_generate(batch_size=3).planned)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(results) == 8
    assert sorted(FollowUp.objects.values_list("customer_id", flat=True)) == sorted(c.pk for c in customers)


@pytest.mark.django_db
def test_the_run_is_set_based(relationship_manager, branch):
    _book(relationship_manager, branch, count=3)
    generation.follow_ups_generate(batch_size=100000)  # warm the plan and rule caches
    FollowUp.objects.all().delete()
    _book(relationship_manager, branch, count=12)

    with CaptureQueriesContext(connection) as few:
        generation.follow_ups_generate(batch_size=100000)

    assert FollowUp.objects.count() == 15
    FollowUp.objects.all().delete()
    _book(relationship_manager, branch, count=30)
    with CaptureQueriesContext(connection) as more:
        generation.follow_ups_generate(batch_size=100000)
    assert FollowUp.objects.count() == 45
    assert len(more) == len(few)


@pytest.mark.django_db
def test_follow_ups_go_to_the_delegate_while_a_delegation_runs(relationship_manager, branch, branch_manager):
    customer = _book(relationship_manager, branch, count=1)[0]
    delegate = UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=branch, username="rm.cover")
    today = timezone.localdate()
    delegation = services.delegation_create(
        actor=branch_manager, relationship_manager=relationship_manager, delegate=delegate, starts_on=today,
        ends_on=today + datetime.timedelta(days=5), reason="Annual leave",
    )

    generation.follow_ups_generate(today=today)
    assert FollowUp.objects.get(customer=customer).assigned_to_id == delegate.pk

    services.delegation_end(actor=branch_manager, delegation=delegation)
    result = generation.follow_ups_generate(today=today)

    assert result.moved == 1
    assert FollowUp.objects.get(customer=customer).assigned_to_id == relationship_manager.pk
    assert BookDelegation.objects.count() == 1


@pytest.mark.django_db
def test_reassignment_moves_open_follow_ups_only(relationship_manager, branch, branch_manager):
    first, second = _book(relationship_manager, branch, count=2)
    generation.follow_ups_generate()
    done = FollowUp.objects.get(customer=second)
    FollowUp.objects.filter(pk=done.pk).update(status=FollowUpStatus.DONE)
    successor = UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=branch, username="rm.next")

    services.customers_reassign(actor=branch_manager, customer_ids=[first.pk, second.pk],
                                relationship_manager=successor)

    assert FollowUp.objects.get(customer=first).assigned_to_id == successor.pk
    assert FollowUp.objects.get(customer=second).assigned_to_id == relationship_manager.pk


@pytest.mark.django_db
def test_open_follow_ups_past_their_date_are_marked_overdue(relationship_manager, branch):
    customer = _book(relationship_manager, branch, count=1)[0]
    today = timezone.localdate()
    generation.follow_ups_generate(today=today)
    follow_up = FollowUp.objects.get(customer=customer)

    result = generation.follow_ups_generate(today=follow_up.due_on + datetime.timedelta(days=1))

    follow_up.refresh_from_db()
    assert result.overdue == 1
    assert follow_up.status == FollowUpStatus.OVERDUE


@pytest.mark.django_db
def test_a_day_already_passed_in_the_cycle_is_spread_over_what_is_left_of_it(relationship_manager,
                                                                             branch):
    # A monthly book on the 21st: most customers' spread days have passed (a first run).
    customers = _book(relationship_manager, branch, count=12)
    today = datetime.date(2026, 12, 21)
    cycle = cycle_of(today=today, interval_months=1)
    generation.follow_ups_generate(today=today)

    days = {f.customer_id: f.due_on for f in FollowUp.objects.all()}
    assert set(days) == {customer.pk for customer in customers}
    for customer in customers:
        own_day = cycle.starts_on + datetime.timedelta(days=customer.pk % cycle.days)
        if own_day >= today:
            assert days[customer.pk] == own_day
        else:
            assert today <= days[customer.pk] <= cycle.ends_on
    passed = [days[c.pk] for c in customers
              if cycle.starts_on + datetime.timedelta(days=c.pk % cycle.days) < today]
    assert len(set(passed)) > 1, "the backlog is not all due on one day"
