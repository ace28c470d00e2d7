"""Celery entry points of the surveys: thin, idempotent, acknowledged late.

`send_surveys` (hourly, CELERY_BEAT_SCHEDULE "loyalty-send-surveys") queues the visit surveys
of follow-ups completed since the last runs and sends every queued invitation that is due;
`queue_relationship_surveys` (on the first day of each quarter) queues the relationship
survey. `send_survey_invitation` sends one (a survey the feedback app asked for).
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from loyalty.surveys import sending

RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": 60,
    "retry_backoff_max": 1800,
    "max_retries": 5,
}


@shared_task(acks_late=True, **RETRY)
def send_surveys() -> dict:
    queued = sending.visits_pull()
    return {"queued": queued, **sending.queue_send().as_dict()}


@shared_task(acks_late=True, **RETRY)
def queue_relationship_surveys() -> int:
    return sending.relationship_pull()


@shared_task(acks_late=True, **RETRY)
def send_survey_invitation(invitation_id: int) -> str:
    invitation = sending.invitation_send(invitation_id=int(invitation_id))
    return invitation.status if invitation is not None else "missing"
