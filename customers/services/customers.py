"""Creating and changing customers: by hand, through the API, and by core-banking reference."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance import access
from compliance.audit import audit_record
from crm.models import Branch
from crm.roles import Role, has_role
from customers import permissions
from customers.models import (
    CorporateProfile,
    Customer,
    CustomerEventKind,
    CustomerKind,
    IndividualProfile,
    band_floor,
)
from customers.services.common import (
    CORPORATE_FIELDS,
    CUSTOMER_FIELDS,
    INDIVIDUAL_FIELDS,
    OBJECT_TYPE,
    apply_values,
    default_segment,
    history_record,
    next_customer_numbers,
    refresh_search_name,
    refuse_unknown,
    refuse_unreadable,
)

# The advisory-lock namespace of customer upserts by core-banking reference.
REFERENCE_LOCK = "customers.customer.external_reference"
# What a caller of customer_upsert_by_reference may send besides the customer's own fields.
UPSERT_KEYS = frozenset({"kind", "home_branch", "relationship_manager", "segment", "profile"})


@dataclass(frozen=True)
class DuplicatesConfirmed:
    """The actor saw possible duplicates (`candidate_ids`) and creates anyway, for `reason`."""

    reason: str
    candidate_ids: tuple[int, ...]


def _check_may_add(actor, home_branch: Branch) -> None:
    candidate = Customer(home_branch=home_branch)
    if permissions.allows(actor, permissions.CustomerAction.ADD, candidate):
        return
    if permissions.allows(actor, permissions.CustomerAction.ADD):
        # The actor adds customers, only not to this branch: the branch is the wrong input.
        raise ValidationError({"home_branch": permissions.refusal(permissions.CustomerAction.ADD)})
    permissions.check(actor, permissions.CustomerAction.ADD, candidate)


@transaction.atomic
def customer_create(
    *,
    actor,
    kind: str,
    home_branch: Branch,
    relationship_manager=None,
    profile: dict,
    segment: str | None = None,
    duplicates_confirmed: DuplicatesConfirmed | None = None,
    **fields,
) -> Customer:
    """Create a customer with its profile and give the relationship manager access.

    `duplicates_confirmed` records, in the audit event, that the actor was shown possible
    duplicates and created the customer anyway, with their reason (its purpose) and the
    candidates' ids.

    `profile` holds the individual or corporate profile's fields; `fields` the customer's.
    A relationship manager's new customer joins their own book unless another manager is named.
    Raise PermissionDenied if `actor` may not add customers at all, or names a core-banking
    reference (`external_reference`) without CHANGE_REFERENCE; ValidationError (by field)
    for bad input, including a `home_branch` the actor may not add to (ADD: their own branch,
    any branch for head office); nothing is saved then.
    """
    if kind not in CustomerKind.values:
        raise ValidationError({"kind": _("Unknown customer kind.")})
    _check_may_add(actor, home_branch)
    if fields.get("external_reference"):
        # The reference is core banking's; refused before it is looked up, so whoever may not
        # set one learns nothing of the references in use (those who may see every customer).
        permissions.check(actor, permissions.CustomerAction.CHANGE_REFERENCE)
    if relationship_manager is None and has_role(actor, Role.RELATIONSHIP_MANAGER):
        relationship_manager = actor  # a relationship manager's new customer joins their book
    customer = Customer(
        kind=kind, home_branch=home_branch, relationship_manager=relationship_manager,
        segment=segment or default_segment(kind), since=fields.pop("since", None) or timezone.localdate(),
    )
    apply_values(customer, fields, CUSTOMER_FIELDS)
    if not customer.number:
        customer.number = next_customer_numbers(1)[0]
    if kind == CustomerKind.INDIVIDUAL:
        refuse_unknown(profile, INDIVIDUAL_FIELDS)
        profile_obj = IndividualProfile(**profile)
        profile_obj.income_band = band_floor(profile_obj.annual_income)
        if not customer.display_name:
            customer.display_name = f"{profile_obj.family_name} {profile_obj.given_name}".strip()
    else:
        refuse_unknown(profile, CORPORATE_FIELDS)
        profile_obj = CorporateProfile(**profile)
        profile_obj.revenue_band = band_floor(profile_obj.annual_revenue)
        if not customer.display_name:
            customer.display_name = profile_obj.legal_name
    refresh_search_name(customer, profile_obj)
    customer.full_clean()
    profile_obj.customer = customer
    profile_obj.full_clean(exclude=["customer"])
    customer.save()
    profile_obj.customer = customer
    profile_obj.save()
    if relationship_manager is not None:
        permissions.grant_book_permissions(user_id=relationship_manager.pk, customer_ids=[customer.pk])
        if relationship_manager.pk == getattr(actor, "pk", None):
            permissions.forget_access(actor)  # the new customer is in the actor's own book now
    history_record(customer_id=customer.pk, kind=CustomerEventKind.CREATED, actor=actor)
    audit_record(
        actor=actor, action="customer.created", object_type=OBJECT_TYPE, object_id=customer.pk,
        fields=sorted(set(fields) | set(profile)),
        purpose=duplicates_confirmed.reason if duplicates_confirmed else "",
        extra=({"possible_duplicates": sorted(duplicates_confirmed.candidate_ids)}
               if duplicates_confirmed else None),
    )
    return customer


@transaction.atomic
def customer_update(*, actor, customer: Customer, fields: dict | None = None,
                    profile: dict | None = None) -> list[str]:
    """Change a customer's details; return the names of the fields that changed.

    Raise PermissionDenied if `actor` may not change this customer, move it to another
    branch (CHANGE_BRANCH) or change its core-banking reference (CHANGE_REFERENCE);
    ValidationError (by field) for bad input, a field that cannot be set, a sensitive
    field `actor` sees masked (nobody overwrites what they cannot read), or a stored value
    that cannot be decrypted and is not given anew.
    """
    _check_may_change(actor, customer, fields or {}, profile or {})
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    changed = apply_values(customer, fields or {}, CUSTOMER_FIELDS)
    profile_obj = customer.individual if customer.is_individual else customer.corporate
    allowed = INDIVIDUAL_FIELDS if customer.is_individual else CORPORATE_FIELDS
    profile_changed = apply_values(profile_obj, profile or {}, allowed)
    if not changed and not profile_changed:
        return []
    if customer.is_individual:
        profile_obj.income_band = band_floor(profile_obj.annual_income)
    else:
        profile_obj.revenue_band = band_floor(profile_obj.annual_revenue)
    refresh_search_name(customer, profile_obj)
    refuse_unreadable(customer, profile_obj)
    customer.full_clean()
    profile_obj.full_clean(exclude=["customer"])
    customer.save()
    profile_obj.save()
    every = sorted(set(changed) | set(profile_changed))
    history_record(customer_id=customer.pk, kind=CustomerEventKind.UPDATED, actor=actor,
                   data={"fields": every})
    audit_record(actor=actor, action="customer.updated", object_type=OBJECT_TYPE,
                 object_id=customer.pk, fields=every)
    return every


def _check_may_change(actor, customer: Customer, fields: dict, profile: dict) -> None:
    permissions.check(actor, permissions.CustomerAction.CHANGE, customer)
    if "home_branch" in fields and getattr(fields["home_branch"], "pk", fields["home_branch"]) != (
        customer.home_branch_id
    ):
        permissions.check(actor, permissions.CustomerAction.CHANGE_BRANCH, customer)
    if "external_reference" in fields and (fields["external_reference"] or None) != (
        customer.external_reference or None
    ):
        permissions.check(actor, permissions.CustomerAction.CHANGE_REFERENCE, customer)
    sensitive = access.sensitive_fields(Customer)
    masked = set(sensitive) - access.RecordView.for_object(actor, customer).clear
    refused = sorted(name for name in (set(fields) | set(profile)) if name in masked)
    if refused:
        raise ValidationError({name: _("You may change only details you see in clear.") for name in refused})


def _lock_reference(reference: str) -> None:
    """Serialise upserts of one reference until the transaction ends (there may be no row
    to lock yet, so a row lock cannot do it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{REFERENCE_LOCK}:{reference}"])


@transaction.atomic
def customer_upsert_by_reference(*, actor, external_reference: str, values: dict) -> tuple[Customer, bool]:
    """Create the customer core banking knows as `external_reference`, or bring it up to date.

    `values` holds the customer's own fields (see CUSTOMER_FIELDS, without
    `external_reference`), `kind`, `home_branch`, and optionally `relationship_manager`,
    `segment` and `profile` (the individual or corporate profile's fields). The manager and
    segment apply only to a new customer; afterwards they change through reassignment and
    segmentation, so a different value is refused. Sending the same values again changes
    nothing. Concurrent calls for one reference are serialised by a transaction-scoped
    advisory lock, so exactly one of them creates the customer.

    Return (customer, created). Raise PermissionDenied unless `actor` may both add customers
    and set core-banking references (core banking's own door), or may not change this
    customer; ValidationError (by field; profile fields by their own name) for bad input, a
    change of kind, manager or segment; nothing is saved then.
    """
    permissions.check(actor, permissions.CustomerAction.ADD)
    permissions.check(actor, permissions.CustomerAction.CHANGE_REFERENCE)
    values = dict(values)
    refuse_unknown(values, (CUSTOMER_FIELDS - {"external_reference"}) | UPSERT_KEYS)
    kind = values.pop("kind")
    home_branch = values.pop("home_branch")
    relationship_manager = values.pop("relationship_manager", None)
    segment = values.pop("segment", None)
    profile = dict(values.pop("profile", None) or {})
    _lock_reference(external_reference)
    existing = Customer.objects.filter(external_reference=external_reference).first()
    if existing is None:
        customer = customer_create(
            actor=actor, kind=kind, home_branch=home_branch, relationship_manager=relationship_manager,
            profile=profile, segment=segment, external_reference=external_reference, **values,
        )
        return customer, True
    errors = {}
    if existing.kind != kind:
        errors["kind"] = _("A customer's kind cannot change.")
    if relationship_manager is not None and existing.relationship_manager_id != relationship_manager.pk:
        errors["relationship_manager"] = _("Reassign the customer to change the relationship manager.")
    if segment is not None and existing.segment != segment:
        errors["segment"] = _("The segment is set by segmentation, not by an update.")
    if errors:
        raise ValidationError(errors)
    customer_update(actor=actor, customer=existing, fields={**values, "home_branch": home_branch},
                    profile=profile)
    return existing, False
