"""The ledger's primitives, under one account's row lock: open and lock the account, credit
a new lot, debit lots oldest expiry first. Only the services of loyalty.points, rewards and
tiers call these, inside their transaction.

Lock order, everywhere: the account row (FOR UPDATE; several accounts in primary-key order),
then its lots (in expiry order), then anything else (a reward's stock, by a guarded UPDATE).
The database's CHECK constraints (balance >= 0, 0 <= remaining <= original) are the last
line: a bug that tried to overdraw would fail the transaction rather than write it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from customers.models import Customer
from loyalty.models import EntryKind, LotConsumption, PointsAccount, PointsEntry, PointsLot, PointsRequest
from loyalty.points.errors import IdempotencyConflict, InsufficientPoints

DEFAULT_VALIDITY_DAYS = 730


def account_lock(customer: Customer | int) -> PointsAccount:
    """The customer's points account, opened if need be, locked FOR UPDATE for the rest of the
    transaction. Must run inside one."""
    customer_id = customer if isinstance(customer, int) else customer.pk
    account = PointsAccount.objects.select_for_update().filter(customer_id=customer_id).first()
    if account is None:
        PointsAccount.objects.bulk_create([PointsAccount(customer_id=customer_id, opened_at=timezone.now())],
                                          ignore_conflicts=True)
        account = PointsAccount.objects.select_for_update().get(customer_id=customer_id)
    return account


def request_hash(content: dict) -> str:
    """SHA-256 of `content` as canonical JSON (what a key was used for)."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Claim:
    """A caller's key: `first` the request recorded under it earlier (a retry) or None when
    this call is the first and `request` holds the key."""

    request: PointsRequest
    first: bool


def request_claim(*, source: str, key: str, content: dict, account: PointsAccount) -> Claim:
    """Take the key (source, key) for this request, or find the earlier request holding it.
    Raise IdempotencyConflict when the earlier request asked for something else. The account
    is locked already, so a concurrent retry for the same customer waits for this one; one for
    another customer meets the unique constraint."""
    digest = request_hash(content)
    existing = PointsRequest.objects.filter(source=source, key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                created = PointsRequest.objects.create(source=source, key=key, request_hash=digest,
                                                       account=account, created_at=timezone.now())
            return Claim(request=created, first=True)
        except IntegrityError:
            existing = PointsRequest.objects.get(source=source, key=key)
    if existing.request_hash != digest:
        raise IdempotencyConflict(source=source, key=key)
    return Claim(request=existing, first=False)


def credit(*, account: PointsAccount, kind: str, points: int, occurred_at: datetime.datetime,
           expires_at: datetime.datetime, actor=None, activity: str = "", rule=None, reference: str = "",
           reverses: PointsEntry | None = None) -> PointsEntry:
    """Add `points` (> 0) to the locked `account` as a new lot expiring at `expires_at`."""
    now = timezone.now()
    entry = PointsEntry.objects.create(account=account, kind=kind, points=points, activity=activity,
                                       rule=rule,
                                       reference=reference, reverses=reverses, actor=actor,
                                       occurred_at=occurred_at, recorded_at=now)
    PointsLot.objects.create(account=account, entry=entry, original=points, remaining=points,
                             earned_at=occurred_at, expires_at=expires_at)
    PointsAccount.objects.filter(pk=account.pk).update(balance=F("balance") + points)
    account.balance += points
    return entry


def available_points(account: PointsAccount, *, at: datetime.datetime | None = None) -> int:
    """Points of `account` in lots that have not expired at `at` (now)."""
    at = at or timezone.now()
    total = PointsLot.objects.filter(account=account, remaining__gt=0, expires_at__gt=at).aggregate(
        total=Sum("remaining"))["total"]
    return int(total or 0)


def debit(*, account: PointsAccount, kind: str, points: int, actor=None, activity: str = "",
          rule=None, reference: str = "", reverses: PointsEntry | None = None,
          first_lot: PointsLot | None = None, occurred_at: datetime.datetime | None = None) -> PointsEntry:
    """Take `points` (> 0) from the locked `account`'s unexpired lots, oldest expiry first
    (`first_lot` before the others, for a reversal of that lot's earn), as one entry of
    `kind` with a consumption row per lot. Raise InsufficientPoints when they do not suffice
    (nothing is written)."""
    now = timezone.now()
    lots = list(PointsLot.objects.select_for_update().filter(account=account, remaining__gt=0,
                                                             expires_at__gt=now)
                .order_by("expires_at", "id"))
    if first_lot is not None:
        lots.sort(key=lambda lot: lot.pk != first_lot.pk)
    available = sum(lot.remaining for lot in lots)
    if available < points:
        raise InsufficientPoints(available=available, requested=points)
    entry = PointsEntry.objects.create(account=account, kind=kind, points=-points, activity=activity,
                                       rule=rule,
                                       reference=reference, reverses=reverses, actor=actor,
                                       occurred_at=occurred_at or now, recorded_at=now)
    left, consumptions, changed = points, [], []
    for lot in lots:
        if left == 0:
            break
        taken = min(lot.remaining, left)
        lot.remaining -= taken
        left -= taken
        consumptions.append(LotConsumption(entry=entry, lot=lot, points=taken))
        changed.append(lot)
    LotConsumption.objects.bulk_create(consumptions)
    PointsLot.objects.bulk_update(changed, ["remaining"])
    PointsAccount.objects.filter(pk=account.pk).update(balance=F("balance") - points)
    account.balance -= points
    return entry


def adjust(*, account: PointsAccount, points: int, actor, reference: str = "") -> PointsEntry:
    """A manual adjustment: a positive one credits a new lot (the default validity), a
    negative one debits lots oldest first (InsufficientPoints if there are not enough)."""
    now = timezone.now()
    if points > 0:
        return credit(account=account, kind=EntryKind.ADJUST, points=points, occurred_at=now,
                      expires_at=now + datetime.timedelta(days=DEFAULT_VALIDITY_DAYS), actor=actor,
                      reference=reference)
    return debit(account=account, kind=EntryKind.ADJUST, points=-points, actor=actor, reference=reference)
