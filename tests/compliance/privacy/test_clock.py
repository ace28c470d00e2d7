"""Each jurisdiction's deadline, counted from the day of receipt, and the clock pages show."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from compliance.privacy import clock
from compliance.privacy.models import DeadlineProfile, PrivacyRequest, RequestStatus
from crm.models import CalendarDay, CalendarDayKind

pytestmark = pytest.mark.django_db


def _profile(code):
    return DeadlineProfile.objects.get(code=code)


def test_gdpr_is_one_month_to_the_same_day_or_the_months_last_and_extends_by_two():
    gdpr = _profile("gdpr")
    assert clock.due_on(gdpr, datetime.date(2027, 1, 31)) == datetime.date(2027, 2, 28)
    assert clock.due_on(gdpr, datetime.date(2028, 1, 31)) == datetime.date(2028, 2, 29)
    assert clock.due_on(gdpr, datetime.date(2026, 12, 15)) == datetime.date(2027, 1, 15)
    assert clock.extended_due_on(gdpr, datetime.date(2027, 1, 15)) == datetime.date(2027, 3, 15)


def test_hong_kong_is_forty_calendar_days_and_cannot_be_extended():
    pdpo = _profile("hk_pdpo")
    assert clock.due_on(pdpo, datetime.date(2026, 12, 1)) == datetime.date(2027, 1, 10)
    with pytest.raises(ValueError):
        clock.extended_due_on(pdpo, datetime.date(2027, 1, 10))


def test_mainland_china_counts_fifteen_business_days_around_holidays():
    pipl = _profile("cn_pipl")
    # Received Friday 25 September 2026; National Day 1-7 October off, Sunday 27 September and
    # Saturday 10 October worked.
    for offset in range(7):
        CalendarDay.objects.create(
            day=datetime.date(2026, 10, 1) + datetime.timedelta(days=offset),
            kind=CalendarDayKind.HOLIDAY,
            name="National Day",
        )
    for day in (datetime.date(2026, 9, 27), datetime.date(2026, 10, 10)):
        CalendarDay.objects.create(day=day, kind=CalendarDayKind.WORKING_DAY, name="Worked")
    # 27, 28, 29, 30 Sep; 8, 9, 10, 12, 13, 14, 15, 16, 19, 20, 21 Oct
    assert clock.due_on(pipl, datetime.date(2026, 9, 25)) == datetime.date(2026, 10, 21)


def test_the_clock_warns_before_and_says_when_breached(compliance_officer):
    pipl = _profile("cn_pipl")
    request = PrivacyRequest(
        reference="PR-2026-000001",
        kind="access",
        subject_type="customers.customer",
        subject_id=1,
        channel="branch",
        verification="id_document",
        profile=pipl,
        received_on=datetime.date(2026, 11, 2),
        due_on=datetime.date(2026, 11, 23),
        logged_by=compliance_officer,
    )
    assert clock.request_clock(request, datetime.date(2026, 11, 10)).state == clock.ClockState.ON_TRACK
    warning = clock.request_clock(request, datetime.date(2026, 11, 18))
    assert (warning.state, warning.days_left, warning.text) == (clock.ClockState.WARNING, 5, "5 days left")
    assert clock.request_clock(request, datetime.date(2026, 11, 23)).text == "due today"
    breached = clock.request_clock(request, datetime.date(2026, 11, 25))
    assert (breached.state, breached.text) == (clock.ClockState.BREACHED, "2 days overdue")
    request.status, request.closed_at = (
        RequestStatus.COMPLETED,
        timezone.make_aware(datetime.datetime(2026, 11, 24)),
    )
    assert clock.request_clock(request, datetime.date(2026, 11, 25)).text == "closed late"


def test_the_profile_in_force_comes_from_settings(settings):
    settings.PRIVACY_DEADLINE_PROFILE = "gdpr"
    assert clock.profile_in_force().code == "gdpr"
