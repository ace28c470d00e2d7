"""Earning points: activities reported by the bank's systems (through the API) and by the
loyalty app's own areas (events, courses, surveys, birthdays), each under an earning rule.

Every earn is idempotent by its caller's key: award_activity by (activity, reference), an
API report by the core-banking transaction id. A retry returns the first result; the same
key with different content raises IdempotencyConflict.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from loyalty import permissions
from loyalty.models import EARNED_KINDS, EarningRule, EntryKind, PointsAccount, PointsEntry, TierMembership
from loyalty.permissions import LoyaltyAction
from loyalty.points import ledger

ACTIVITY_SOURCE = "activity"
MAX_REFERENCE = 64


class EarnOutcome:
    EARNED = "earned"
    LIMIT_REACHED = "limit_reached"  # the rule's limit for the period left nothing to earn
    NOTHING = "nothing"  # the rule gives nothing for this amount


@dataclass(frozen=True)
class EarnResult:
    """What an earn did: `entry` (None when nothing was earned), `points`, `outcome` (an
    EarnOutcome), and `replayed` when this was a retry answered from the first request."""

    entry: PointsEntry | None
    points: int
    outcome: str
    replayed: bool = False
    customer_id: int | None = None


def active_rule(activity: str) -> EarningRule:
    """The active earning rule for `activity`; ValidationError on "activity" when there is none."""
    rule = EarningRule.objects.filter(activity=activity, is_active=True).first()
    if rule is None:
        raise ValidationError({"activity": _("No active earning rule for this activity.")})
    return rule


def tier_multiplier(customer_id: int) -> Decimal:
    """The customer's current tier's multiplier (1 without a tier)."""
    multiplier = (TierMembership.objects.filter(customer_id=customer_id, tier__isnull=False)
                  .values_list("tier__multiplier", flat=True).first())
    return multiplier if multiplier is not None else Decimal("1")


def rule_points(rule: EarningRule, *, amount: Decimal | None, multiplier: Decimal) -> int:
    """Points the rule gives for one occurrence with `amount`, before the period limit."""
    points = Decimal(rule.points)
    if rule.points_per_unit and amount is not None and rule.unit_amount:
        units = (amount / rule.unit_amount).to_integral_value(rounding=ROUND_FLOOR)
        points += max(units, 0) * rule.points_per_unit
    if rule.tier_multiplier:
        points *= multiplier
    return int(points.to_integral_value(rounding=ROUND_FLOOR))


def earned_under_rule(account: PointsAccount, rule: EarningRule, *, until: datetime.datetime) -> int:
    """Points the account earned under `rule` in the rule's limit period ending at `until`."""
    since = until - datetime.timedelta(days=rule.limit_days)
    total = PointsEntry.objects.filter(account=account, rule=rule, kind__in=EARNED_KINDS,
                                       occurred_at__gt=since, occurred_at__lte=until).aggregate(
        total=Sum("points"))["total"]
    return int(total or 0)


def _validate(*, reference: str, occurred_at: datetime.datetime, amount: Decimal | None) -> None:
    errors = {}
    if not reference or len(reference) > MAX_REFERENCE:
        errors["reference"] = _("Give the activity's reference (at most %(max)s characters).") % {
            "max": MAX_REFERENCE}
    if occurred_at is None or timezone.is_naive(occurred_at):
        errors["occurred_at"] = _("Give when the activity happened, with its time zone.")
    elif occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        errors["occurred_at"] = _("An activity cannot be in the future.")
    if amount is not None and amount < 0:
        errors["amount"] = _("The amount cannot be negative.")
    if errors:
        raise ValidationError(errors)


def _earn(*, customer_id: int, activity: str, reference: str, occurred_at: datetime.datetime,
          amount: Decimal | None, source: str, key: str, actor) -> EarnResult:
    _validate(reference=reference, occurred_at=occurred_at, amount=amount)
    rule = active_rule(activity)
    content = {"customer": customer_id, "activity": activity, "reference": reference,
               "occurred_at": occurred_at.isoformat(), "amount": None if amount is None else str(amount)}
    with transaction.atomic():
        account = ledger.account_lock(customer_id)
        claim = ledger.request_claim(source=source, key=key, content=content, account=account)
        if not claim.first:
            entry = claim.request.entry
            return EarnResult(entry=entry, points=entry.points if entry else 0,
                              outcome=claim.request.outcome, replayed=True, customer_id=customer_id)
        points = rule_points(rule, amount=amount, multiplier=tier_multiplier(customer_id))
        outcome = EarnOutcome.EARNED
        if rule.limit_points is not None and points > 0:
            room = rule.limit_points - earned_under_rule(account, rule, until=occurred_at)
            if room < points:
                points, outcome = max(room, 0), EarnOutcome.LIMIT_REACHED
        entry = None
        if points > 0:
            entry = ledger.credit(account=account, kind=EntryKind.EARN, points=points,
                                  occurred_at=occurred_at,
                                  expires_at=occurred_at + datetime.timedelta(days=rule.validity_days),
                                  actor=actor, activity=activity, rule=rule, reference=reference)
        elif outcome == EarnOutcome.EARNED:
            outcome = EarnOutcome.NOTHING
        claim.request.entry, claim.request.outcome = entry, outcome
        claim.request.save(update_fields=["entry", "outcome"])
    return EarnResult(entry=entry, points=points, outcome=outcome, customer_id=customer_id)


def award_activity(*, customer: Customer, activity: str, reference: str,
                   occurred_at: datetime.datetime) -> EarnResult:
    """Award the points the active earning rule for `activity` gives (e.g. "event_attendance",
    "course_completion", "survey_completed", "birthday", "product:<type>"), with the tier
    multiplier and the rule's period limit, for something that happened at `occurred_at`.

    For the bank's own processes (events, surveys, scheduled jobs): no actor, no permission
    check; the caller has decided the customer earns. Idempotent by (activity, reference): a
    retry returns the first result (replayed=True); the same pair for another customer or time
    raises IdempotencyConflict. Raise ValidationError (by field) for an activity without an
    active rule, a missing reference or a time in the future.
    """
    return _earn(customer_id=customer.pk, activity=activity, reference=reference, occurred_at=occurred_at,
                 amount=None, source=ACTIVITY_SOURCE, key=f"{activity}:{reference}"[:255], actor=None)


def activity_report(*, actor, customer: Customer, activity: str, reference: str,
                    occurred_at: datetime.datetime, amount: Decimal | None = None) -> EarnResult:
    """A system reports a product activity (`activity` "product:<type>", `reference` its
    transaction id in core banking, `amount` its value) that earns points.

    Idempotent by (activity, reference), as award_activity. Raise PermissionDenied unless
    `actor` may report activities for `customer` (EARN_ACTIVITY: service accounts);
    ValidationError (by field) for bad input; IdempotencyConflict for a reference already
    reported with other content.
    """
    permissions.check(actor, LoyaltyAction.EARN_ACTIVITY, customer)
    if not activity.startswith("product:"):
        raise ValidationError({"activity": _("Systems report product activities (product:<type>).")})
    return _earn(customer_id=customer.pk, activity=activity, reference=reference, occurred_at=occurred_at,
                 amount=amount, source=ACTIVITY_SOURCE, key=f"{activity}:{reference}"[:255], actor=actor)


def earn_reverse(*, actor, entry: PointsEntry, reference: str) -> PointsEntry:
    """Take back an earn (a transaction reversed in core banking): its own lot's points first,
    then others oldest first. Idempotent: an earn already reversed returns that reversal.
    Raise PermissionDenied unless `actor` may report activities (EARN_ACTIVITY);
    InsufficientPoints when the customer no longer has the points; ValidationError if `entry`
    is not an earn."""
    customer = Customer.objects.get(pk=entry.account.customer_id)
    permissions.check(actor, LoyaltyAction.EARN_ACTIVITY, customer)
    if entry.kind != EntryKind.EARN:
        raise ValidationError({"entry": _("Only an earn can be reversed.")})
    with transaction.atomic():
        account = ledger.account_lock(customer.pk)
        existing = PointsEntry.objects.filter(reverses=entry).first()
        if existing is not None:
            return existing
        return ledger.debit(account=account, kind=EntryKind.REVERSE, points=entry.points, actor=actor,
                            activity=entry.activity, rule=entry.rule, reference=reference[:64],
                                reverses=entry,
                            first_lot=getattr(entry, "lot", None))
