"""Earning under the rules: per occurrence, per amount, limits, tier multipliers, idempotency."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from loyalty import points
from loyalty.models import EntryKind, PointsEntry, PointsLot, Tier, TierMembership
from tests.loyalty.conftest import NOON, balance_agrees

pytestmark = pytest.mark.django_db


def test_an_activity_earns_its_rule_points_as_a_lot_expiring_after_the_rule_validity(customer, rules, clock):
    result = points.award_activity(customer=customer, activity="event_attendance", reference="EV-1:REG-7",
                                   occurred_at=NOON)

    assert (result.points, result.outcome, result.replayed) == (100, "earned", False)
    lot = PointsLot.objects.get(entry=result.entry)
    assert (lot.original, lot.remaining) == (100, 100)
    assert lot.expires_at == NOON + datetime.timedelta(days=365)
    assert result.entry.kind == EntryKind.EARN and result.entry.actor is None
    assert balance_agrees(customer) == 100


def test_a_retry_returns_the_first_result_and_earns_nothing_twice(customer, rules, clock):
    first = points.award_activity(customer=customer, activity="event_attendance", reference="EV-1:REG-7",
                                  occurred_at=NOON)
    again = points.award_activity(customer=customer, activity="event_attendance", reference="EV-1:REG-7",
                                  occurred_at=NOON)

    assert again.replayed is True
    assert again.entry.pk == first.entry.pk and again.points == 100
    assert PointsEntry.objects.count() == 1
    assert balance_agrees(customer) == 100


def test_the_same_reference_with_other_content_is_a_conflict_and_changes_nothing(customer, other_customer,
                                                                                  rules, clock):
    points.award_activity(customer=customer, activity="event_attendance", reference="EV-1:REG-7",
                          occurred_at=NOON)

    with pytest.raises(points.IdempotencyConflict):
        points.award_activity(customer=other_customer, activity="event_attendance", reference="EV-1:REG-7",
                              occurred_at=NOON)
    with pytest.raises(points.IdempotencyConflict):
        points.award_activity(customer=customer, activity="event_attendance", reference="EV-1:REG-7",
                              occurred_at=NOON - datetime.timedelta(hours=1))
    assert PointsEntry.objects.count() == 1
    assert not PointsEntry.objects.filter(account__customer=other_customer).exists()


def test_the_same_reference_under_another_activity_is_another_earn(customer, rules, clock):
    points.award_activity(customer=customer, activity="event_attendance", reference="R-1", occurred_at=NOON)
    points.award_activity(customer=customer, activity="birthday", reference="R-1", occurred_at=NOON)

    assert balance_agrees(customer) == 300


def test_an_amount_earns_per_whole_unit_up_to_the_period_limit(customer, service_account, rules, clock):
    first = points.activity_report(actor=service_account, customer=customer, activity="product:term_deposit",
                                   reference="TX-1", occurred_at=NOON, amount=Decimal("35099.99"))
    second = points.activity_report(actor=service_account, customer=customer, activity="product:term_deposit",
                                    reference="TX-2", occurred_at=NOON + datetime.timedelta(minutes=1),
                                    amount=Decimal("50000"))
    third = points.activity_report(actor=service_account, customer=customer, activity="product:term_deposit",
                                   reference="TX-3", occurred_at=NOON + datetime.timedelta(minutes=2),
                                   amount=Decimal("50000"))

    assert (first.points, first.outcome) == (350, "earned")
    assert (second.points, second.outcome) == (150, "limit_reached")
    assert (third.points, third.outcome, third.entry) == (0, "limit_reached", None)
    assert balance_agrees(customer) == 500


def test_the_limit_period_rolls(customer, service_account, rules, clock):
    points.activity_report(actor=service_account, customer=customer, activity="product:term_deposit",
                           reference="TX-1", occurred_at=NOON, amount=Decimal("50000"))
    clock.advance(days=30)
    later = points.activity_report(actor=service_account, customer=customer, activity="product:term_deposit",
                                   reference="TX-2", occurred_at=NOON + datetime.timedelta(days=30),
                                   amount=Decimal("20000"))

    assert later.points == 200


def test_the_tier_multiplier_applies_where_the_rule_says(customer, rules, clock):
    gold = Tier.objects.create(code="gold", name="Gold", rank=2, multiplier=Decimal("1.50"))
    TierMembership.objects.create(customer=customer, tier=gold, since=NOON.date(), reviewed_on=NOON.date())

    attended = points.award_activity(customer=customer, activity="event_attendance", reference="A",
                                     occurred_at=NOON)
    birthday = points.award_activity(customer=customer, activity="birthday", reference="B", occurred_at=NOON)

    assert (attended.points, birthday.points) == (150, 200)


def test_an_activity_without_an_active_rule_or_in_the_future_is_refused(customer, rules, clock):
    rules["birthday"].is_active = False
    rules["birthday"].save()
    with pytest.raises(ValidationError) as no_rule:
        points.award_activity(customer=customer, activity="birthday", reference="B", occurred_at=NOON)
    with pytest.raises(ValidationError) as future:
        points.award_activity(customer=customer, activity="event_attendance", reference="C",
                              occurred_at=NOON + datetime.timedelta(hours=1))

    assert set(no_rule.value.message_dict) == {"activity"}
    assert set(future.value.message_dict) == {"occurred_at"}
    assert not PointsEntry.objects.exists()


def test_only_a_service_account_reports_product_activity(customer, relationship_manager, rules, clock):
    with pytest.raises(PermissionDenied):
        points.activity_report(actor=relationship_manager, customer=customer, activity="product:term_deposit",
                               reference="TX-1", occurred_at=NOON, amount=Decimal("100"))
    assert not PointsEntry.objects.exists()


def test_a_reversal_takes_back_the_earn_from_its_own_lot_once(customer, service_account, rules, clock):
    old = points.award_activity(customer=customer, activity="birthday", reference="B", occurred_at=NOON)
    earn = points.activity_report(actor=service_account, customer=customer, activity="product:term_deposit",
                                  reference="TX-1", occurred_at=NOON, amount=Decimal("30000"))

    reversal = points.earn_reverse(actor=service_account, entry=earn.entry, reference="TX-1-R")
    again = points.earn_reverse(actor=service_account, entry=earn.entry, reference="TX-1-R")

    assert again.pk == reversal.pk and reversal.points == -300
    assert PointsLot.objects.get(entry=earn.entry).remaining == 0
    assert PointsLot.objects.get(entry=old.entry).remaining == 200
    assert balance_agrees(customer) == 200


def test_birthday_points_once_a_year_on_the_birthday(relationship_manager, branch, rules, clock):
    from tests.customers.factories import make_individual

    today = clock.current.date()
    born_today = make_individual(relationship_manager=relationship_manager, branch=branch,
                                 date_of_birth=datetime.date(1985, today.month, today.day))
    other_day = datetime.date(1985, 1, 1) if today.month != 1 else datetime.date(1985, 7, 1)
    make_individual(relationship_manager=relationship_manager, branch=branch, date_of_birth=other_day)

    assert points.birthdays_award(today=today) == 1
    assert points.birthdays_award(today=today) == 0
    assert list(PointsEntry.objects.values_list("account__customer_id", "activity", "points")) == [
        (born_today.pk, "birthday", 200)]
