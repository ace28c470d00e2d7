"""Contact holds: a cool-off from outreach that people and other apps (a complaint opened,
then resolved) place and lift, with who and why.

Both take the customer's row lock, as `contact_request` does, so a contact asked after a
hold is placed waits for it and is refused.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.audit import audit_record
from customers import permissions
from customers.models import ContactHold, ContactHoldKind, Customer
from customers.outreach.pressure import lock_customer
from customers.services import OBJECT_TYPE


def _check(actor, customer: Customer) -> None:
    if actor is not None:
        permissions.check(actor, permissions.CustomerAction.PLACE_HOLD, customer)


@transaction.atomic
def contact_hold_place(*, actor, customer: Customer, kind: str, reason: str,
                       reference: str = "") -> tuple[ContactHold, bool]:
    """Place a hold of `kind` on outreach to `customer`, saying why (`reason`, kept encrypted).
    Return (hold, created). With a `reference` (the complaint's number...), placing the same
    kind and reference again while that hold is open returns it (created False), so a caller
    may retry.

    `actor` is who places it, or None for another app's scheduled work (never a request).
    Raise PermissionDenied unless `actor` may place holds for the customer; ValidationError
    (by field) for an unknown kind or a missing reason.
    """
    _check(actor, customer)
    reason = (reason or "").strip()
    reference = (reference or "").strip()
    errors = {}
    if kind not in ContactHoldKind.values:
        errors["kind"] = _("Choose the kind of hold.")
    if not reason:
        errors["reason"] = _("Say why contact is put on hold.")
    if errors:
        raise ValidationError(errors)
    lock_customer(customer.pk)
    if reference:
        existing = ContactHold.objects.filter(customer=customer, kind=kind, reference=reference,
                                              lifted_at__isnull=True).first()
        if existing is not None:
            return existing, False
    hold = ContactHold(customer=customer, kind=kind, reason=reason, reference=reference, placed_by=actor,
                       placed_at=timezone.now())
    hold.full_clean()
    hold.save()
    audit_record(actor=actor, action="contact_hold.placed", object_type=OBJECT_TYPE, object_id=customer.pk,
                 fields=["reason"], extra={"contact_hold": hold.pk, "kind": kind})
    return hold, True


@transaction.atomic
def contact_hold_lift(*, actor, hold: ContactHold, reason: str = "") -> ContactHold:
    """Lift `hold` (outreach resumes unless another hold is open), saying why if you like.
    Lifting a hold already lifted changes nothing and returns it as it is.

    Raise PermissionDenied unless `actor` (None: another app's scheduled work) may place holds
    for the hold's customer.
    """
    customer = hold.customer
    _check(actor, customer)
    lock_customer(customer.pk)
    current = ContactHold.objects.get(pk=hold.pk)
    if current.lifted_at is not None:
        return current
    current.lifted_at, current.lifted_by = timezone.now(), actor
    current.lift_reason = (reason or "").strip() or None
    current.full_clean()
    current.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    audit_record(actor=actor, action="contact_hold.lifted", object_type=OBJECT_TYPE, object_id=customer.pk,
                 fields=["lift_reason"] if current.lift_reason else [],
                 extra={"contact_hold": current.pk, "kind": current.kind})
    return current


def contact_hold_lift_by_reference(*, actor, customer: Customer, kind: str, reference: str,
                                   reason: str = "") -> ContactHold | None:
    """Lift the open hold of `kind` placed under `reference` (another app's handle: the
    complaint it placed the hold for); None when there is none open."""
    hold = ContactHold.objects.select_related("customer").filter(
        customer=customer, kind=kind, reference=reference, lifted_at__isnull=True).first()
    if hold is None:
        _check(actor, customer)
        return None
    return contact_hold_lift(actor=actor, hold=hold, reason=reason)
