"""Quiet hours: the local times at which the bank contacts nobody, kept in each customer's own
time zone (`Customer.time_zone`).

`settings.CONTACT_QUIET_HOURS` is "HH:MM-HH:MM" (from the environment; default 21:00-08:00);
a span that ends before it starts runs over midnight; an empty value turns quiet hours off.
They apply to every channel that reaches the customer at once: everything but post.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from customers.models import ContactChannel

# A letter does not ring: post is delivered whatever the hour it was sent.
UNTIMED_CHANNELS = frozenset({ContactChannel.POST})


@dataclass(frozen=True)
class QuietHours:
    """A daily span of local time, [start, end), possibly over midnight."""

    start: datetime.time
    end: datetime.time

    def contains(self, moment: datetime.time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def label(self) -> tuple[str, str]:
        return self.start.strftime("%H:%M"), self.end.strftime("%H:%M")


def parse_quiet_hours(text: str) -> QuietHours | None:
    """"21:00-08:00" -> QuietHours; "" -> None. Raise ValueError for anything else."""
    text = (text or "").strip()
    if not text:
        return None
    start_text, separator, end_text = text.partition("-")
    if not separator:
        raise ValueError(f"Quiet hours must look like 21:00-08:00, not {text!r}")
    start = datetime.time.fromisoformat(start_text.strip())
    end = datetime.time.fromisoformat(end_text.strip())
    if start == end:
        raise ValueError("Quiet hours must start and end at different times")
    return QuietHours(start=start, end=end)


def configured_quiet_hours() -> QuietHours | None:
    """The bank's quiet hours (settings.CONTACT_QUIET_HOURS)."""
    try:
        return parse_quiet_hours(getattr(settings, "CONTACT_QUIET_HOURS", ""))
    except ValueError as error:
        raise ImproperlyConfigured(f"CONTACT_QUIET_HOURS: {error}") from None


@dataclass(frozen=True)
class QuietCheck:
    """Whether `at` falls in quiet hours where the customer lives, and when they end (UTC)."""

    quiet: bool
    local: datetime.datetime
    resumes_at: datetime.datetime | None = None


def quiet_hours_check(*, at: datetime.datetime, time_zone: str, channel: str,
                      hours: QuietHours | None) -> QuietCheck:
    """Whether contacting on `channel` at the aware instant `at` falls in `hours` in the zone
    `time_zone` (an unknown zone is read as the bank's). `resumes_at` is the next end of the
    quiet hours, as an aware UTC instant, when it does."""
    try:
        zone = zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local = at.astimezone(zone)
    if hours is None or channel in UNTIMED_CHANNELS or not hours.contains(local.time().replace(tzinfo=None)):
        return QuietCheck(quiet=False, local=local)
    resumes = datetime.datetime.combine(local.date(), hours.end, tzinfo=zone)
    if resumes <= local:
        resumes = datetime.datetime.combine(local.date() + datetime.timedelta(days=1), hours.end, tzinfo=zone)
    return QuietCheck(quiet=True, local=local, resumes_at=resumes.astimezone(datetime.UTC))
