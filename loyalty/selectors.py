"""Reads of the points ledger, restricted by the one policy: a customer the actor may not see
is not found (Http404), and points are shown only to who may see them (VIEW_POINTS)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import BigIntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from customers.models import Customer
from loyalty import permissions
from loyalty.models import (
    EARNED_KINDS,
    AdjustmentStatus,
    EntryKind,
    PointsAccount,
    PointsAdjustment,
    PointsEntry,
    PointsLot,
)
from loyalty.permissions import LoyaltyAction


@dataclass(frozen=True)
class PointsSummary:
    """A customer's points: the balance (the ledger's sum), the unexpired part of it, points
    earned in the last 12 months and those expiring within 30 days (with the first date)."""

    balance: int
    available: int
    earned_12m: int
    expiring_soon: int
    next_expiry: datetime.datetime | None


def points_summary_unrestricted(customer_id: int, *, now: datetime.datetime | None = None) -> PointsSummary:
    """The summary for one customer, without an access check (for the services and for
    selectors that checked). One query: the account with its lots' and entries' sums."""
    now = now or timezone.now()
    soon = now + datetime.timedelta(days=30)
    open_lots = PointsLot.objects.filter(account=OuterRef("pk"), remaining__gt=0, expires_at__gt=now)
    earned = PointsEntry.objects.filter(account=OuterRef("pk"), kind__in=EARNED_KINDS,
                                        occurred_at__gt=now - datetime.timedelta(days=365))
    account = (PointsAccount.objects.filter(customer_id=customer_id).annotate(
        available=_sum(open_lots, "remaining"),
        expiring_soon=_sum(open_lots.filter(expires_at__lte=soon), "remaining"),
        next_expiry=Subquery(open_lots.filter(expires_at__lte=soon).order_by("expires_at")
                             .values("expires_at")[:1]),
        earned_12m=_sum(earned, "points"),
    ).values("balance", "available", "expiring_soon", "next_expiry", "earned_12m").first())
    if account is None:
        return PointsSummary(0, 0, 0, 0, None)
    return PointsSummary(balance=int(account["balance"]), available=int(account["available"]),
                         earned_12m=int(account["earned_12m"]), expiring_soon=int(account["expiring_soon"]),
                         next_expiry=account["next_expiry"])


def _sum(queryset: QuerySet, field: str):
    """SUM(field) of `queryset` (correlated by OuterRef) as a subquery, 0 when empty."""
    total = queryset.order_by().values("account").annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(total[:1], output_field=BigIntegerField()), Value(0))


def earned_between(customer_id: int, *, since: datetime.datetime, until: datetime.datetime) -> int:
    """Points the customer earned (earns less reversals) in (since, until]."""
    total = PointsEntry.objects.filter(account__customer_id=customer_id, kind__in=EARNED_KINDS,
                                       occurred_at__gt=since, occurred_at__lte=until).aggregate(
        total=Sum("points"))["total"]
    return int(total or 0)


def check_sees_points(actor, customer: Customer) -> None:
    """Raise PermissionDenied unless `actor` may see `customer`'s points."""
    permissions.check(actor, LoyaltyAction.VIEW_POINTS, customer)


def points_summary(*, actor, customer: Customer) -> PointsSummary:
    """`customer`'s points summary for `actor`. Raise PermissionDenied unless `actor` may see
    the customer's points (the customer itself was fetched through customers.selectors)."""
    check_sees_points(actor, customer)
    return points_summary_unrestricted(customer.pk)


def points_history(*, actor, customer: Customer, kind: str | None = None) -> QuerySet:
    """`customer`'s entries, newest first, for `actor` (VIEW_POINTS; PermissionDenied otherwise)."""
    check_sees_points(actor, customer)
    entries = PointsEntry.objects.filter(account__customer_id=customer.pk).select_related("actor", "rule")
    if kind:
        entries = entries.filter(kind=kind)
    return entries.order_by("-occurred_at", "-id")


def adjustments_pending(*, actor) -> QuerySet:
    """Pending adjustments `actor` may approve (APPROVE_ADJUSTMENT on their customers), oldest
    first; the actor's own proposals are among them, marked by `proposed_by` (the service
    refuses those)."""
    if not permissions.allows(actor, LoyaltyAction.APPROVE_ADJUSTMENT):
        raise PermissionDenied(permissions.refusal(LoyaltyAction.APPROVE_ADJUSTMENT))
    customers = permissions.restrict(Customer.objects.all(), actor, LoyaltyAction.APPROVE_ADJUSTMENT)
    return (PointsAdjustment.objects.filter(status=AdjustmentStatus.PENDING,
                                            customer__in=customers.values("pk"))
            .select_related("customer", "proposed_by").order_by("proposed_at", "pk"))


def adjustment_get(*, actor, pk: int) -> PointsAdjustment:
    """A pending or decided adjustment of a customer `actor` may approve for; Http404 otherwise."""
    from django.http import Http404

    if not permissions.allows(actor, LoyaltyAction.APPROVE_ADJUSTMENT):
        raise Http404
    customers = permissions.restrict(Customer.objects.all(), actor, LoyaltyAction.APPROVE_ADJUSTMENT)
    adjustment = (PointsAdjustment.objects.select_related("customer", "proposed_by")
                  .filter(pk=pk, customer__in=customers.values("pk")).first())
    if adjustment is None:
        raise Http404
    return adjustment


def entry_kinds() -> list[tuple[str, str]]:
    return list(EntryKind.choices)


def adjustments_of(*, actor, customer: Customer, limit: int = 10) -> list[PointsAdjustment]:
    """`customer`'s latest adjustments, newest first, for `actor` (VIEW_POINTS)."""
    check_sees_points(actor, customer)
    return list(PointsAdjustment.objects.filter(customer=customer).select_related("proposed_by", "decided_by")
                .order_by("-proposed_at", "-pk")[:limit])


def redemptions_of(*, actor, customer: Customer, limit: int = 50) -> list:
    """`customer`'s latest redemptions, newest first, for `actor` (VIEW_POINTS)."""
    from loyalty.models import Redemption

    check_sees_points(actor, customer)
    return list(Redemption.objects.filter(customer=customer).select_related("reward", "requested_by")
                .order_by("-requested_at", "-pk")[:limit])


def redemption_get(*, actor, customer: Customer, pk: int):
    """One redemption of `customer` (seen by `actor`); Http404 when there is none."""
    from django.http import Http404

    from loyalty.models import Redemption

    check_sees_points(actor, customer)
    redemption = Redemption.objects.filter(pk=pk, customer=customer).select_related("customer",
                                                                                    "reward").first()
    if redemption is None:
        raise Http404
    return redemption
