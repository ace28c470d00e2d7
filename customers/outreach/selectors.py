"""Reads of consent, holds and the contact log for one customer. The customer must come from
`customers.selectors.customer_get` (visible to the reader); sensitive values (evidence
references, hold reasons) are shown through compliance.access.RecordView by the surfaces.

`contact_panel` is the 360° page's part in one query: the consent grid, the latest contacts
and refusals, and the open holds, as plain rows.
"""

from __future__ import annotations

import datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, OuterRef, QuerySet
from django.db.models.functions import JSONObject

from customers.models import (
    Consent,
    ConsentEvent,
    ConsentSource,
    ConsentStatus,
    ContactChannel,
    ContactHold,
    ContactHoldKind,
    ContactLog,
    ContactOutcome,
    ContactPurpose,
    Customer,
    SenderKind,
)
from customers.outreach.refusals import refusal_message

PANEL_CONTACTS = 10


def consent_list(*, customer: Customer) -> QuerySet:
    """The customer's current consents, by purpose and channel."""
    return customer.consents.select_related("changed_by").order_by("purpose", "channel")


def consent_history(*, customer: Customer) -> QuerySet:
    """Every grant and withdrawal of the customer, newest first."""
    return ConsentEvent.objects.filter(customer=customer).select_related("recorded_by", "customer").order_by(
        "-recorded_at", "-pk")


def contact_log_list(*, customer: Customer, outcome: str | None = None) -> QuerySet:
    """The customer's contact log (sent and refused, or one `outcome`), newest first."""
    queryset = ContactLog.objects.filter(customer=customer).select_related("actor")
    if outcome:
        queryset = queryset.filter(outcome=outcome)
    return queryset.order_by("-at", "-pk")


def contact_hold_list(*, customer: Customer, open_only: bool = False) -> QuerySet:
    """The customer's contact holds, newest first (only the open ones with `open_only`)."""
    queryset = ContactHold.objects.filter(customer=customer).select_related(
        "customer", "placed_by", "lifted_by")
    if open_only:
        queryset = queryset.filter(lifted_at__isnull=True)
    return queryset.order_by("-placed_at", "-pk")


def _person(prefix: str) -> dict:
    return {"first": F(f"{prefix}__first_name"), "last": F(f"{prefix}__last_name"),
            "username": F(f"{prefix}__username")}


def _name(row: dict) -> str:
    full = f"{row.get('first') or ''} {row.get('last') or ''}".strip()
    return full or row.get("username") or ""


def _when(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _contacts(outcome: str) -> ArraySubquery:
    return ArraySubquery(
        ContactLog.objects.filter(customer=OuterRef("pk"), outcome=outcome).order_by("-at", "-pk")
        .values(row=JSONObject(at="at", channel="channel", purpose="purpose", reason="reason",
                               sender="sender_kind", code="refusal_code", detail="detail",
                               **_person("actor")))
        [:PANEL_CONTACTS]
    )


def _grid(consents: list[dict]) -> list[dict]:
    current = {(row["purpose"], row["channel"]): row for row in consents}
    grid = []
    for purpose in ContactPurpose:
        cells = []
        for channel in ContactChannel:
            row = current.get((purpose.value, channel.value))
            cells.append({
                "channel": channel.value, "channel_label": channel.label,
                "status": row["status"] if row else "",
                "since": _when(row["since"]) if row else None,
                "source": _label(ConsentSource, row["source"]) if row else "",
                "by": _name(row) if row else "",
            })
        grid.append({"purpose": purpose.value, "label": purpose.label, "cells": cells,
                     "opt_in": purpose != ContactPurpose.SERVICE})
    return grid


def _contact_row(row: dict, *, refused: bool) -> dict:
    item = {
        "at": _when(row["at"]), "channel": _label(ContactChannel, row["channel"]),
        "purpose": _label(ContactPurpose, row["purpose"]), "reason": row["reason"],
        "sender": _label(SenderKind, row["sender"]), "by": _name(row),
    }
    if refused:
        item["message"] = refusal_message(row["code"], purpose=row["purpose"], channel=row["channel"],
                                          detail=row["detail"] or {})
    return item


def contact_panel(*, customer: Customer) -> dict:
    """The 360° page's consent and contact panel in one query: `grid` (per purpose, a cell per
    channel: status "granted", "withdrawn" or "" for never asked, since when, source, by
    whom), the latest `contacts` and `refusals` (each with its reason; a refusal with its
    words), and the open `holds` (kind, since, by whom; the reasons stay on the records)."""
    row = Customer.objects.filter(pk=customer.pk).annotate(
        consent_rows=ArraySubquery(
            Consent.objects.filter(customer=OuterRef("pk")).values(row=JSONObject(
                channel="channel", purpose="purpose", status="status", source="source", since="changed_at",
                **_person("changed_by")))
        ),
        sent_rows=_contacts(ContactOutcome.SENT),
        refused_rows=_contacts(ContactOutcome.REFUSED),
        hold_rows=ArraySubquery(
            ContactHold.objects.filter(customer=OuterRef("pk"), lifted_at__isnull=True)
            .order_by("placed_at", "pk")
            .values(row=JSONObject(id="pk", kind="kind", since="placed_at", **_person("placed_by")))
        ),
    ).values("consent_rows", "sent_rows", "refused_rows", "hold_rows").get()
    return {
        "grid": _grid(row["consent_rows"]),
        "contacts": [_contact_row(item, refused=False) for item in row["sent_rows"]],
        "refusals": [_contact_row(item, refused=True) for item in row["refused_rows"]],
        "holds": [{"id": item["id"], "kind": _label(ContactHoldKind, item["kind"]),
                   "since": _when(item["since"]), "by": _name(item)} for item in row["hold_rows"]],
        "granted": ConsentStatus.GRANTED.value,
        "withdrawn": ConsentStatus.WITHDRAWN.value,
    }
