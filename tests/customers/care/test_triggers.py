"""Each life-event trigger creates one follow-up per event, however often the scan runs, and
says why without decrypting anything."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from customers.care import generation
from customers.care.reasons import reason_text
from customers.care.triggers import birthday_month_days
from customers.models import AumSnapshot, Customer, FollowUp, ProductType, TriggerKind, TriggerRule
from tests.customers.factories import make_holding, make_individual

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_plans")]


def _only(kind):
    TriggerRule.objects.exclude(kind=kind).update(is_active=False)
    return TriggerRule.objects.get(kind=kind, is_active=True)


def _run_twice(today):
    first = generation.follow_ups_generate(today=today)
    second = generation.follow_ups_generate(today=today)
    return first, second


def _day(value):
    return date_format(value, "MONTH_DAY_FORMAT")


def test_a_maturing_deposit_fires_once_with_the_masked_account(relationship_manager, branch):
    _only(TriggerKind.MATURITY)
    today = timezone.localdate()
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    matures = today + datetime.timedelta(days=12)
    make_holding(
        customer,
        product_type=ProductType.TERM_DEPOSIT,
        product_name="12-month deposit",
        account_number="6222 0210 0100 1234",
        matures_on=matures,
    )
    make_holding(
        customer,
        product_type=ProductType.TERM_DEPOSIT,
        product_name="Later deposit",
        matures_on=today + datetime.timedelta(days=45),
    )
    make_holding(customer, product_type=ProductType.SAVINGS_ACCOUNT, matures_on=matures)

    first, second = _run_twice(today)

    assert first.triggered[TriggerKind.MATURITY] == 1
    assert second.triggered[TriggerKind.MATURITY] == 0
    follow_up = FollowUp.objects.get(customer=customer)
    assert follow_up.reason_data["account"] == "****1234"
    assert follow_up.due_on == today
    with translation.override("en"):
        assert reason_text(follow_up) == f"Term deposit ****1234 matures on {_day(matures)}"


def test_a_birthday_fires_once_per_year(relationship_manager, branch):
    _only(TriggerKind.BIRTHDAY)
    today = datetime.date(2026, 12, 4)
    born = datetime.date(1984, 12, 7)
    customer = make_individual(relationship_manager=relationship_manager, branch=branch, date_of_birth=born)
    make_individual(
        relationship_manager=relationship_manager, branch=branch, date_of_birth=datetime.date(1984, 12, 20)
    )

    first, second = _run_twice(today)
    generation.follow_ups_generate(today=today + datetime.timedelta(days=2))

    assert first.triggered[TriggerKind.BIRTHDAY] == 1
    assert second.triggered[TriggerKind.BIRTHDAY] == 0
    follow_up = FollowUp.objects.get(customer=customer)
    assert follow_up.cycle_key == "birthday:2026"
    assert follow_up.due_on == datetime.date(2026, 12, 7)
    with translation.override("en"):
        assert reason_text(follow_up) == f"Birthday on {_day(datetime.date(2026, 12, 7))}"
    assert FollowUp.objects.count() == 1


def test_the_birthday_hint_keeps_only_month_and_day(relationship_manager, branch):
    customer = make_individual(
        relationship_manager=relationship_manager, branch=branch, date_of_birth=datetime.date(1975, 3, 14)
    )

    assert customer.individual.birthday_hint == "03-14"
    from customers.models import IndividualProfile

    assert IndividualProfile.objects.values_list("birthday_hint", flat=True).get(pk=customer.pk) == "03-14"


def test_a_29_february_birthday_is_kept_on_the_28th_in_other_years():
    hints, dates = birthday_month_days(datetime.date(2027, 2, 27), 2)

    assert list(zip(hints, dates, strict=True)) == [
        ("02-27", datetime.date(2027, 2, 27)),
        ("02-28", datetime.date(2027, 2, 28)),
        ("02-29", datetime.date(2027, 2, 28)),
        ("03-01", datetime.date(2027, 3, 1)),
    ]


@pytest.mark.parametrize(
    ("kind", "column", "words"),
    [
        (TriggerKind.KYC_REVIEW, "kyc_review_due_on", "KYC review due on"),
        (TriggerKind.RISK_REVIEW, "risk_review_due_on", "Risk profile review due on"),
    ],
)
def test_a_review_falling_due_fires_once(relationship_manager, branch, kind, column, words):
    _only(kind)
    today = timezone.localdate()
    due = today + datetime.timedelta(days=20)
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    later = make_individual(relationship_manager=relationship_manager, branch=branch)
    Customer.objects.filter(pk=customer.pk).update(**{column: due})
    Customer.objects.filter(pk=later.pk).update(**{column: today + datetime.timedelta(days=60)})

    first, second = _run_twice(today)

    assert (first.triggered[kind], second.triggered[kind]) == (1, 0)
    follow_up = FollowUp.objects.get()
    assert follow_up.customer_id == customer.pk
    with translation.override("en"):
        assert reason_text(follow_up) == f"{words} {_day(due)}"


def test_a_large_drop_in_aum_fires_once_against_the_snapshot(relationship_manager, branch):
    _only(TriggerKind.AUM_DROP)
    today = timezone.localdate()
    dropped = make_individual(relationship_manager=relationship_manager, branch=branch)
    steady = make_individual(relationship_manager=relationship_manager, branch=branch)
    taken = today - datetime.timedelta(days=10)
    AumSnapshot.objects.create(customer=dropped, aum=Decimal("1000000.00"), taken_on=taken)
    AumSnapshot.objects.create(customer=steady, aum=Decimal("1000000.00"), taken_on=taken)
    Customer.objects.filter(pk=dropped.pk).update(aum=Decimal("640000.00"))  # -36%
    Customer.objects.filter(pk=steady.pk).update(aum=Decimal("850000.00"))  # -15%, under 20%

    first, second = _run_twice(today)

    assert (first.triggered[TriggerKind.AUM_DROP], second.triggered[TriggerKind.AUM_DROP]) == (1, 0)
    follow_up = FollowUp.objects.get()
    assert follow_up.customer_id == dropped.pk
    assert follow_up.reason_data == {"percent": 36, "since": taken.isoformat()}
    with translation.override("en"):
        assert reason_text(follow_up) == f"Assets down 36% since {_day(taken)}"
    # Snapshots younger than the window are kept; the customer's amount is not in the reason.
    assert AumSnapshot.objects.get(customer=dropped).taken_on == taken


def test_a_stale_snapshot_is_retaken_after_the_scan(relationship_manager, branch):
    _only(TriggerKind.AUM_DROP)
    today = timezone.localdate()
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    AumSnapshot.objects.create(
        customer=customer, aum=Decimal("1.00"), taken_on=today - datetime.timedelta(days=90)
    )

    generation.follow_ups_generate(today=today)

    snapshot = AumSnapshot.objects.get(customer=customer)
    assert (snapshot.taken_on, snapshot.aum) == (today, Customer.objects.get(pk=customer.pk).aum)


def test_a_dormant_customer_fires_once_per_dormancy(relationship_manager, branch):
    _only(TriggerKind.DORMANT)
    today = timezone.localdate()
    quiet = make_individual(relationship_manager=relationship_manager, branch=branch)
    recent = make_individual(relationship_manager=relationship_manager, branch=branch)
    Customer.objects.filter(pk=quiet.pk).update(last_contact_at=timezone.now() - datetime.timedelta(days=200))
    Customer.objects.filter(pk=recent.pk).update(last_contact_at=timezone.now() - datetime.timedelta(days=20))

    first, second = _run_twice(today)

    assert (first.triggered[TriggerKind.DORMANT], second.triggered[TriggerKind.DORMANT]) == (1, 0)
    follow_up = FollowUp.objects.get()
    assert follow_up.customer_id == quiet.pk
    with translation.override("en"):
        assert reason_text(follow_up) == "No contact for more than 180 days"


def test_an_inactive_rule_fires_nothing(relationship_manager, branch):
    TriggerRule.objects.update(is_active=False)
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    Customer.objects.filter(pk=customer.pk).update(kyc_review_due_on=timezone.localdate())

    result = generation.follow_ups_generate()

    assert result.triggered == {}
    assert not FollowUp.objects.exists()
