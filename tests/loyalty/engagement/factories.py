"""Engagement test data, created through the services."""

from __future__ import annotations

import datetime

from django.utils import timezone

from loyalty.events import services


def make_event(actor, branch, *, days_ahead=7, capacity=30, kind="lecture", **values):
    starts = timezone.now() + datetime.timedelta(days=days_ahead)
    defaults = {
        "title": "Retirement planning basics",
        "place": "Lujiazui branch, 3rd floor",
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=2),
        "capacity": capacity,
    }
    return services.event_create(actor=actor, branch=branch, kind=kind, **{**defaults, **values})
