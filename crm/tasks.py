"""Celery entry points of the project package. Thin: each calls one function and returns."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="crm.tasks.idempotency_records_purge", ignore_result=True)
def idempotency_records_purge() -> int:
    """Delete expired Idempotency-Key records (safe to run any number of times)."""
    from crm.api.idempotency import idempotency_records_purge as purge

    return purge()


@shared_task(name="crm.tasks.outbox_sweep", ignore_result=True)
def outbox_sweep() -> dict:
    """Send the outbox's committed messages that were not delivered (safe to run any time)."""
    from crm.outbox import outbox_sweep as sweep

    return sweep()
