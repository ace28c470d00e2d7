"""Demo data of the points, rewards and tiers area: earning rules, the tier ladder, a rewards
catalogue, and some points history (earns, a redemption, an expiry) for demo customers.

`seed_loyalty(customers=..., seed=..., as_of=None)` has the shape of crm's seed_demo
extensions (it yields lines to print) and may run twice: configuration is created once, the
history only while there is none. Writes go through the ledger and the services' primitives.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from customers.models import Customer
from loyalty.models import EarningRule, PointsEntry, Redemption, RedemptionStatus, Reward, Tier
from loyalty.points import ledger
from loyalty.tiers import tiers_review

RULES = [
    # activity, name, points, per unit, unit amount, validity days, multiplier, limit points, limit days
    ("product:term_deposit", "Term deposit placed", 0, 1, Decimal("1000"), 730, True, 20000, 30),
    ("product:wealth_product", "Wealth product bought", 0, 2, Decimal("1000"), 730, True, 40000, 30),
    ("product:fund", "Fund subscribed", 0, 2, Decimal("1000"), 730, True, 40000, 30),
    ("product:credit_card", "Card spending", 0, 1, Decimal("100"), 365, True, 5000, 30),
    ("event_attendance", "Event attended", 300, 0, None, 365, True, 1500, 365),
    ("course_completion", "Course completed", 500, 0, None, 365, True, 2000, 365),
    ("survey_completed", "Survey completed", 100, 0, None, 365, False, 400, 365),
    ("birthday", "Birthday", 888, 0, None, 90, False, 888, 365),
]
TIERS = [
    ("silver", "Silver", 1, 2000, Decimal("50000"), Decimal("1.00"), []),
    ("gold", "Gold", 2, 10000, Decimal("500000"), Decimal("1.20"), ["fund"]),
    ("platinum", "Platinum", 3, 30000, Decimal("2000000"), Decimal("1.50"), ["wealth_product", "insurance"]),
    ("diamond", "Diamond", 4, 80000, Decimal("6000000"), Decimal("2.00"), ["wealth_product"]),
]
REWARDS = [
    ("coffee-voucher", "Coffee voucher", 500, None, []),
    ("movie-tickets", "Two cinema tickets", 1800, 500, []),
    ("airport-lounge", "Airport lounge visit", 6000, 200, ["gold", "platinum", "diamond"]),
    ("health-check", "Annual health check", 20000, 50, ["platinum", "diamond"]),
    ("golf-day", "Golf day", 45000, 20, ["diamond"]),
]


def _configure() -> None:
    for activity, name, points, per_unit, unit, validity, multiplier, limit, days in RULES:
        EarningRule.objects.get_or_create(activity=activity, defaults={
            "name": name, "points": points, "points_per_unit": per_unit, "unit_amount": unit,
            "validity_days": validity, "tier_multiplier": multiplier, "limit_points": limit,
            "limit_days": days})
    for code, name, rank, points, aum, multiplier, products in TIERS:
        Tier.objects.get_or_create(code=code, defaults={"name": name, "rank": rank, "min_points": points,
                                                        "min_aum": aum, "multiplier": multiplier,
                                                        "required_products": products})
    tiers = {tier.code: tier for tier in Tier.objects.all()}
    for code, name, cost, stock, eligible in REWARDS:
        reward, created = Reward.objects.get_or_create(code=code, defaults={"name": name, "points_cost": cost,
                                                                           "stock": stock})
        if created and eligible:
            reward.eligible_tiers.set([tiers[tier] for tier in eligible])


def _history(rng: random.Random, *, limit: int, now: datetime.datetime) -> int:
    rules = {rule.activity: rule for rule in EarningRule.objects.all()}
    coffee = Reward.objects.get(code="coffee-voucher")
    chosen = list(Customer.objects.filter(merged_into__isnull=True).order_by("pk").values_list("pk",
                                                                                               flat=True)
                  [:limit])
    for customer_id in chosen:
        with transaction.atomic():
            account = ledger.account_lock(customer_id)
            for _index in range(rng.randint(2, 8)):
                rule = rules[rng.choice(list(rules))]
                occurred = now - datetime.timedelta(days=rng.randint(1, 500), hours=rng.randint(0, 23))
                points = rule.points or rng.randint(1, 60) * rule.points_per_unit * 50
                ledger.credit(account=account, kind="earn", points=points, occurred_at=occurred,
                              expires_at=occurred + datetime.timedelta(days=rule.validity_days),
                              activity=rule.activity, rule=rule,
                              reference=f"DEMO-{customer_id}-{rng.randint(10**6, 10**7)}")
            if ledger.available_points(account) >= coffee.points_cost and rng.random() < 0.3:
                entry = ledger.debit(account=account, kind="redeem", points=coffee.points_cost,
                                     reference=f"reward:{coffee.code}")
                Redemption.objects.create(customer_id=customer_id, reward=coffee, points=coffee.points_cost,
                                          status=RedemptionStatus.FULFILLED, entry=entry,
                                          requested_by_id=_demo_staff(customer_id), requested_at=now)
    return len(chosen)


def _demo_staff(customer_id: int) -> int:
    return Customer.objects.filter(pk=customer_id).values_list("relationship_manager_id", flat=True).first() \
        or _any_staff()


def _any_staff() -> int:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.order_by("pk").values_list("pk", flat=True).first()


def seed_loyalty(*, customers: int, seed: int, as_of: datetime.date | None = None) -> Iterator[str]:
    """Create the loyalty configuration, then (once) points history for up to 300 demo
    customers, expire what is past its date and run a tier review. Yield lines to print."""
    rng = random.Random(f"demo-loyalty:{seed}")
    now = timezone.now() if as_of is None else datetime.datetime.combine(as_of, datetime.time(12),
                                                                         tzinfo=datetime.UTC)
    _configure()
    yield f"Loyalty: {EarningRule.objects.count()} earning rules, {Tier.objects.count()} tiers, " \
          f"{Reward.objects.count()} rewards"
    if PointsEntry.objects.exists() or not customers:
        return
    count = _history(rng, limit=min(customers, 300), now=now)
    from loyalty.points import points_expire

    expired = points_expire(now=now)
    review = tiers_review(today=now.date())
    yield f"Loyalty: points history for {count} customers, {expired.points} points expired, " \
          f"{sum(review.changes.values())} tier changes"


from loyalty.demo.engagement import seed_engagement  # noqa: E402 - events and surveys, after the points

__all__ = ["seed_engagement", "seed_loyalty"]
