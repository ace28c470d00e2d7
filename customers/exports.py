"""The customer list as CSV: its columns, the masked rows, and the export's audit event.

The browser's export view parses the filters, calls `customer_export_record` once (the
`export.created` event) and streams `customer_export_lines`; what each row shows is what
`compliance.access.RecordView` shows the exporting user, and the clear values a batch showed
are written as that batch's `pii.revealed` event.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from itertools import islice

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.access import RecordView
from compliance.audit import audit_pii_reveals_record, audit_record, audit_request_context
from compliance.models import AuditAction, AuditEvent
from customers import permissions
from customers.models import Customer
from customers.permissions import CustomerAction

EXPORT_LIMIT = 50_000
EXPORT_BATCH = 1000
OBJECT_TYPE = "customers.customer"

COLUMNS = ["number", "name", "kind", "segment", "status", "branch", "relationship_manager",
           "last_contact", "phone", "email", "aum"]
HEADERS = [_("Customer number"), _("Name"), _("Kind"), _("Segment"), _("Status"), _("Branch"),
           _("Relationship manager"), _("Last contact"), _("Phone"), _("E-mail"),
           _("Assets under management")]
# The columns the rows read (and the masks shown in their place); the rest of a customer
# would only widen the rows the database sorts and sends.
ROW_COLUMNS = (
    "number", "kind", "status", "display_name", "segment", "last_contact_at", "record_key",
    "phone", "phone_mask", "email", "email_mask", "aum", "relationship_manager_id",
    "home_branch__code", "relationship_manager__username", "relationship_manager__first_name",
    "relationship_manager__last_name",
)
# What a spreadsheet program reads as the start of a formula (CSV injection). A sign is one
# only when a calculation follows it: a phone number or a signed amount is a value.
FORMULA_START = ("=", "@", "\t", "\r")
SIGNS = ("+", "-")
PLAIN_NUMBER = re.compile(r"[+-]\d[\d ,]*(?:\.\d+)?")


class _Echo:
    """A file whose write returns the line, so csv.writer produces strings to stream."""

    def write(self, value: str) -> str:
        return value


def is_formula(text: str) -> bool:
    """Whether a spreadsheet program would run `text` as a formula: it starts with `=`, `@`, a
    tab or a carriage return, or with `+`/`-` followed by anything but a plain number or phone
    number (digits, spaces, thousands commas and one decimal part: "+86 138 0013 8000",
    "-1250.00"). A sign alone is a placeholder, not a formula."""
    if text.startswith(FORMULA_START):
        return True
    return text.startswith(SIGNS) and len(text) > 1 and PLAIN_NUMBER.fullmatch(text) is None


def neutralise_cell(value) -> str:
    """`value` as a CSV cell: unchanged, unless it would run as a formula, then quoted as text
    with a leading apostrophe."""
    text = "" if value is None else str(value)
    return f"'{text}" if is_formula(text) else text


def export_cells(view: RecordView) -> list[str]:
    """One customer's CSV cells (COLUMNS) as `view` shows them."""
    customer = view.obj
    manager = customer.relationship_manager
    last_contact = ""
    if customer.last_contact_at:
        last_contact = timezone.localtime(customer.last_contact_at).date().isoformat()
    return [neutralise_cell(value) for value in (
        customer.number, customer.display_name, customer.get_kind_display(), customer.get_segment_display(),
        customer.get_status_display(), customer.home_branch.code,
        (manager.get_full_name() or manager.get_username()) if manager else "", last_contact,
        view.field("phone").text, view.field("email").text, view.field("aum").text,
    )]


@transaction.atomic
def customer_export_record(*, actor, rows: int, filters: list[str]) -> AuditEvent:
    """Record that `actor` exported `rows` customers of the list filtered by `filters` (the
    filter names, never their values): the `export.created` event, naming the columns.

    Raise PermissionDenied unless the policy allows the actor to export.
    """
    permissions.check(actor, CustomerAction.EXPORT)
    return audit_record(
        actor=actor, action=AuditAction.EXPORT_CREATED, object_type=OBJECT_TYPE, fields=COLUMNS,
        extra={"rows": rows, "filters": sorted(filters)},
    )


def customer_export_lines(*, actor, queryset: QuerySet, request_meta: dict) -> Iterator[str]:
    """The CSV text of `queryset` (customers `actor` may see, in the order to export), in
    batches of EXPORT_BATCH rows: each batch masked by one RecordView call and its clear reads
    written as one `pii.revealed` event under `request_meta` (ip_address, user_agent,
    request_id: a streamed body is produced after the request's own audit context is gone).
    """
    if queryset.model is not Customer:
        raise TypeError("customer_export_lines exports customers")
    writer = csv.writer(_Echo())
    yield "\ufeff"  # spreadsheet programs read UTF-8 (Chinese names) only with the mark
    yield writer.writerow([str(header) for header in HEADERS])
    rows = queryset.only(*ROW_COLUMNS).iterator(chunk_size=EXPORT_BATCH)
    while batch := list(islice(rows, EXPORT_BATCH)):
        with audit_request_context(**request_meta) as context:
            lines = [writer.writerow(export_cells(view)) for view in RecordView.for_objects(actor, batch)]
            audit_pii_reveals_record(actor=actor, context=context)
        yield "".join(lines)
