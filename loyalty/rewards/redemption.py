"""Redemptions: points debited and stock taken in one transaction, under the account's lock,
then the stock by a guarded UPDATE (stock >= 1), with the CHECK constraint as the last line:
stock never goes below zero however many redeem at once."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.models import Customer
from loyalty import permissions
from loyalty.models import EntryKind, Redemption, RedemptionStatus, Reward
from loyalty.permissions import LoyaltyAction
from loyalty.points import ledger
from loyalty.rewards.catalogue import reward_eligible

REFUND_VALIDITY_DAYS = 365


class RewardNotAvailable(ValidationError):
    def __init__(self):
        super().__init__({"reward": gettext_lazy("This reward is not available to this customer now.")})


class OutOfStock(ValidationError):
    def __init__(self):
        super().__init__({"reward": gettext_lazy("This reward is out of stock.")})


def redemption_request(*, actor, customer: Customer, reward: Reward, idempotency_key: str = "") -> Redemption:
    """Redeem `reward` for `customer`: debit its points (oldest lots first) and take one from
    its stock. With `idempotency_key` (the caller's, unique per redemption) a retry returns
    the first redemption; the same key for another request raises IdempotencyConflict.

    Raise PermissionDenied unless `actor` may redeem for the customer (REDEEM);
    RewardNotAvailable when the reward is not open to the customer now; InsufficientPoints;
    OutOfStock. Nothing is written on a refusal.
    """
    permissions.check(actor, LoyaltyAction.REDEEM, customer)
    with transaction.atomic():
        account = ledger.account_lock(customer.pk)
        claim = None
        if idempotency_key:
            claim = ledger.request_claim(source=f"redeem:{actor.pk}", key=idempotency_key,
                                         content={"customer": customer.pk, "reward": reward.pk},
                                             account=account)
            if not claim.first:
                return Redemption.objects.select_related("reward").get(entry_id=claim.request.entry_id)
        if not reward_eligible(customer=customer, reward=reward):
            raise RewardNotAvailable()
        entry = ledger.debit(account=account, kind=EntryKind.REDEEM, points=reward.points_cost, actor=actor,
                             reference=f"reward:{reward.code}"[:64])
        if reward.stock is not None:
            taken = Reward.objects.filter(pk=reward.pk, stock__gte=1).update(stock=F("stock") - 1)
            if not taken:
                raise OutOfStock()
        redemption = Redemption.objects.create(customer=customer, reward=reward, points=reward.points_cost,
                                               status=RedemptionStatus.REQUESTED, entry=entry,
                                                   requested_by=actor,
                                               requested_at=timezone.now())
        if claim is not None:
            claim.request.entry, claim.request.outcome = entry, "redeemed"
            claim.request.save(update_fields=["entry", "outcome"])
    return redemption


def _locked_open(redemption: Redemption) -> Redemption:
    locked = Redemption.objects.select_for_update().select_related("reward").get(pk=redemption.pk)
    if locked.status != RedemptionStatus.REQUESTED:
        raise ValidationError({"status": _("This redemption has already been fulfilled or cancelled.")})
    return locked


def redemption_fulfil(*, actor, redemption: Redemption) -> Redemption:
    """Mark a requested redemption fulfilled (the reward handed over). Raise PermissionDenied
    unless `actor` may redeem for the customer; ValidationError if it is not open."""
    permissions.check(actor, LoyaltyAction.REDEEM, redemption.customer)
    with transaction.atomic():
        ledger.account_lock(redemption.customer_id)
        locked = _locked_open(redemption)
        locked.status = RedemptionStatus.FULFILLED
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
    return locked


def redemption_cancel(*, actor, redemption: Redemption) -> Redemption:
    """Cancel a requested redemption: its points come back as a new lot (valid
    REFUND_VALIDITY_DAYS) and the stock is returned. Raise PermissionDenied unless `actor` may
    redeem for the customer; ValidationError if it is not open."""
    import datetime

    permissions.check(actor, LoyaltyAction.REDEEM, redemption.customer)
    with transaction.atomic():
        account = ledger.account_lock(redemption.customer_id)
        locked = _locked_open(redemption)
        now = timezone.now()
        locked.refund_entry = ledger.credit(
            account=account, kind=EntryKind.REFUND, points=locked.points, occurred_at=now,
            expires_at=now + datetime.timedelta(days=REFUND_VALIDITY_DAYS), actor=actor,
            reference=f"redemption:{locked.pk}")
        if locked.reward.stock is not None:
            Reward.objects.filter(pk=locked.reward_id).update(stock=F("stock") + 1)
        locked.status, locked.decided_by, locked.decided_at = RedemptionStatus.CANCELLED, actor, now
        locked.save(update_fields=["refund_entry", "status", "decided_by", "decided_at"])
    return locked
