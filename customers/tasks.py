"""Celery entry points of the customers app: thin, idempotent, acknowledged late.

Nightly, in the bank's time zone (see CELERY_BEAT_SCHEDULE): `refresh_aum` at 01:30 totals
holdings into AUM, then `recompute_segments` at 02:00 ends expired overrides and places every
customer by the active rules. Running either twice changes nothing the second time.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.db import OperationalError

from customers import segmentation, services

logger = logging.getLogger(__name__)

BATCH_SIZE = 20000
MAX_RETRIES = 5
BACKOFF_FACTOR = 60  # seconds: 1, 2, 4, 8, 16 minutes...
BACKOFF_MAX = 1800


def _backoff(retries: int) -> int:
    return get_exponential_backoff_interval(
        factor=BACKOFF_FACTOR, retries=retries, maximum=BACKOFF_MAX, full_jitter=False
    )


@shared_task(
    bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=BACKOFF_FACTOR,
    retry_backoff_max=BACKOFF_MAX, max_retries=MAX_RETRIES,
)
def refresh_aum(self) -> int:
    """Recompute every customer's AUM from active holdings; return the rows changed."""
    return services.customers_refresh_aum()


@shared_task(
    bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=BACKOFF_FACTOR,
    retry_backoff_max=BACKOFF_MAX, max_retries=MAX_RETRIES,
    dont_autoretry_for=(segmentation.SegmentBatchFailed,),  # retried below, resuming at the batch
)
def recompute_segments(self, start_after: int = 0, customer_ids: list[int] | None = None) -> dict:
    """End expired overrides, then recompute segments in batches; return the counts.

    A batch that fails on a database error is retried with backoff, resuming at that batch
    (the ones before it are committed); the log names the failed id range only.
    """
    expired = segmentation.segment_overrides_expire()
    try:
        result = segmentation.segments_recompute(
            batch_size=BATCH_SIZE, start_after=start_after, customer_ids=customer_ids
        )
    except segmentation.SegmentBatchFailed as exc:
        logger.warning(
            "Retrying segment recompute from customer id > %s (attempt %s of %s)",
            exc.after, self.request.retries + 1, MAX_RETRIES,
        )
        raise self.retry(
            exc=exc, kwargs={"start_after": exc.after, "customer_ids": customer_ids},
            countdown=_backoff(self.request.retries),
        ) from exc
    return {"expired_overrides": expired, **result.as_dict()}
