"""Celery entry points of loyalty: thin, idempotent, acknowledged late.

Daily in the bank's time zone (CELERY_BEAT_SCHEDULE): `expire_points` 00:30,
`check_ledger` 04:00, `award_birthdays` 06:00, `send_expiry_reminders` 10:00; `review_tiers`
on the 1st at 05:00 (the review, then its changes on timelines and told to the customers).
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from loyalty import points

logger = logging.getLogger(__name__)
RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 60, "retry_backoff_max": 1800,
         "max_retries": 5}


@shared_task(acks_late=True, **RETRY)
def expire_points() -> dict:
    """Expire the lots past their expiry. A rerun expires nothing twice."""
    return points.points_expire().as_dict()


@shared_task(acks_late=True, **RETRY)
def send_expiry_reminders() -> dict:
    """Remind customers of points about to expire, through the contact-pressure policy."""
    return points.expiry_reminders_send().as_dict()


@shared_task(acks_late=True, **RETRY)
def award_birthdays() -> int:
    """Birthday points for today's birthdays (once per customer and year)."""
    return points.birthdays_award()


@shared_task(acks_late=True, **RETRY)
def check_ledger() -> dict:
    """Verify balances, entries and lots agree; log an error naming ids when they do not."""
    result = points.ledger_check()
    if not result.ok:
        logger.error("Loyalty ledger check failed: %s accounts and %s lots disagree (first: %s)",
                     len(result.accounts), len(result.lots), (result.accounts or result.lots)[:5])
    return result.as_dict()


@shared_task(acks_late=True, **RETRY)
def review_tiers() -> dict:
    """The monthly tier review (upgrades at once, downgrades after the grace period), then the
    changes on the customers' timelines and told to them."""
    from loyalty import tiers

    review = tiers.tiers_review().as_dict()
    return {**review, **tiers.tier_changes_announce().as_dict()}
