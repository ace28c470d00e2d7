"""Tier qualification and the monthly review: points earned and average AUM over 12 months,
upgrades at once, downgrades after the grace period."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from customers.models import Customer
from loyalty import tiers
from loyalty.models import AumSample, Tier, TierChange, TierMembership
from loyalty.points import ledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def ladder(db):
    return {
        "silver": Tier.objects.create(code="silver", name="Silver", rank=1, min_points=1000, min_aum=0),
        "gold": Tier.objects.create(code="gold", name="Gold", rank=2, min_points=5000,
                                    min_aum=Decimal("500000"), required_products=["fund"]),
        "platinum": Tier.objects.create(code="platinum", name="Platinum", rank=3, min_points=20000,
                                        min_aum=Decimal("2000000")),
    }


def _earn(customer, points, when, *, valid_days=800, kind="earn"):
    with transaction.atomic():
        account = ledger.account_lock(customer.pk)
        return ledger.credit(account=account, kind=kind, points=points, occurred_at=when,
                             expires_at=when + datetime.timedelta(days=valid_days))


def _aum(customer, value):
    Customer.objects.filter(pk=customer.pk).update(aum=Decimal(value))


@pytest.mark.parametrize(("points", "aum", "expected"), [
    (999, "0", None),
    (1000, "0", "silver"),  # exactly the threshold qualifies
    (5000, "499999.99", "silver"),  # points alone are not enough
    (4999, "9000000", "silver"),  # nor AUM alone
    (5000, "500000", "gold"),
    (25000, "2000000", "platinum"),
])
def test_qualification_needs_both_thresholds(ladder, points, aum, expected):
    tier = tiers.qualifying_tier(points_12m=points, average_aum=Decimal(aum))
    assert (tier.code if tier else None) == expected


def test_the_review_qualifies_on_points_earned_not_the_balance(customer, ladder, clock):
    today = clock.current.date()
    _earn(customer, 1200, clock.current - datetime.timedelta(days=10))
    with transaction.atomic():  # spending points does not lose the tier
        ledger.debit(account=ledger.account_lock(customer.pk), kind="redeem", points=1200)

    result = tiers.tiers_review(today=today)

    assert result.changes == {"joined": 1, "upgrade": 0, "downgrade": 0}
    assert tiers.current_tier(customer) == ladder["silver"]
    membership = TierMembership.objects.get(customer=customer)
    assert (membership.points_12m, membership.since) == (1200, today)


def test_points_older_than_twelve_months_do_not_count(customer, ladder, clock):
    _earn(customer, 5000, clock.current - datetime.timedelta(days=366))
    _earn(customer, 999, clock.current - datetime.timedelta(days=364))

    tiers.tiers_review(today=clock.current.date())

    assert tiers.current_tier(customer) is None
    assert not TierMembership.objects.filter(customer=customer).exists()


def test_average_aum_over_the_monthly_samples_decides(customer, ladder, clock):
    today = clock.current.date()
    month = today.replace(day=1)
    _earn(customer, 6000, clock.current - datetime.timedelta(days=5))
    # Eleven earlier months at 400k, this month at 1.6M: the average is 500k exactly.
    for back in range(1, 12):
        index = month.year * 12 + month.month - 1 - back
        AumSample.objects.create(customer=customer, month=datetime.date(index // 12, index % 12 + 1, 1),
                                 aum=Decimal("400000"))
    _aum(customer, "1600000")

    tiers.tiers_review(today=today)

    membership = TierMembership.objects.get(customer=customer)
    assert membership.average_aum == Decimal("500000.00")
    assert membership.tier == ladder["gold"]


def test_an_upgrade_is_at_once_and_a_downgrade_waits_for_the_grace_period(customer, ladder, clock):
    start = clock.current.date()
    _earn(customer, 6000, clock.current - datetime.timedelta(days=5))
    _aum(customer, "600000")
    tiers.tiers_review(today=start, grace_days=90)
    assert tiers.current_tier(customer) == ladder["gold"]

    _aum(customer, "0")  # the average falls as months at zero accumulate
    AumSample.objects.filter(customer=customer).delete()
    first_short = start + datetime.timedelta(days=31)
    tiers.tiers_review(today=first_short, grace_days=90)
    membership = TierMembership.objects.get(customer=customer)
    assert (membership.tier, membership.qualified_tier, membership.below_since) == (
        ladder["gold"], ladder["silver"], first_short)

    tiers.tiers_review(today=first_short + datetime.timedelta(days=89), grace_days=90)
    assert tiers.current_tier(customer) == ladder["gold"]

    result = tiers.tiers_review(today=first_short + datetime.timedelta(days=90), grace_days=90)
    assert result.changes["downgrade"] == 1
    membership.refresh_from_db()
    assert (membership.tier, membership.below_since) == (ladder["silver"], None)
    assert list(TierChange.objects.filter(customer=customer).order_by("reviewed_on")
                .values_list("kind", "from_tier__code", "to_tier__code")) == [
        ("joined", None, "gold"), ("downgrade", "gold", "silver")]


def test_qualifying_again_within_the_grace_period_keeps_the_tier(customer, ladder, clock):
    start = clock.current.date()
    _earn(customer, 6000, clock.current - datetime.timedelta(days=5))
    _aum(customer, "600000")
    tiers.tiers_review(today=start, grace_days=90)
    AumSample.objects.filter(customer=customer).delete()
    _aum(customer, "0")
    tiers.tiers_review(today=start + datetime.timedelta(days=31), grace_days=90)
    AumSample.objects.filter(customer=customer).delete()
    _aum(customer, "700000")

    tiers.tiers_review(today=start + datetime.timedelta(days=62), grace_days=90)

    membership = TierMembership.objects.get(customer=customer)
    assert (membership.tier, membership.below_since) == (ladder["gold"], None)
    assert TierChange.objects.filter(customer=customer).count() == 1


def test_a_rerun_of_the_review_changes_nothing(customer, other_customer, ladder, clock):
    today = clock.current.date()
    _earn(customer, 1500, clock.current - datetime.timedelta(days=1))
    first = tiers.tiers_review(today=today, batch_size=1)
    second = tiers.tiers_review(today=today, batch_size=1)

    assert first.changes["joined"] == 1
    assert second.changes == {"joined": 0, "upgrade": 0, "downgrade": 0}
    assert TierChange.objects.count() == 1
    assert AumSample.objects.filter(month=today.replace(day=1)).count() == Customer.objects.count()


def test_the_growth_plan_names_the_next_tier_and_what_is_missing(customer, ladder, clock):
    _earn(customer, 1500, clock.current - datetime.timedelta(days=1))
    _aum(customer, "200000")
    tiers.tiers_review(today=clock.current.date())

    plan = tiers.growth_plan(Customer.objects.get(pk=customer.pk))

    assert (plan.tier, plan.next_tier) == (ladder["silver"], ladder["gold"])
    assert (plan.missing_points, plan.missing_aum, plan.missing_products) == (3500, Decimal("300000.00"),
                                                                              ["fund"])
    assert [item.kind for item in plan.milestones] == ["points", "aum", "product"]
    assert [item.met for item in plan.milestones] == [False, False, False]
    assert plan.progress == 0


def test_tier_changes_go_on_the_timeline_and_are_told_once(customer, ladder, clock, settings):
    from customers.models import ContactLog, Interaction
    from tests.factories import UserFactory

    settings.LOYALTY_SERVICE_ACCOUNT = "svc.loyalty"
    UserFactory(role="service_account", branch=None, username="svc.loyalty")
    _earn(customer, 1500, clock.current - datetime.timedelta(days=1))
    tiers.tiers_review(today=clock.current.date())

    first = tiers.tier_changes_announce()
    second = tiers.tier_changes_announce()

    assert first.as_dict() == {"announced": 1, "told": 1, "refused": 0}
    assert second.as_dict() == {"announced": 0, "told": 0, "refused": 0}
    change = TierChange.objects.get()
    interaction = Interaction.objects.get(customer=customer)
    assert (interaction.system, interaction.staff, interaction.external_reference) == (
        "loyalty", None, f"loyalty-tier:{change.pk}")
    assert interaction.summary == f"Loyalty tier joined: - -> Silver (review of {change.reviewed_on})"
    log = ContactLog.objects.get(customer=customer)
    assert (log.sender_kind, log.sender_id, log.purpose, log.outcome) == (
        "notice", f"tier-change:{change.pk}", "service", "sent")
