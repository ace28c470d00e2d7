"""The points ledger's services: earn, redeem (through loyalty.rewards), adjust, reverse,
expire, check.

    ledger       account lock, credit a lot, debit lots oldest expiry first, idempotency keys
    earning      award_activity (the loyalty app's own areas), activity_report (the API), reversal
    adjustments  manual adjustments with a second person's approval above a size
    expiry       daily expiry and the reminders before it (set-based SQL in batches)
    check        the nightly consistency check of balances, entries and lots

Callers use the names below (`from loyalty import points; points.award_activity(...)`).
"""

from loyalty.points.adjustments import (
    adjustment_approve,
    adjustment_propose,
    adjustment_reject,
    needs_approval,
)
from loyalty.points.birthdays import birthdays_award
from loyalty.points.check import LedgerCheck, ledger_check
from loyalty.points.earning import EarnOutcome, EarnResult, activity_report, award_activity, earn_reverse
from loyalty.points.errors import IdempotencyConflict, InsufficientPoints
from loyalty.points.expiry import expiry_reminders_send, points_expire
from loyalty.points.rules import earning_rule_save

__all__ = [
    "EarnOutcome",
    "EarnResult",
    "IdempotencyConflict",
    "InsufficientPoints",
    "LedgerCheck",
    "activity_report",
    "adjustment_approve",
    "adjustment_propose",
    "adjustment_reject",
    "award_activity",
    "birthdays_award",
    "earn_reverse",
    "earning_rule_save",
    "expiry_reminders_send",
    "ledger_check",
    "needs_approval",
    "points_expire",
]
