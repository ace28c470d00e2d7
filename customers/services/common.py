"""Pieces every customers service shares: the field lists a service may set, customer
numbers, the customer's history and the search name.

Nothing here opens a transaction or checks access: the services that call these do both.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.crypto import DecryptionError
from compliance.unreadable import UNREADABLE_ERROR, unreadable_fields
from customers.models import (
    CORPORATE_SEGMENTS,
    RETAIL_SEGMENTS,
    CorporateProfile,
    Customer,
    CustomerEvent,
    CustomerKind,
    IndividualProfile,
)
from customers.naming import search_name

OBJECT_TYPE = "customers.customer"

CUSTOMER_FIELDS = frozenset({
    "display_name", "status", "home_branch", "external_reference", "since", "id_number", "phone",
    "email", "address", "is_vulnerable", "do_not_contact", "time_zone",
})
INDIVIDUAL_FIELDS = frozenset({
    "given_name", "family_name", "local_name", "gender", "date_of_birth", "occupation", "employer",
    "annual_income", "preferred_language", "preferred_channel", "credit_rating", "risk_tolerance",
})
CORPORATE_FIELDS = frozenset({
    "legal_name", "industry", "employees", "annual_revenue", "countries_of_operation",
    "parent_group", "credit_rating",
})


def next_customer_numbers(count: int) -> list[str]:
    """`count` new customer numbers (C + 10 digits) from a database sequence."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval('customer_number_seq') FROM generate_series(1, %s)", [count]
        )
        return [f"C{value:010d}" for (value,) in cursor.fetchall()]


def history_record(*, customer_id: int, kind: str, actor, data: dict | None = None, when=None) -> None:
    """Add an entry to the customer's history (the caller's transaction holds it)."""
    CustomerEvent.objects.create(
        customer_id=customer_id, kind=kind, actor=actor, data=data or {},
        occurred_at=when or timezone.now(),
    )


def default_segment(kind: str) -> str:
    """The segment a new customer of `kind` starts in until segmentation places it."""
    return RETAIL_SEGMENTS[0] if kind == CustomerKind.INDIVIDUAL else CORPORATE_SEGMENTS[0]


def refresh_search_name(customer: Customer, profile) -> None:
    """Set `customer.search_name` from its display name and profile (not saved here).

    Every writer of names calls this before saving, so the name search finds the customer
    under each spelling staff use (family name first or last, the local script).
    """
    names = [customer.display_name]
    if isinstance(profile, IndividualProfile):
        names += [
            f"{profile.family_name} {profile.given_name}",
            f"{profile.given_name} {profile.family_name}",
            profile.local_name,
        ]
    elif isinstance(profile, CorporateProfile):
        names.append(profile.legal_name)
    customer.search_name = search_name(*names)


def refuse_unknown(values: dict, allowed: frozenset[str]) -> None:
    """Raise ValidationError naming each key of `values` outside `allowed`."""
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in sorted(unknown)})


def apply_values(instance, values: dict, allowed: frozenset[str]) -> list[str]:
    """Set `values` on `instance`; return the names that changed.

    Raise ValidationError for a name outside `allowed`, before anything is set.
    """
    refuse_unknown(values, allowed)
    changed = []
    for name, value in values.items():
        try:
            same = getattr(instance, name) == value
        except DecryptionError:
            same = False  # a stored value that cannot be read is replaced by any value
        if not same:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def refuse_unreadable(*instances) -> None:
    """Raise ValidationError naming each encrypted field of `instances` whose stored value
    cannot be decrypted (compliance.unreadable), so a write asks for it again instead of
    failing in full_clean(); a value given in the same write has replaced it already."""
    names = [name for instance in instances for name in unreadable_fields(instance)]
    if names:
        raise ValidationError({name: UNREADABLE_ERROR for name in names})
