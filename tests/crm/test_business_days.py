"""Business days: Monday to Friday, less holidays, plus weekend days worked in their place."""

import datetime

import pytest

from crm.business_days import add_business_days, business_days_between, is_business_day
from crm.models import CalendarDay, CalendarDayKind

pytestmark = pytest.mark.django_db

FRIDAY = datetime.date(2026, 9, 25)


def test_weekends_are_skipped():
    assert add_business_days(FRIDAY, 1) == datetime.date(2026, 9, 28)
    assert add_business_days(FRIDAY, 5) == datetime.date(2026, 10, 2)
    assert add_business_days(FRIDAY, 0) == FRIDAY


def test_holidays_are_skipped_and_worked_weekend_days_count():
    # Mainland China's National Day week: 1-7 October off, Sunday 27 September and Saturday
    # 10 October worked.
    for offset in range(7):
        CalendarDay.objects.create(day=datetime.date(2026, 10, 1) + datetime.timedelta(days=offset),
                                   kind=CalendarDayKind.HOLIDAY, name="National Day")
    for day in (datetime.date(2026, 9, 27), datetime.date(2026, 10, 10)):
        CalendarDay.objects.create(day=day, kind=CalendarDayKind.WORKING_DAY, name="Worked for National Day")
    assert is_business_day(datetime.date(2026, 9, 27))
    assert not is_business_day(datetime.date(2026, 10, 2))
    # Fri 25 -> Sun 27 (worked), Mon 28, Tue 29, Wed 30, then Thu 8, Fri 9, Sat 10 (worked), Mon 12
    assert add_business_days(FRIDAY, 4) == datetime.date(2026, 9, 30)
    assert add_business_days(FRIDAY, 5) == datetime.date(2026, 10, 8)
    assert add_business_days(FRIDAY, 8) == datetime.date(2026, 10, 12)
    assert business_days_between(FRIDAY, datetime.date(2026, 10, 12)) == 8
    assert business_days_between(datetime.date(2026, 10, 12), FRIDAY) == -8


def test_counting_backwards_is_refused():
    with pytest.raises(ValueError):
        add_business_days(FRIDAY, -1)
