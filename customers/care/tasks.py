"""Celery entry points of relationship care: thin, idempotent, acknowledged late.

Daily, in the bank's time zone (CELERY_BEAT_SCHEDULE): `generate_follow_ups` at 03:00 (after
the AUM refresh and segmentation), `send_follow_up_digests` at 07:30.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from customers.care import generation, reminders

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 60, "retry_backoff_max": 1800,
         "max_retries": 5}


@shared_task(acks_late=True, **RETRY)
def generate_follow_ups() -> dict:
    """Create due follow-ups, move open ones to whoever works the customer, mark overdue ones.
    A retry after a failure reruns from the start: the committed batches insert nothing again."""
    return generation.follow_ups_generate().as_dict()


@shared_task(acks_late=True, **RETRY)
def send_follow_up_digests() -> int:
    """Each RM's morning notification and e-mail (once per day per RM)."""
    return reminders.digests_send()
