"""Reads of the audit trail for compliance officers.

These read the whole trail: callers check that the user is a compliance officer first
(`compliance.permissions`). Every query here is served by an index of `AuditEvent`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import CharField, Count, F, Func, Max, Min, Q, QuerySet

from compliance.models import AuditEvent, AuditVerification

CUSTOMER_OBJECT_TYPE = "customers.customer"
DEFAULT_PAGE_SIZE = 50


def customer_events_q(customer_id: int) -> Q:
    """Events about customer `customer_id`: its own events, and events listing it in `objects`.

    The second branch repeats `extra ? 'objects'`, the predicate of the partial GIN index, so
    PostgreSQL can answer the containment test from that index; the first branch uses the
    (object_type, object_id, sequence) index.
    """
    return Q(object_type=CUSTOMER_OBJECT_TYPE, object_id=str(customer_id)) | Q(
        extra__has_key="objects",
        extra__contains={"objects": {CUSTOMER_OBJECT_TYPE: [customer_id]}},
    )


@dataclass(frozen=True)
class AuditEventPage:
    """One page of events, newest first, with the keys of the neighbouring pages.

    `newer_cursor` is passed back as `after`, `older_cursor` as `before`; None means there
    is no such page.
    """

    events: list[AuditEvent]
    newer_cursor: int | None
    older_cursor: int | None


def audit_event_page(
    *,
    queryset: QuerySet[AuditEvent],
    before: int | None = None,
    after: int | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> AuditEventPage:
    """A keyset page of `queryset`: one indexed query, no COUNT over the trail.

    With `after`, the page holds the events just newer than sequence `after`; otherwise the
    events just older than `before` (the newest events when both are None).
    """
    if after is not None:
        rows = list(queryset.filter(sequence__gt=after).order_by("sequence")[: page_size + 1])
        has_newer, has_older = len(rows) > page_size, True
        events = rows[:page_size][::-1]
    else:
        if before is not None:
            queryset = queryset.filter(sequence__lt=before)
        rows = list(queryset.order_by("-sequence")[: page_size + 1])
        has_newer, has_older = before is not None, len(rows) > page_size
        events = rows[:page_size]
    return AuditEventPage(
        events=events,
        newer_cursor=events[0].sequence if events and has_newer else None,
        older_cursor=events[-1].sequence if events and has_older else None,
    )


@dataclass
class CustomerAccessRow:
    """What one actor did with one customer's data, over the whole trail."""

    actor_id: int | None
    actor_username: str
    first_seen: datetime
    last_seen: datetime
    events: int
    actions: list[str]
    fields: list[str] = field(default_factory=list)


def audit_customer_access_report(*, customer_id: int) -> list[CustomerAccessRow]:
    """Who saw or touched customer `customer_id`'s data: one row per actor, latest first.

    Each row has the first and last time, the number of events, the actions and the union of
    the field names they concern. Two grouped queries, whatever the number of events.
    """
    matching = AuditEvent.objects.filter(customer_events_q(customer_id)).order_by()
    rows = {
        (row["actor_id"], row["actor_username"]): CustomerAccessRow(**row)
        for row in matching.values("actor_id", "actor_username")
        .annotate(
            first_seen=Min("occurred_at"),
            last_seen=Max("occurred_at"),
            events=Count("sequence"),
            actions=ArrayAgg("action", distinct=True, order_by="action"),
        )
        .order_by("-last_seen", "actor_username")
    }
    field_names = (
        matching.annotate(field=Func(F("fields"), function="unnest", output_field=CharField()))
        .values_list("actor_id", "actor_username", "field")
        .distinct()
    )
    for actor_id, actor_username, name in field_names:
        rows[(actor_id, actor_username)].fields.append(name)
    for row in rows.values():
        row.fields.sort()
    return list(rows.values())


def audit_verification_latest() -> AuditVerification | None:
    """The most recent verification run, or None if the chain was never verified."""
    return AuditVerification.objects.order_by("-started_at", "-pk").first()
