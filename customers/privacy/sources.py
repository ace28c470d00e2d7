"""Every row the customers app holds about one customer, in clear, for a privacy export.

Each source lists one model's rows about the customer with every stored column but the ones
that are only machinery (record keys, blind indexes, mask hints and other derived columns,
search columns); encrypted values are decrypted by their fields. A relationship names the kind
and direction, never the other customer.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.fields import DerivedField, RecordKeyField
from customers.models import (
    Appointment,
    Consent,
    ConsentEvent,
    ContactHold,
    ContactLog,
    CorporateProfile,
    Customer,
    CustomerEvent,
    FollowUp,
    Holding,
    IndividualProfile,
    Interaction,
    Need,
    Relationship,
    SegmentOverride,
)

SUBJECT_TYPE = "customers.customer"
MACHINERY_NAMES = frozenset({"search_name", "search_tokens"})


def _exported(field: models.Field) -> bool:
    return not (
        isinstance(field, DerivedField | RecordKeyField)
        or field.name in MACHINERY_NAMES
        or field.name.endswith("_search")
    )


def row_of(instance: models.Model, *, leave_out: frozenset[str] = frozenset()) -> dict:
    """The instance's stored values by field name (foreign keys as their ids), in clear."""
    return {
        field.name if not field.is_relation else field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if _exported(field) and field.name not in leave_out
    }


def rows_collector(
    model: type[models.Model], lookup: str, *, order: str = "pk", leave_out: frozenset[str] = frozenset()
) -> Callable[[int], list[dict]]:
    def collect(customer_id: int) -> list[dict]:
        return [
            row_of(item, leave_out=leave_out)
            for item in model.objects.filter(**{lookup: customer_id}).order_by(order).iterator(chunk_size=500)
        ]

    return collect


def _relationships(customer_id: int) -> list[dict]:
    rows = []
    for relationship in Relationship.objects.filter(
        models.Q(from_customer_id=customer_id) | models.Q(to_customer_id=customer_id)
    ).order_by("pk"):
        row = row_of(relationship, leave_out=frozenset({"from_customer", "to_customer"}))
        row["direction"] = (
            "from this customer" if relationship.from_customer_id == customer_id else "to this customer"
        )
        rows.append(row)
    return rows


# (source name, label, collector)
SOURCES: list[tuple[str, object, Callable[[int], list[dict]]]] = [
    (
        "customers.customer",
        _("Customer record"),
        rows_collector(Customer, "pk", leave_out=frozenset({"merged_into"})),
    ),
    ("customers.individual_profile", _("Personal profile"), rows_collector(IndividualProfile, "customer_id")),
    ("customers.corporate_profile", _("Company profile"), rows_collector(CorporateProfile, "customer_id")),
    ("customers.holdings", _("Products held"), rows_collector(Holding, "customer_id")),
    ("customers.needs", _("Needs"), rows_collector(Need, "customer_id")),
    (
        "customers.interactions",
        _("Interactions"),
        rows_collector(Interaction, "customer_id", order="occurred_at"),
    ),
    ("customers.relationships", _("Relationships"), _relationships),
    ("customers.history", _("History of the record"), rows_collector(CustomerEvent, "customer_id")),
    ("customers.segment_overrides", _("Segment overrides"), rows_collector(SegmentOverride, "customer_id")),
    ("customers.consents", _("Consents to be contacted"), rows_collector(Consent, "customer_id")),
    (
        "customers.consent_history",
        _("Consent history"),
        rows_collector(ConsentEvent, "customer_id", order="recorded_at"),
    ),
    ("customers.contact_holds", _("Contact holds"), rows_collector(ContactHold, "customer_id")),
    (
        "customers.contact_log",
        _("Contacts and refusals"),
        rows_collector(ContactLog, "customer_id", order="at"),
    ),
    ("customers.follow_ups", _("Follow-ups"), rows_collector(FollowUp, "customer_id")),
    ("customers.appointments", _("Appointments"), rows_collector(Appointment, "customer_id")),
]
