"""Celery entry points of the compliance app (thin: they call services)."""

from __future__ import annotations

import logging

from celery import shared_task

from compliance.audit import audit_verification_run

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def verify_audit_chain_task() -> dict:
    """Verify the whole audit chain (daily, from beat); log an error when it is broken.

    Safe to run twice: each run only reads the chain and records its own verification.
    """
    verification = audit_verification_run(actor=None)
    if not verification.ok:
        logger.error(
            "Audit chain broken at sequence %s: %s (verification %s)",
            verification.first_broken_sequence,
            verification.message,
            verification.pk,
        )
    return {
        "verification": verification.pk,
        "ok": verification.ok,
        "events_checked": verification.events_checked,
        "first_broken_sequence": verification.first_broken_sequence,
    }
