"""Celery entry points of the events: thin, idempotent, acknowledged late."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from loyalty.events import services

RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": 60,
    "retry_backoff_max": 1800,
    "max_retries": 5,
}


@shared_task(acks_late=True, **RETRY)
def invite_eligible_customers(event_id: int, channel: str = "email") -> dict:
    """Invite the event's branch's eligible customers (once each) through the policy."""
    return services.event_invite_eligible(event_id=int(event_id), channel=channel)
