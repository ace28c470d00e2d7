"""Writes to customer data. Every state change goes through a function here.

Each service runs in one transaction, takes the acting user first, validates with
`full_clean()`, records the customer's history where staff should see it, and appends an
audit event naming the fields it touched (never their values).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance import access
from compliance.audit import audit_record
from crm.models import Branch
from crm.roles import Role, has_role
from customers import permissions
from customers.models import (
    CORPORATE_SEGMENTS,
    NEEDS_BY_KIND,
    RETAIL_SEGMENTS,
    BookDelegation,
    CorporateProfile,
    Customer,
    CustomerEvent,
    CustomerEventKind,
    CustomerKind,
    Holding,
    IndividualProfile,
    Interaction,
    Need,
    NeedType,
    RevealGrant,
    band_floor,
)
from customers.naming import search_name

OBJECT_TYPE = "customers.customer"
REVEAL_MINUTES_DEFAULT = 15
REVEAL_MINUTES_MAX = 60

CUSTOMER_FIELDS = frozenset({
    "display_name", "status", "home_branch", "external_reference", "since", "id_number", "phone",
    "email", "address", "is_vulnerable", "do_not_contact",
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


def _history(*, customer_id: int, kind: str, actor, data: dict | None = None, when=None) -> None:
    CustomerEvent.objects.create(
        customer_id=customer_id, kind=kind, actor=actor, data=data or {},
        occurred_at=when or timezone.now(),
    )


def _default_segment(kind: str) -> str:
    return RETAIL_SEGMENTS[0] if kind == CustomerKind.INDIVIDUAL else CORPORATE_SEGMENTS[0]


def _refresh_search_name(customer: Customer, profile) -> None:
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


def _apply(instance, values: dict, allowed: frozenset[str]) -> list[str]:
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in sorted(unknown)})
    changed = []
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


@transaction.atomic
def customer_create(
    *,
    actor,
    kind: str,
    home_branch: Branch,
    relationship_manager=None,
    profile: dict,
    segment: str | None = None,
    **fields,
) -> Customer:
    """Create a customer with its profile and give the relationship manager access.

    `profile` holds the individual or corporate profile's fields; `fields` the customer's.
    Raise ValidationError (by field) for bad input; nothing is saved then.
    """
    if kind not in CustomerKind.values:
        raise ValidationError({"kind": _("Unknown customer kind.")})
    customer = Customer(
        kind=kind, home_branch=home_branch, relationship_manager=relationship_manager,
        segment=segment or _default_segment(kind), since=fields.pop("since", None) or timezone.localdate(),
    )
    _apply(customer, fields, CUSTOMER_FIELDS)
    if not customer.number:
        customer.number = next_customer_numbers(1)[0]
    if kind == CustomerKind.INDIVIDUAL:
        profile_obj = IndividualProfile(**_checked(profile, INDIVIDUAL_FIELDS))
        profile_obj.income_band = band_floor(profile_obj.annual_income)
        if not customer.display_name:
            customer.display_name = f"{profile_obj.family_name} {profile_obj.given_name}".strip()
    else:
        profile_obj = CorporateProfile(**_checked(profile, CORPORATE_FIELDS))
        profile_obj.revenue_band = band_floor(profile_obj.annual_revenue)
        if not customer.display_name:
            customer.display_name = profile_obj.legal_name
    _refresh_search_name(customer, profile_obj)
    customer.full_clean()
    profile_obj.customer = customer
    profile_obj.full_clean(exclude=["customer"])
    customer.save()
    profile_obj.customer = customer
    profile_obj.save()
    if relationship_manager is not None:
        permissions.grant_book_permissions(user_id=relationship_manager.pk, customer_ids=[customer.pk])
    _history(customer_id=customer.pk, kind=CustomerEventKind.CREATED, actor=actor)
    audit_record(
        actor=actor, action="customer.created", object_type=OBJECT_TYPE, object_id=customer.pk,
        fields=sorted(set(fields) | set(profile)),
    )
    return customer


def _checked(values: dict, allowed: frozenset[str]) -> dict:
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in sorted(unknown)})
    return dict(values)


@transaction.atomic
def customer_update(*, actor, customer: Customer, fields: dict | None = None,
                    profile: dict | None = None) -> list[str]:
    """Change a customer's details; return the names of the fields that changed.

    Raise ValidationError (by field) for bad input or a field that cannot be set.
    """
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    changed = _apply(customer, fields or {}, CUSTOMER_FIELDS)
    profile_obj = customer.individual if customer.is_individual else customer.corporate
    allowed = INDIVIDUAL_FIELDS if customer.is_individual else CORPORATE_FIELDS
    profile_changed = _apply(profile_obj, profile or {}, allowed)
    if not changed and not profile_changed:
        return []
    if customer.is_individual:
        profile_obj.income_band = band_floor(profile_obj.annual_income)
    else:
        profile_obj.revenue_band = band_floor(profile_obj.annual_revenue)
    _refresh_search_name(customer, profile_obj)
    customer.full_clean()
    profile_obj.full_clean(exclude=["customer"])
    customer.save()
    profile_obj.save()
    every = sorted(set(changed) | set(profile_changed))
    _history(customer_id=customer.pk, kind=CustomerEventKind.UPDATED, actor=actor, data={"fields": every})
    audit_record(actor=actor, action="customer.updated", object_type=OBJECT_TYPE,
                 object_id=customer.pk, fields=every)
    return every


def _check_may_reassign(actor, customers: Iterable[Customer]) -> None:
    if not permissions.has_customer_permission(actor, permissions.REASSIGN):
        raise PermissionDenied(_("Only a branch manager may reassign customers."))
    if permissions.has_customer_permission(actor, permissions.VIEW):
        return  # head-office role with every customer in scope
    branch_id = permissions.user_branch_id(actor)
    if any(customer.home_branch_id != branch_id for customer in customers):
        raise PermissionDenied(_("You may reassign only your branch's customers."))


def _check_manager(manager) -> None:
    if not has_role(manager, Role.RELATIONSHIP_MANAGER) or not manager.is_active:
        raise ValidationError({"relationship_manager": _("Choose an active relationship manager.")})


@dataclass(frozen=True)
class ReassignResult:
    moved: int
    unchanged: int


@transaction.atomic
def customers_reassign(*, actor, customer_ids: Iterable[int], relationship_manager) -> ReassignResult:
    """Give the customers to `relationship_manager`, moving book access with them.

    Customers are locked in primary-key order; each move revokes the previous manager's view
    and PII permissions and grants them to the new one in the same transaction, records the
    move in the customer's history and appends one audit event per customer.
    Raise PermissionDenied if `actor` may not reassign one of them, ValidationError if the
    target is not an active relationship manager.
    """
    ids = sorted(set(customer_ids))
    customers = list(Customer.objects.filter(pk__in=ids).order_by("pk").select_for_update())
    if len(customers) != len(ids):
        raise ValidationError({"customers": _("Some customers do not exist.")})
    _check_may_reassign(actor, customers)
    _check_manager(relationship_manager)
    moving = [
        customer for customer in customers if customer.relationship_manager_id != relationship_manager.pk
    ]
    by_previous: dict[int, list[int]] = {}
    for customer in moving:
        if customer.relationship_manager_id:
            by_previous.setdefault(customer.relationship_manager_id, []).append(customer.pk)
    for previous_id, previous_customers in by_previous.items():
        permissions.revoke_book_permissions(user_id=previous_id, customer_ids=previous_customers)
    moved_ids = [customer.pk for customer in moving]
    permissions.grant_book_permissions(user_id=relationship_manager.pk, customer_ids=moved_ids)
    Customer.objects.filter(pk__in=moved_ids).update(
        relationship_manager=relationship_manager, updated_at=timezone.now()
    )
    now = timezone.now()
    CustomerEvent.objects.bulk_create([
        CustomerEvent(
            customer_id=customer.pk, kind=CustomerEventKind.REASSIGNED, actor=actor, occurred_at=now,
            data={"from": customer.relationship_manager_id, "to": relationship_manager.pk},
        )
        for customer in moving
    ], batch_size=2000)
    for customer in moving:
        audit_record(
            actor=actor, action="customer.reassigned", object_type=OBJECT_TYPE, object_id=customer.pk,
            fields=["relationship_manager"],
            extra={"from_user": customer.relationship_manager_id, "to_user": relationship_manager.pk},
        )
    if moving:
        audit_record(
            actor=actor, action="permission.granted", object_type="auth.user",
            object_id=relationship_manager.pk, fields=list(permissions.BOOK_PERMISSIONS),
            extra={"customers": len(moving)},
        )
        for previous_id, previous_customers in by_previous.items():
            audit_record(
                actor=actor, action="permission.revoked", object_type="auth.user", object_id=previous_id,
                fields=list(permissions.BOOK_PERMISSIONS), extra={"customers": len(previous_customers)},
            )
    return ReassignResult(moved=len(moving), unchanged=len(customers) - len(moving))


def customer_reassign(*, actor, customer: Customer, relationship_manager) -> ReassignResult:
    """Reassign one customer (see customers_reassign)."""
    return customers_reassign(
        actor=actor, customer_ids=[customer.pk], relationship_manager=relationship_manager
    )


def book_reassign(*, actor, from_manager, to_manager) -> ReassignResult:
    """Move a relationship manager's whole book (the part `actor` may reassign)."""
    ids = list(Customer.objects.filter(relationship_manager=from_manager).values_list("pk", flat=True))
    if not ids:
        return ReassignResult(moved=0, unchanged=0)
    return customers_reassign(actor=actor, customer_ids=ids, relationship_manager=to_manager)


@transaction.atomic
def delegation_create(*, actor, relationship_manager, delegate, starts_on: datetime.date,
                      ends_on: datetime.date, reason: str) -> BookDelegation:
    """Let `delegate` cover `relationship_manager`'s book from `starts_on` to `ends_on`.

    Only a branch manager of the RM's branch (or a head-office role holding reassign) may
    delegate. Access ends by itself after `ends_on`. Raise PermissionDenied / ValidationError.
    """
    if not permissions.has_customer_permission(actor, permissions.REASSIGN):
        raise PermissionDenied(_("Only a branch manager may delegate a book."))
    if not permissions.has_customer_permission(actor, permissions.VIEW) and (
        permissions.user_branch_id(relationship_manager) != permissions.user_branch_id(actor)
    ):
        raise PermissionDenied(_("You may delegate only your branch's books."))
    delegation = BookDelegation(
        relationship_manager=relationship_manager, delegate=delegate, starts_on=starts_on,
        ends_on=ends_on, reason=reason, created_by=actor,
    )
    delegation.full_clean()
    if ends_on < timezone.localdate():
        raise ValidationError({"ends_on": _("The delegation would already be over.")})
    if not delegate.is_active or not (has_role(delegate, Role.RELATIONSHIP_MANAGER, Role.BRANCH_MANAGER)):
        raise ValidationError({"delegate": _("Choose an active relationship manager or branch manager.")})
    delegation.save()
    audit_record(
        actor=actor, action="delegation.created", object_type="customers.bookdelegation",
        object_id=delegation.pk,
        extra={"relationship_manager": relationship_manager.pk, "delegate": delegate.pk,
               "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
    )
    return delegation


@transaction.atomic
def delegation_end(*, actor, delegation: BookDelegation) -> BookDelegation:
    """End a delegation now. Raise PermissionDenied if `actor` may not."""
    if not permissions.has_customer_permission(actor, permissions.REASSIGN):
        raise PermissionDenied(_("Only a branch manager may end a delegation."))
    if delegation.revoked_at is None:
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="delegation.ended", object_type="customers.bookdelegation",
                     object_id=delegation.pk)
    return delegation


@transaction.atomic
def customer_reveal(*, actor, customer: Customer, fields: Iterable[str], purpose: str,
                    minutes: int = REVEAL_MINUTES_DEFAULT) -> RevealGrant:
    """Show `fields` of `customer` in clear to `actor` for `minutes`, for a stated purpose.

    Raise PermissionDenied if `actor` may not reveal this customer, ValidationError for an
    empty purpose, unknown fields or a duration outside 1..60 minutes.
    """
    known = access.sensitive_fields(Customer)
    names = sorted(set(fields))
    errors = {}
    if not names or set(names) - set(known):
        errors["fields"] = _("Choose one or more sensitive fields.")
    if len((purpose or "").strip()) < 10:
        errors["purpose"] = _("State the purpose in at least 10 characters.")
    if not 1 <= minutes <= REVEAL_MINUTES_MAX:
        errors["minutes"] = _("Choose between 1 and 60 minutes.")
    if errors:
        raise ValidationError(errors)
    if not access.may_reveal(actor, customer):
        raise PermissionDenied(_("You may not reveal this customer's data."))
    now = timezone.now()
    grant = RevealGrant.objects.create(
        user=actor, customer=customer, fields=names, purpose=purpose.strip(), granted_at=now,
        expires_at=now + datetime.timedelta(minutes=minutes),
    )
    audit_record(
        actor=actor, action="pii.reveal_granted", object_type=OBJECT_TYPE, object_id=customer.pk,
        fields=names, purpose=purpose.strip(), extra={"minutes": minutes, "grant": grant.pk},
    )
    return grant


@transaction.atomic
def interaction_log(*, actor, customer: Customer, channel: str, interaction_type: str, summary: str,
                    occurred_at: datetime.datetime | None = None, system: str = "",
                    external_reference: str | None = None) -> Interaction:
    """Record a contact with the customer and move their last-contact time forward.

    Raise ValidationError (by field) for bad input.
    """
    occurred = occurred_at or timezone.now()
    if occurred > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("An interaction cannot be in the future.")})
    interaction = Interaction(
        customer=customer, channel=channel, interaction_type=interaction_type, summary=summary,
        staff=actor if not system else None, system=system, occurred_at=occurred,
        external_reference=external_reference,
    )
    interaction.full_clean()
    interaction.save()
    Customer.objects.filter(pk=customer.pk).filter(
        Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=occurred)
    ).update(last_contact_at=occurred)
    audit_record(actor=actor, action="interaction.created", object_type=OBJECT_TYPE,
                 object_id=customer.pk, fields=["summary"], extra={"interaction": interaction.pk})
    return interaction


@transaction.atomic
def need_record(*, actor, customer: Customer, need_type: str, note: str = "") -> Need:
    """Record a need from the bank's catalogue for the customer's kind.

    Raise ValidationError if the need does not fit the customer's kind.
    """
    if need_type not in NEEDS_BY_KIND[customer.kind]:
        raise ValidationError({"need_type": _("This need is not in the catalogue for this customer.")})
    need = Need(customer=customer, need_type=NeedType(need_type), note=note or None,
                recorded_by=actor, recorded_at=timezone.now())
    need.full_clean()
    need.save()
    audit_record(actor=actor, action="need.created", object_type=OBJECT_TYPE, object_id=customer.pk,
                 fields=["note"] if note else [], extra={"need": need.pk})
    return need


AUM_BATCH_SIZE = 50_000


def customers_refresh_aum(*, customer_ids: Iterable[int] | None = None,
                          batch_size: int = AUM_BATCH_SIZE) -> int:
    """Recompute assets under management from active asset holdings, in set-based SQL.

    With `customer_ids`, only those customers; otherwise every customer, in primary-key
    ranges of `batch_size` (one statement per range, each reading only that range's
    holdings). Balances in other currencies count at the ExchangeRate; a currency without a
    rate counts as zero (the figure errs low rather than invent a rate). Return rows changed.
    """
    if customer_ids is not None:
        ids = list(customer_ids)
        return _refresh_aum_where("id = ANY(%s)", [ids]) if ids else 0
    changed = 0
    last_id = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT MAX(id) FROM "
                "(SELECT id FROM customers_customer WHERE id > %s ORDER BY id LIMIT %s) AS batch",
                [last_id, batch_size],
            )
            (upper,) = cursor.fetchone()
        if upper is None:
            return changed
        changed += _refresh_aum_where("id > %s AND id <= %s", [last_id, upper])
        last_id = upper


def _refresh_aum_where(condition: str, condition_params: list) -> int:
    from customers.models import ASSET_PRODUCTS

    sql = f"""
        WITH scope AS (SELECT id FROM customers_customer WHERE {condition}),
        totals AS (
            SELECT h.customer_id, SUM(
                CASE WHEN h.currency = %s THEN h.balance ELSE h.balance * COALESCE(r.rate, 0) END
            ) AS aum
            FROM customers_holding h
            JOIN scope s ON s.id = h.customer_id
            LEFT JOIN customers_exchangerate r ON r.currency = h.currency
            WHERE h.status = 'active' AND h.product_type = ANY(%s) AND h.balance > 0
            GROUP BY h.customer_id
        )
        UPDATE customers_customer c
        SET aum = ROUND(COALESCE(t.aum, 0), 2)
        FROM scope s LEFT JOIN totals t ON t.customer_id = s.id
        WHERE c.id = s.id AND c.aum IS DISTINCT FROM ROUND(COALESCE(t.aum, 0), 2)
    """  # noqa: S608 - only the two fixed conditions above are interpolated
    params = [*condition_params, settings.BANK_CURRENCY, list(ASSET_PRODUCTS)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@transaction.atomic
def holding_upsert(
    *, actor, customer: Customer, external_reference: str | None, values: dict
) -> tuple[Holding, bool]:
    """Create or update a holding by its core-banking reference; refresh the customer's AUM.

    Return (holding, created). Raise ValidationError (by field) for bad input.
    """
    holding = None
    if external_reference:
        holding = Holding.objects.select_for_update().filter(external_reference=external_reference).first()
        if holding is not None and holding.customer_id != customer.pk:
            raise ValidationError({"external_reference": _("This reference belongs to another customer.")})
    created = holding is None
    if holding is None:
        holding = Holding(customer=customer, external_reference=external_reference)
    allowed = {"product_type", "product_name", "account_number", "balance", "currency", "status",
               "opened_on", "matures_on"}
    _apply(holding, values, frozenset(allowed))
    if holding.account_number:
        digits = "".join(character for character in str(holding.account_number) if character.isalnum())
        holding.account_last4 = digits[-4:]
    holding.full_clean()
    holding.save()
    customers_refresh_aum(customer_ids=[customer.pk])
    audit_record(actor=actor, action="holding.created" if created else "holding.updated",
                 object_type=OBJECT_TYPE, object_id=customer.pk, fields=sorted(values),
                 extra={"holding": holding.pk})
    return holding, created


__all__ = [
    "book_reassign",
    "customer_create",
    "customer_reassign",
    "customer_reveal",
    "customer_update",
    "customers_reassign",
    "customers_refresh_aum",
    "delegation_create",
    "delegation_end",
    "holding_upsert",
    "interaction_log",
    "need_record",
    "next_customer_numbers",
]
