"""Business days: Monday to Friday, less the public holidays, plus the weekend days worked in
their place, both kept as data (`crm.models.CalendarDay`, edited in admin).

Deadlines that a rule counts in business days (privacy requests under PIPL, complaints under
the UK's rules) ask `add_business_days`; the exceptions between two dates are read in one query.
"""

from __future__ import annotations

import datetime

from crm.models import CalendarDay, CalendarDayKind

# A deadline never counts further than this many calendar days per business day asked for
# (holiday weeks included); past it the calendar data is wrong, not the deadline long.
MAX_CALENDAR_DAYS_PER_BUSINESS_DAY = 4


def _exceptions(start: datetime.date, end: datetime.date) -> dict[datetime.date, str]:
    return dict(CalendarDay.objects.filter(day__gte=start, day__lte=end).values_list("day", "kind"))


def is_business_day(day: datetime.date, exceptions: dict[datetime.date, str] | None = None) -> bool:
    kind = (exceptions if exceptions is not None else _exceptions(day, day)).get(day)
    if kind == CalendarDayKind.HOLIDAY:
        return False
    if kind == CalendarDayKind.WORKING_DAY:
        return True
    return day.weekday() < 5


def add_business_days(start: datetime.date, days: int) -> datetime.date:
    """The `days`-th business day after `start` (`start` itself is not counted: a request
    received on a Friday with 1 business day is due the next Monday, holidays allowing)."""
    if days < 0:
        raise ValueError("Count business days forwards.")
    horizon = start + datetime.timedelta(days=days * MAX_CALENDAR_DAYS_PER_BUSINESS_DAY + 14)
    exceptions = _exceptions(start, horizon)
    day, counted = start, 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if day > horizon:
            raise ValueError("The calendar has too few business days ahead; check its holidays.")
        if is_business_day(day, exceptions):
            counted += 1
    return day


def business_days_between(start: datetime.date, end: datetime.date) -> int:
    """Business days after `start` up to and including `end` (negative if `end` is earlier)."""
    if end < start:
        return -business_days_between(end, start)
    exceptions = _exceptions(start, end)
    return sum(1 for offset in range(1, (end - start).days + 1)
               if is_business_day(start + datetime.timedelta(days=offset), exceptions))
