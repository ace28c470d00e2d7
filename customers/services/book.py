"""The book: who holds which customers (reassignment, delegation) and who sees a customer's
sensitive fields in clear for a while (reveal)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance import access
from compliance.audit import audit_record
from crm.roles import Role, has_role
from customers import permissions
from customers.models import (
    OPEN_STATUSES,
    BookDelegation,
    Customer,
    CustomerEvent,
    CustomerEventKind,
    FollowUp,
    RevealGrant,
)
from customers.services.common import OBJECT_TYPE

REVEAL_MINUTES_DEFAULT = 15
REVEAL_MINUTES_MAX = 60


def _check_may_reassign(actor, customers: Iterable[Customer]) -> None:
    for customer in customers:
        permissions.check(actor, permissions.CustomerAction.REASSIGN, customer)


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
    move in the customer's history and appends one audit event per customer. The customers'
    open follow-ups move to the new manager too.
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
    # Open follow-ups go with the customer (done ones stay with whoever did them).
    FollowUp.objects.filter(customer_id__in=moved_ids, status__in=OPEN_STATUSES).update(
        assigned_to=relationship_manager
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
    permissions.forget_access(actor)
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
    permissions.check(actor, permissions.CustomerAction.MANAGE_BOOKS, relationship_manager)
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
    permissions.check(actor, permissions.CustomerAction.MANAGE_BOOKS, delegation.relationship_manager)
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
    permissions.check(actor, permissions.CustomerAction.REVEAL, customer)
    now = timezone.now()
    grant = RevealGrant.objects.create(
        user=actor, customer=customer, fields=names, purpose=purpose.strip(), granted_at=now,
        expires_at=now + datetime.timedelta(minutes=minutes),
    )
    audit_record(
        actor=actor, action="pii.reveal_granted", object_type=OBJECT_TYPE, object_id=customer.pk,
        fields=names, purpose=purpose.strip(), extra={"minutes": minutes, "grant": grant.pk},
    )
    permissions.forget_access(actor)
    return grant
