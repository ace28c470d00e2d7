"""The cycle of a contact plan that a day falls in.

A plan every n months has cycles starting on the first of a month, aligned on n-month
boundaries counted from year 0 (quarterly: January, April, July, October); a plan every n
days has cycles aligned on n-day boundaries from a fixed Monday. Both are deterministic, so
every run on the same day computes the same cycle key.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

DAY_EPOCH = datetime.date(2000, 1, 3)


@dataclass(frozen=True)
class Cycle:
    starts_on: datetime.date
    days: int  # the cycle's length

    @property
    def ends_on(self) -> datetime.date:
        return self.starts_on + datetime.timedelta(days=self.days - 1)


def _month_start(index: int) -> datetime.date:
    return datetime.date(index // 12, index % 12 + 1, 1)


def cycle_of(*, today: datetime.date, interval_days: int | None = None,
             interval_months: int | None = None) -> Cycle:
    """The cycle containing `today` for a plan of `interval_days` or `interval_months`.

    Raise ValueError unless exactly one interval is a positive number.
    """
    if bool(interval_days) == bool(interval_months):
        raise ValueError("Give exactly one positive interval.")
    if interval_months:
        months = today.year * 12 + today.month - 1
        first = months - months % interval_months
        start, following = _month_start(first), _month_start(first + interval_months)
        return Cycle(starts_on=start, days=(following - start).days)
    offset = (today - DAY_EPOCH).days
    start = DAY_EPOCH + datetime.timedelta(days=offset - offset % interval_days)
    return Cycle(starts_on=start, days=interval_days)
