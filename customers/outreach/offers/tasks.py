"""Celery entry point of suitable offers: thin, idempotent, acknowledged late.

Nightly, in the bank's time zone (CELERY_BEAT_SCHEDULE "customers-generate-suggestions"), at
03:30: after the AUM refresh (01:30) and segmentation (02:00) the rules read.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from customers.outreach.offers import services

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 60, "retry_backoff_max": 1800,
         "max_retries": 5}


@shared_task(acks_late=True, **RETRY)
def generate_suggestions(customer_ids: list[int] | None = None) -> dict:
    """Suggest suitable products to the customers in books (or only `customer_ids`), in
    batches. A retry reruns from the start: the committed batches insert nothing again."""
    return services.suggestions_generate(customer_ids=customer_ids).as_dict()
