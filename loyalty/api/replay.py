"""What the API's Idempotency-Key replays ask before showing an engagement response again:
whether the caller may still see its registrations (through their customers) and events."""

from __future__ import annotations

from compliance import access


def _sees_registrations(user, ids, *, clear_fields=()) -> bool:
    from loyalty.models import EventRegistration

    return access.sees_records(user, EventRegistration, ids, clear_fields=clear_fields)


def _sees_events(user, ids, *, clear_fields=()) -> bool:
    from loyalty.events.selectors import event_list

    return event_list(actor=user).filter(pk__in=list(ids)).count() == len(set(ids))


def register_engagement_replay_checks() -> None:
    """Tell the API's Idempotency-Key replays who may still see what the engagement API shows."""
    from crm.api import idempotency

    idempotency.register_replay_check("loyalty.eventregistration", _sees_registrations)
    idempotency.register_replay_check("loyalty.event", _sees_events)
