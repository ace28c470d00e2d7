"""What the generator decides about a customer before any row exists, and the figures it
draws with: plans, counts, and the money and date helpers every part of a plan uses."""

from __future__ import annotations

import datetime
import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from customers.demo.reference import CENT
from customers.models import HoldingStatus

__all__ = [
    "DemoStats",
    "HoldingPlan",
    "Plan",
    "arrears",
    "lognormal",
    "money",
    "round_to",
    "split",
    "years_before",
]


@dataclass
class HoldingPlan:
    """One product a customer holds, with its account number in clear (encrypted on writing)."""

    product_type: str
    product_name: str
    balance: Decimal
    currency: str
    status: str
    opened_on: datetime.date
    matures_on: datetime.date | None
    account_number: str


@dataclass
class Plan:
    """Everything about one customer, decided before writing.

    `customer` and `profile` map field names to plaintext values; `links_out` holds
    (index of the other plan in the batch, relationship kind, role, share) with this customer
    as the relationship's `from` side. The trailing attributes only steer later draws
    (households, company officers).
    """

    kind: str
    branch_code: str
    manager_id: int | None
    customer: dict
    profile: dict
    holdings: list[HoldingPlan] = field(default_factory=list)
    interactions: list[dict] = field(default_factory=list)
    needs: list[dict] = field(default_factory=list)
    links_out: list[tuple[int, str, str, Decimal | None]] = field(default_factory=list)
    age: int = 0
    gender: str = ""
    married_to: int | None = None
    name_style: str = ""
    family: tuple[str, str] | None = None


@dataclass
class DemoStats:
    """Counts of what was written (for progress lines and tests)."""

    customers: int = 0
    individuals: int = 0
    corporates: int = 0
    holdings: int = 0
    interactions: int = 0
    needs: int = 0
    relationships: int = 0
    relationship_managers_created: int = 0
    segments: Counter = field(default_factory=Counter)

    def add(self, other: DemoStats) -> None:
        """Add `other`'s counts to these (the staff count is the run's, not a batch's)."""
        self.customers += other.customers
        self.individuals += other.individuals
        self.corporates += other.corporates
        self.holdings += other.holdings
        self.interactions += other.interactions
        self.needs += other.needs
        self.relationships += other.relationships
        self.segments.update(other.segments)


def lognormal(rng: random.Random, median: float, sigma: float) -> float:
    """A log-normal draw around `median`: incomes, balances and revenues are skewed so."""
    return median * math.exp(rng.gauss(0.0, sigma))


def money(value: float) -> Decimal:
    """`value` as an amount in cents."""
    return Decimal(str(round(value, 2))).quantize(CENT)


def arrears(rng: random.Random, share: float) -> str:
    """A loan or card status: in arrears for `share` of them."""
    return HoldingStatus.IN_ARREARS if rng.random() < share else HoldingStatus.ACTIVE


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def round_to(value: float, unit: int) -> Decimal:
    """`value` rounded to a multiple of `unit` (at least one unit), in cents."""
    return Decimal(max(unit, round(value / unit) * unit)).quantize(CENT)


def split(total: Decimal, weights: Sequence[float]) -> list[Decimal]:
    """`total` in parts proportional to `weights`; the first part takes the rounding."""
    scale = sum(weights)
    parts = [(total * Decimal(str(weight / scale))).quantize(CENT) for weight in weights]
    parts[0] += total - sum(parts)
    return parts
