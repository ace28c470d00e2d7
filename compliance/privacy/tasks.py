"""Celery tasks of privacy requests: prepare an export; warn compliance before a deadline."""

from __future__ import annotations

from celery import shared_task

from compliance.privacy import reminders, services


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def build_privacy_export(export_id: int) -> str:
    return services.export_build(export_id=export_id).status


@shared_task(acks_late=True)
def warn_privacy_deadlines() -> int:
    return reminders.deadlines_warn()
