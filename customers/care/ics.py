"""iCalendar (RFC 5545) of a user's appointments, written by hand: one VEVENT per
appointment, times in UTC, text escaped (section 3.3.11) and lines folded at 75 octets
(section 3.1), CRLF line ends.

An event names the customer as the RM sees them on the worklist, by display name and customer
number, with the place and a link to the customer's page: never a phone, an ID or anything of
the encrypted fields.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Appointment

PRODUCT_ID = "-//Bank CRM//Appointments//EN"


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets, never splitting a character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    pieces, current, limit = [], b"", 75
    for char in line:
        octets = char.encode("utf-8")
        if len(current) + len(octets) > limit:
            pieces.append(current.decode("utf-8"))
            current, limit = b"", 74  # continuation lines start with a space
        current += octets
    pieces.append(current.decode("utf-8"))
    return "\r\n ".join(pieces)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _host() -> str:
    return settings.PORTAL_BASE_URL.split("://", 1)[-1].split("/", 1)[0] or "crm"


def calendar_ics(appointments: Iterable[Appointment], *, now: datetime.datetime | None = None) -> str:
    """The appointments (customers selected with them) as one VCALENDAR."""
    stamp = _utc(now or timezone.now())
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODUCT_ID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH"]
    for appointment in appointments:
        customer = appointment.customer
        summary = _("Meeting with %(name)s (%(number)s)") % {"name": customer.display_name,
                                                              "number": customer.number}
        link = f"{settings.PORTAL_BASE_URL}{reverse('customer-detail', args=[customer.pk])}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:appointment-{appointment.pk}@{_host()}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(appointment.starts_at)}",
            f"DTEND:{_utc(appointment.ends_at)}",
            f"SUMMARY:{escape_text(summary)}",
            f"LOCATION:{escape_text(appointment.place)}",
            f"URL:{link}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(f"{fold(line)}\r\n" for line in lines)
