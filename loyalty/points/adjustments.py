"""Manual adjustments: proposed by one person; above LOYALTY_ADJUSTMENT_APPROVAL_ABOVE points
(either sign) applied only when a second person approves; never decided by the proposer."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.audit import audit_record
from customers.models import Customer
from loyalty import permissions
from loyalty.models import AdjustmentReason, AdjustmentStatus, PointsAdjustment
from loyalty.permissions import LoyaltyAction
from loyalty.points import ledger
from loyalty.points.errors import InsufficientPoints

OBJECT_TYPE = "customers.customer"
MAX_ADJUSTMENT = 10_000_000


def approval_threshold() -> int:
    """Adjustments of more points than this (either sign) need a second person."""
    return settings.LOYALTY_ADJUSTMENT_APPROVAL_ABOVE


def needs_approval(points: int) -> bool:
    return abs(points) > approval_threshold()


def _validate(points, reason: str, reference: str) -> None:
    errors = {}
    if not isinstance(points, int) or points == 0 or abs(points) > MAX_ADJUSTMENT:
        errors["points"] = _("Give a whole number of points other than 0, at most %(max)s either way.") % {
            "max": MAX_ADJUSTMENT}
    if reason not in AdjustmentReason.values:
        errors["reason"] = _("Choose one of the reasons.")
    if len(reference or "") > 64:
        errors["reference"] = _("The reference is at most 64 characters.")
    if errors:
        raise ValidationError(errors)


def adjustment_propose(*, actor, customer: Customer, points: int, reason: str,
                       reference: str = "") -> PointsAdjustment:
    """Propose adjusting `customer`'s points by `points` (signed). Within the approval size it
    is applied at once (status applied); above it, it waits (pending) for a second person.

    Raise PermissionDenied unless `actor` may adjust the customer's points (ADJUST_POINTS);
    ValidationError (by field) for bad input; InsufficientPoints for a debit larger than the
    unexpired points (nothing is recorded).
    """
    permissions.check(actor, LoyaltyAction.ADJUST_POINTS, customer)
    reference = (reference or "").strip()
    _validate(points, reason, reference)
    now = timezone.now()
    with transaction.atomic():
        account = ledger.account_lock(customer.pk)
        adjustment = PointsAdjustment(customer=customer, points=points, reason=reason, reference=reference,
                                      proposed_by=actor, proposed_at=now, status=AdjustmentStatus.PENDING)
        if points < 0 and -points > ledger.available_points(account):
            # Refused now rather than after a second person has looked at it.
            raise InsufficientPoints(available=ledger.available_points(account), requested=-points)
        if not needs_approval(points):
            adjustment.entry = ledger.adjust(account=account, points=points, actor=actor, reference=reference)
            adjustment.status = AdjustmentStatus.APPLIED
        adjustment.save()
        audit_record(actor=actor, action="points.adjustment_proposed", object_type=OBJECT_TYPE,
                     object_id=customer.pk, extra={"adjustment": adjustment.pk, "points": points,
                                                   "status": adjustment.status})
    return adjustment


def _decide(*, actor, adjustment: PointsAdjustment, approve: bool) -> PointsAdjustment:
    customer = adjustment.customer
    permissions.check(actor, LoyaltyAction.APPROVE_ADJUSTMENT, customer)
    if adjustment.proposed_by_id == actor.pk:
        raise PermissionDenied(_("An adjustment is approved or rejected by someone other than its proposer."))
    with transaction.atomic():
        account = ledger.account_lock(customer.pk)
        locked = PointsAdjustment.objects.select_for_update().get(pk=adjustment.pk)
        if locked.status != AdjustmentStatus.PENDING:
            raise ValidationError({"status": _("This adjustment has already been decided.")})
        now = timezone.now()
        if approve:
            locked.entry = ledger.adjust(account=account, points=locked.points, actor=actor,
                                         reference=locked.reference)
            locked.status = AdjustmentStatus.APPLIED
        else:
            locked.status = AdjustmentStatus.REJECTED
        locked.decided_by, locked.decided_at = actor, now
        locked.save(update_fields=["entry", "status", "decided_by", "decided_at"])
        audit_record(actor=actor,
                     action="points.adjustment_approved" if approve else "points.adjustment_rejected",
                     object_type=OBJECT_TYPE, object_id=customer.pk,
                     extra={"adjustment": locked.pk, "points": locked.points})
    return locked


def adjustment_approve(*, actor, adjustment: PointsAdjustment) -> PointsAdjustment:
    """Approve and apply a pending adjustment. Raise PermissionDenied unless `actor` may
    approve adjustments for the customer (APPROVE_ADJUSTMENT) and did not propose it;
    ValidationError if it is no longer pending; InsufficientPoints for a debit the customer's
    unexpired points no longer cover (it stays pending)."""
    return _decide(actor=actor, adjustment=adjustment, approve=True)


def adjustment_reject(*, actor, adjustment: PointsAdjustment) -> PointsAdjustment:
    """Reject a pending adjustment (nothing is applied); the same refusals as approving."""
    return _decide(actor=actor, adjustment=adjustment, approve=False)
