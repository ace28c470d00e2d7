"""The audit pages' rows: events and access report rows with their codes as people read them.

Actions and field names become translated labels and objects their references (a customer
number), through what the domain apps registered in `compliance.labels`; the events
themselves stay as stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from compliance import labels
from compliance.models import AuditEvent
from compliance.selectors import CUSTOMER_OBJECT_TYPE, CustomerAccessRow

# Keys of `extra` that hold a customer's internal id.
CUSTOMER_ID_KEYS = ("customer_id",)


@dataclass
class EventRow:
    """One event as the trail page shows it."""

    event: AuditEvent
    action: str
    object_label: str = ""
    object_reference: str = ""
    customer_number: str = ""  # set for an event about one customer: links to its report
    fields: list[str] = field(default_factory=list)
    counts: list[tuple[str, int]] = field(default_factory=list)
    details: list[tuple[str, str]] = field(default_factory=list)


def event_rows(events: list[AuditEvent]) -> list[EventRow]:
    """`events` with labels and references: one lookup per registered object type."""
    wanted = []
    for event in events:
        wanted.append((event.object_type, event.object_id))
        for key in CUSTOMER_ID_KEYS:
            if key in event.extra:
                wanted.append((CUSTOMER_OBJECT_TYPE, str(event.extra[key])))
    found = labels.references(wanted)
    rows = []
    for event in events:
        row = EventRow(event=event, action=labels.action_label(event.action),
                       fields=labels.field_labels(event.fields))
        if event.object_type:
            row.object_label = labels.object_type_label(event.object_type)
            row.object_reference = found.get((event.object_type, event.object_id), event.object_id)
            if event.object_type == CUSTOMER_OBJECT_TYPE and (event.object_type, event.object_id) in found:
                row.customer_number = row.object_reference
        for object_type, count in (event.extra.get("counts") or {}).items():
            row.counts.append((labels.object_type_label(object_type), count))
        for key, value in event.extra.items():
            if key in ("objects", "counts"):
                continue
            if key in CUSTOMER_ID_KEYS:
                row.details.append((labels.object_type_label(CUSTOMER_OBJECT_TYPE),
                                    found.get((CUSTOMER_OBJECT_TYPE, str(value)), str(value))))
            else:
                row.details.append((key, str(value)))
        rows.append(row)
    return rows


@dataclass
class AccessRow:
    """One actor's row of the "who saw this customer" report, with labels."""

    row: CustomerAccessRow
    actions: list[str]
    fields: list[str]


def access_rows(rows: list[CustomerAccessRow]) -> list[AccessRow]:
    return [AccessRow(row=row, actions=[labels.action_label(action) for action in row.actions],
                      fields=labels.field_labels(row.fields)) for row in rows]
