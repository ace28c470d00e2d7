"""Merging duplicate customer records into one, reversibly.

A merge moves what hangs off the merged record (holdings, interactions, needs,
relationships, history events, per-customer permissions) to the survivor, points the merged
record at the survivor (`merged_into`) and closes it. The `MergeRecord` lists the ids of
every row moved, and the relationships dropped because they would have linked the survivor
to itself or duplicated one it already had, so `customers_unmerge` puts exactly those rows
back. Reveal grants and segment overrides stay with their record: they were given for it.

Who may merge: holders of the reassign permission (branch managers) for customers of their
own branch; a head-office role holding reassign and seeing every customer, for any branch.
Both records must be of the same kind and records of their own (not merged away), and a
record that has absorbed others is not merged away itself until those merges are reversed,
so every reversal moves back exactly what its merge moved.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance import access
from compliance.audit import audit_record
from customers import permissions
from customers.models import (
    Customer,
    CustomerEvent,
    CustomerEventKind,
    CustomerGroupObjectPermission,
    CustomerStatus,
    CustomerUserObjectPermission,
    Holding,
    Interaction,
    MergeRecord,
    Need,
    Relationship,
)
from customers.services import customers_refresh_aum

OBJECT_TYPE = "customers.customer"

# (key in MergeRecord.moved, model, foreign key to the customer)
MOVED_ROWS = (
    ("holdings", Holding, "customer"),
    ("interactions", Interaction, "customer"),
    ("needs", Need, "customer"),
    ("history", CustomerEvent, "customer"),
    ("relationships_from", Relationship, "from_customer"),
    ("relationships_to", Relationship, "to_customer"),
    ("user_permissions", CustomerUserObjectPermission, "content_object"),
    ("group_permissions", CustomerGroupObjectPermission, "content_object"),
)

MERGE = permissions.CustomerAction.MERGE


def may_merge(actor, customers) -> bool:
    """Whether `actor` may merge (or unmerge) these customers."""
    customers = list(customers)
    if not all(permissions.allows(actor, MERGE, customer) for customer in customers):
        return False
    visible = access.restrict(Customer.objects.filter(pk__in=[customer.pk for customer in customers]), actor)
    return visible.count() == len({customer.pk for customer in customers})


def mergeable_with(actor, customer: Customer, candidates) -> set[int]:
    """Ids of `candidates` that `actor` may merge with `customer`, without a query per row.

    For lists of customers already restricted to what `actor` sees (duplicate candidates):
    applies `may_merge`'s role and branch rule only.
    """
    if not permissions.allows(actor, MERGE, customer):
        return set()
    return {
        candidate.pk for candidate in candidates
        if candidate.kind == customer.kind and permissions.allows(actor, MERGE, candidate)
    }


def _check_may_merge(actor, customers) -> None:
    if not may_merge(actor, customers):
        raise PermissionDenied(_("You may merge only customers of your own branch."))


def _lock(*customer_ids: int) -> dict[int, Customer]:
    # Primary-key order, as every multi-customer write does, so two merges cannot deadlock.
    return {
        customer.pk: customer
        for customer in Customer.objects.select_for_update().filter(pk__in=customer_ids).order_by("pk")
    }


def _history(customers: list[Customer], kind: str, actor, data: dict, when: datetime.datetime) -> None:
    CustomerEvent.objects.bulk_create([
        CustomerEvent(customer_id=customer.pk, kind=kind, actor=actor, data=data, occurred_at=when)
        for customer in customers
    ])


def _relationship_snapshot(relationship: Relationship) -> dict:
    return {
        "id": relationship.pk, "from": relationship.from_customer_id, "to": relationship.to_customer_id,
        "kind": relationship.kind, "role": relationship.role,
        "share_percent": None if relationship.share_percent is None else str(relationship.share_percent),
        "created_at": relationship.created_at.isoformat(),
    }


def _plan_relationships(survivor: Customer,
                        merged: Customer) -> tuple[list[int], list[int], list[Relationship]]:
    """Which of the merged record's relationships move (out, in) and which are dropped."""
    taken = set(
        Relationship.objects.filter(Q(from_customer=survivor) | Q(to_customer=survivor)).values_list(
            "from_customer_id", "to_customer_id", "kind"
        )
    )
    moving_from, moving_to, dropped = [], [], []
    linked = Relationship.objects.filter(Q(from_customer=merged) | Q(to_customer=merged)).order_by("pk")
    for relationship in linked:
        outgoing = relationship.from_customer_id == merged.pk
        other = relationship.to_customer_id if outgoing else relationship.from_customer_id
        key = (survivor.pk, other, relationship.kind) if outgoing else (other, survivor.pk, relationship.kind)
        if other == survivor.pk or key in taken:
            dropped.append(relationship)
            continue
        taken.add(key)
        (moving_from if outgoing else moving_to).append(relationship.pk)
    return moving_from, moving_to, dropped


def _movable_permissions(model, survivor: Customer, merged: Customer, holder: str) -> list[int]:
    """Permission rows of `merged` that do not duplicate one the survivor's holder already has."""
    held = set(model.objects.filter(content_object=survivor).values_list(holder, "permission_id"))
    return [
        pk for pk, holder_id, permission_id in model.objects.filter(content_object=merged).values_list(
            "pk", holder, "permission_id"
        )
        if (holder_id, permission_id) not in held
    ]


@transaction.atomic
def customers_merge(*, actor, survivor: Customer, merged: Customer) -> MergeRecord:
    """Merge `merged` into `survivor` and return the record of what moved.

    Locks both customers in primary-key order; moves holdings, interactions, needs,
    relationships, history events and per-customer permissions (rows that would link the
    survivor to itself or duplicate what it has are dropped, or left with the merged record
    for permissions, and recorded); sets `merged.merged_into` and closes it; recomputes
    both AUMs; records MERGED in both histories and audits `customer.merged`.
    Raise PermissionDenied if `actor` may not merge these customers (see `may_merge`);
    ValidationError if they are the same record, of different kinds, already merged away,
    or `merged` has absorbed other records.
    """
    if survivor.pk == merged.pk:
        raise ValidationError({"merged": _("A record cannot be merged into itself.")})
    locked = _lock(survivor.pk, merged.pk)
    if len(locked) != 2:
        raise ValidationError({"merged": _("One of the records no longer exists.")})
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    _check_may_merge(actor, [survivor, merged])
    if survivor.kind != merged.kind:
        raise ValidationError({"merged": _("Only records of the same kind can be merged.")})
    if survivor.merged_into_id is not None or merged.merged_into_id is not None:
        raise ValidationError({"merged": _("One of the records has already been merged into another.")})
    if MergeRecord.objects.filter(survivor=merged, reversed_at__isnull=True).exists():
        raise ValidationError({"merged": _(
            "Other records were merged into this one. Reverse those merges first, or keep this record.")})

    now = timezone.now()
    relationships_from, relationships_to, dropped = _plan_relationships(survivor, merged)
    moved: dict[str, object] = {
        "holdings": list(Holding.objects.filter(customer=merged).values_list("pk", flat=True)),
        "interactions": list(Interaction.objects.filter(customer=merged).values_list("pk", flat=True)),
        "needs": list(Need.objects.filter(customer=merged).values_list("pk", flat=True)),
        "history": list(CustomerEvent.objects.filter(customer=merged).values_list("pk", flat=True)),
        "relationships_from": relationships_from,
        "relationships_to": relationships_to,
        "user_permissions": _movable_permissions(
            CustomerUserObjectPermission, survivor, merged, "user_id"),
        "group_permissions": _movable_permissions(
            CustomerGroupObjectPermission, survivor, merged, "group_id"),
    }
    Relationship.objects.filter(pk__in=[relationship.pk for relationship in dropped]).delete()
    for key, model, foreign_key in MOVED_ROWS:
        if moved[key]:
            model.objects.filter(pk__in=moved[key]).update(**{foreign_key: survivor})
    moved["relationships_dropped"] = [_relationship_snapshot(relationship) for relationship in dropped]
    moved["merged_status"] = merged.status
    moved["survivor_last_contact_at"] = (
        survivor.last_contact_at.isoformat() if survivor.last_contact_at else None
    )

    merged.merged_into = survivor
    merged.status = CustomerStatus.CLOSED
    merged.save(update_fields=["merged_into", "status", "updated_at"])
    if merged.last_contact_at and (survivor.last_contact_at is None
                                   or merged.last_contact_at > survivor.last_contact_at):
        survivor.last_contact_at = merged.last_contact_at
        survivor.save(update_fields=["last_contact_at", "updated_at"])
    customers_refresh_aum(customer_ids=[survivor.pk, merged.pk])

    record = MergeRecord(survivor=survivor, merged=merged, moved=moved, merged_by=actor, merged_at=now)
    record.full_clean()
    record.save()
    _history([survivor, merged], CustomerEventKind.MERGED, actor,
             {"merge": record.pk, "survivor": survivor.pk, "merged": merged.pk}, now)
    audit_record(
        actor=actor, action="customer.merged", object_type=OBJECT_TYPE, object_id=survivor.pk,
        extra={"merged": merged.pk, "merge": record.pk,
               "moved": {key: len(moved[key]) for key, _model, _fk in MOVED_ROWS},
               "dropped_relationships": len(dropped)},
    )
    return record


@transaction.atomic
def customers_unmerge(*, actor, merge: MergeRecord) -> MergeRecord:
    """Reverse `merge`: move exactly the recorded rows back, restore the merged record.

    Recreates the relationships the merge dropped (same ids and values), restores the merged
    record's status and clears `merged_into`, recomputes both AUMs, records UNMERGED in both
    histories and audits `customer.unmerged`.
    Raise PermissionDenied if `actor` may not merge these customers; ValidationError if the
    merge was already reversed or the survivor has since been merged into another record.
    """
    merge = MergeRecord.objects.select_for_update().get(pk=merge.pk)
    locked = _lock(merge.survivor_id, merge.merged_id)
    survivor, merged = locked[merge.survivor_id], locked[merge.merged_id]
    _check_may_merge(actor, [survivor, merged])
    if merge.reversed_at is not None:
        raise ValidationError({"merge": _("This merge has already been reversed.")})
    if survivor.merged_into_id is not None:
        raise ValidationError({"merge": _(
            "The surviving record has since been merged into another. Reverse that merge first.")})

    moved = merge.moved
    for key, model, foreign_key in MOVED_ROWS:
        ids = moved.get(key) or []
        if ids:
            model.objects.filter(pk__in=ids).update(**{foreign_key: merged})
    dropped = [
        Relationship(
            pk=snapshot["id"], from_customer_id=snapshot["from"], to_customer_id=snapshot["to"],
            kind=snapshot["kind"], role=snapshot["role"],
            share_percent=None if snapshot["share_percent"] is None else Decimal(snapshot["share_percent"]),
        )
        for snapshot in moved.get("relationships_dropped") or []
    ]
    if dropped:
        Relationship.objects.bulk_create(dropped)
        # bulk_create stamps created_at (auto_now_add); put the original times back.
        for relationship, snapshot in zip(dropped, moved["relationships_dropped"], strict=True):
            relationship.created_at = datetime.datetime.fromisoformat(snapshot["created_at"])
        Relationship.objects.bulk_update(dropped, ["created_at"])

    merged.merged_into = None
    merged.status = moved.get("merged_status") or CustomerStatus.ACTIVE
    merged.save(update_fields=["merged_into", "status", "updated_at"])
    previous = moved.get("survivor_last_contact_at")
    latest = Interaction.objects.filter(customer=survivor).aggregate(latest=Max("occurred_at"))["latest"]
    candidates = [value for value in (
        datetime.datetime.fromisoformat(previous) if previous else None, latest) if value is not None]
    last_contact_at = max(candidates) if candidates else None
    if last_contact_at != survivor.last_contact_at:
        survivor.last_contact_at = last_contact_at
        survivor.save(update_fields=["last_contact_at", "updated_at"])
    customers_refresh_aum(customer_ids=[survivor.pk, merged.pk])

    now = timezone.now()
    merge.reversed_by = actor
    merge.reversed_at = now
    merge.save(update_fields=["reversed_by", "reversed_at"])
    _history([survivor, merged], CustomerEventKind.UNMERGED, actor,
             {"merge": merge.pk, "survivor": survivor.pk, "merged": merged.pk}, now)
    audit_record(
        actor=actor, action="customer.unmerged", object_type=OBJECT_TYPE, object_id=survivor.pk,
        extra={"merged": merged.pk, "merge": merge.pk},
    )
    return merge


def merge_list(*, actor) -> QuerySet:
    """Merges of customers `actor` may see and merge, newest first; none without reassign."""
    merges = MergeRecord.objects.select_related(
        "survivor", "merged", "merged_by", "reversed_by", "survivor__home_branch"
    ).order_by("-merged_at", "-pk")
    return merges.filter(survivor__in=access.restrict(Customer.objects.all(), actor, MERGE))


def merge_get(*, actor, pk: int) -> MergeRecord:
    """The merge `pk` if `actor` may see it; Http404 otherwise."""
    try:
        return merge_list(actor=actor).get(pk=pk)
    except (MergeRecord.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


__all__ = ["customers_merge", "customers_unmerge", "may_merge", "merge_get", "merge_list", "mergeable_with"]
