"""One batch of demo customers planned from its own random stream."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from customers.demo.organisations import plan_corporate
from customers.demo.people import plan_individual
from customers.demo.plans import Plan, years_before
from customers.demo.reference import BRANCH_PLAN, CORPORATE_SHARE, HISTORY_DAYS
from customers.models import CustomerStatus

__all__ = ["BatchPlanner"]


class BatchPlanner:
    """Draws the plans of one batch of customers from `rng`, relative to the demo date `as_of`.

    Holds what later customers of the batch draw on: the plans so far and, per branch, the
    indexes of individuals (spouses, children, company officers) and corporates (parent
    companies). `managers` maps branch codes to RM user ids, `floor_staff` branch codes to
    the branch-staff user who logs counter interactions, `rates` currencies to CNY.
    """

    def __init__(self, *, rng: random.Random, as_of: datetime.date, managers: dict[str, list[int]],
                 floor_staff: dict[str, int], rates: dict[str, Decimal]):
        self.rng = rng
        self.as_of = as_of
        self.managers = managers
        self.floor_staff = floor_staff
        self.rates = rates
        self.branch_codes = list(BRANCH_PLAN)
        self.branch_weights = [share for _city, share in BRANCH_PLAN.values()]
        self.zone = timezone.get_current_timezone()
        self.plans: list[Plan] = []
        self.individuals_by_branch: dict[str, list[int]] = defaultdict(list)
        self.corporates_by_branch: dict[str, list[int]] = defaultdict(list)

    def plan_batch(self, size: int) -> list[Plan]:
        """Plan `size` more customers and return every plan of the batch, in order."""
        for _ in range(size):
            branch_code = self.rng.choices(self.branch_codes, weights=self.branch_weights)[0]
            if self.rng.random() < CORPORATE_SHARE:
                plan = plan_corporate(self, branch_code)
                self.corporates_by_branch[branch_code].append(len(self.plans))
            else:
                plan = plan_individual(self, branch_code)
                self.individuals_by_branch[branch_code].append(len(self.plans))
            self.plans.append(plan)
        return self.plans

    # Draws shared by every part of a plan ------------------------------------------------

    def date_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        """A day from `start` to `end` inclusive (`start` if the range is empty)."""
        if end <= start:
            return start
        return start + datetime.timedelta(days=self.rng.randrange((end - start).days + 1))

    def moment(self, earliest: datetime.date, latest: datetime.date | None = None) -> datetime.datetime:
        """A time of day between 08:00 and 21:00 on a day from `earliest` (at most two years
        ago) to `latest` (default: yesterday, so nothing lies in the future)."""
        start = max(earliest, self.as_of - datetime.timedelta(days=HISTORY_DAYS))
        day = self.date_between(start, latest or self.as_of - datetime.timedelta(days=1))
        return datetime.datetime.combine(
            day, datetime.time(self.rng.randrange(8, 21), self.rng.randrange(60), self.rng.randrange(60)),
            tzinfo=self.zone,
        )

    def birth_date(self, age: int) -> datetime.date:
        """A date of birth that makes the customer `age` years old on the demo date."""
        latest = years_before(self.as_of, age)
        earliest = years_before(self.as_of, age + 1) + datetime.timedelta(days=1)
        return self.date_between(earliest, latest)

    def status(self) -> str:
        """A customer status: mostly active, some dormant, a few prospects and closed."""
        draw = self.rng.random()
        if draw < 0.94:
            return CustomerStatus.ACTIVE
        if draw < 0.98:
            return CustomerStatus.DORMANT
        if draw < 0.995:
            return CustomerStatus.PROSPECT
        return CustomerStatus.CLOSED

    def manager(self, branch_code: str) -> int:
        """One of the branch's relationship managers."""
        return self.rng.choice(self.managers[branch_code])
