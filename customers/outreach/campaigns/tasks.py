"""Celery entry points of campaigns: thin, idempotent, acknowledged late.

`campaigns_tick` runs every minute (CELERY_BEAT_SCHEDULE "customers-campaigns-tick"): it
starts due campaigns and queues batches. `campaign_start` and `campaign_send_batch` are queued
through the outbox by the services; running either twice is harmless (recipients are unique
per customer, a batch claims only waiting rows, a delivery is claimed once).
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from customers.outreach.campaigns import sending, services

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 30, "retry_backoff_max": 600,
         "max_retries": 5}


@shared_task(acks_late=True, name="customers.outreach.campaigns.tasks.campaigns_tick", **RETRY)
def campaigns_tick() -> dict:
    return sending.campaigns_tick()


@shared_task(acks_late=True, name="customers.outreach.campaigns.tasks.campaign_start", **RETRY)
def campaign_start(campaign_id: int) -> int:
    return services.campaign_start(campaign_id=campaign_id)


@shared_task(acks_late=True, name="customers.outreach.campaigns.tasks.campaign_send_batch", **RETRY)
def campaign_send_batch(campaign_id: int) -> dict:
    result = sending.campaign_batch_send(campaign_id=campaign_id)
    if not result.more:
        sending.campaign_complete_if_done(campaign_id=campaign_id)
    return result.as_dict()
