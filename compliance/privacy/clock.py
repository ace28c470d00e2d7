"""Deadlines of privacy requests, from the jurisdiction's profile, and the clock pages show.

A deadline counts from the day of receipt: calendar days, business days (`crm.business_days`)
or calendar months (received on 31 January, one month later is the last day of February).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from compliance.privacy.models import DeadlineProfile, DeadlineUnit, PrivacyRequest
from crm.business_days import add_business_days


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def counted(start: datetime.date, amount: int, unit: str) -> datetime.date:
    if unit == DeadlineUnit.DAYS:
        return start + datetime.timedelta(days=amount)
    if unit == DeadlineUnit.BUSINESS_DAYS:
        return add_business_days(start, amount)
    if unit == DeadlineUnit.MONTHS:
        return add_months(start, amount)
    raise ValueError(f"Unknown deadline unit {unit!r}.")


def due_on(profile: DeadlineProfile, received_on: datetime.date) -> datetime.date:
    """The last day to answer a request received on `received_on` under `profile`."""
    return counted(received_on, profile.respond_within, profile.unit)


def extended_due_on(profile: DeadlineProfile, due: datetime.date) -> datetime.date:
    """The deadline after the profile's one extension (raise ValueError if it allows none)."""
    if not profile.extension:
        raise ValueError("This profile allows no extension.")
    return counted(due, profile.extension, profile.extension_unit)


def profile_in_force() -> DeadlineProfile:
    """The profile named by `settings.PRIVACY_DEADLINE_PROFILE` (DeadlineProfile.DoesNotExist
    if the data has none of that code)."""
    return DeadlineProfile.objects.get(code=settings.PRIVACY_DEADLINE_PROFILE, is_active=True)


class ClockState:
    ON_TRACK = "on_track"
    WARNING = "warning"
    BREACHED = "breached"
    CLOSED = "closed"


@dataclass(frozen=True)
class Clock:
    state: str
    days_left: int  # calendar days to the deadline (negative once breached)
    text: str


def request_clock(request: PrivacyRequest, today: datetime.date) -> Clock:
    """Where `request` stands against its deadline on `today`."""
    left = (request.due_on - today).days
    if not request.is_open:
        late = request.closed_at is not None and request.closed_at.date() > request.due_on
        return Clock(ClockState.CLOSED, left, _("closed late") if late else _("closed in time"))
    if left < 0:
        return Clock(
            ClockState.BREACHED,
            left,
            ngettext("%(days)d day overdue", "%(days)d days overdue", -left) % {"days": -left},
        )
    text = (
        _("due today")
        if left == 0
        else ngettext("%(days)d day left", "%(days)d days left", left) % {"days": left}
    )
    state = ClockState.WARNING if left <= request.profile.warn_days_before else ClockState.ON_TRACK
    return Clock(state, left, text)
