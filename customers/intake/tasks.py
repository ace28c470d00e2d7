"""Celery entry points of CSV imports: thin, they take ids and call customers.intake.services.

Both are queued through the outbox (`crm.outbox`: written with the change, sent after commit,
sent again by the sweep if the broker was down) by the services that queue them, run with
`acks_late` (a lost worker's message is delivered again, and the services are safe to run
twice: the dry run restarts, the apply resumes from the job's committed progress), retry on
database connection errors, and record on the job why they could not go on rather than
dropping the work silently. Logs name the job and the error class, never file contents.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.exceptions import PermissionDenied
from django.db import OperationalError

from customers.intake import dispatch, services
from customers.intake.columns import ImportJobStateError
from customers.models import ImportJob

logger = logging.getLogger(__name__)

MAX_RETRIES = 5


def _backoff(retries: int) -> int:
    return min(300, 10 * 2**retries)


def _reason(step: str, exc: BaseException) -> str:
    if isinstance(exc, ImportJobStateError | PermissionDenied):
        return f"{step}: {exc}"
    if isinstance(exc, OperationalError):
        return f"{step}: the database was unavailable. Try again later."
    # The class only: messages of unexpected errors may quote row values.
    return f"{step} stopped by an unexpected error ({type(exc).__name__}). Try again or ask support."


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES,
             name=dispatch.VALIDATE_IMPORT)
def validate_import(self, job_id: int) -> None:
    """Run the dry run of import job `job_id`."""
    try:
        services.import_job_validate(job_id=job_id)
    except ImportJob.DoesNotExist:
        logger.warning("Import %s no longer exists; nothing to check.", job_id)
    except OperationalError as exc:
        if self.request.retries < MAX_RETRIES:
            raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
        logger.error("Import %s: checking failed after %s retries (%s).", job_id, MAX_RETRIES,
                     type(exc).__name__)
        services.import_job_interrupted(job_id=job_id, reason=_reason("Checking", exc))
    except Exception as exc:
        logger.error("Import %s: checking failed (%s).", job_id, type(exc).__name__)
        services.import_job_interrupted(job_id=job_id, reason=_reason("Checking", exc))


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, name=dispatch.APPLY_IMPORT)
def apply_import(self, job_id: int, actor_id: int) -> None:
    """Apply (or resume applying) import job `job_id` on behalf of user `actor_id`."""
    try:
        services.import_job_apply(job_id=job_id, actor_id=actor_id)
    except ImportJob.DoesNotExist:
        logger.warning("Import %s no longer exists; nothing to apply.", job_id)
    except OperationalError as exc:
        if self.request.retries < MAX_RETRIES:
            raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
        logger.error("Import %s: applying failed after %s retries (%s).", job_id, MAX_RETRIES,
                     type(exc).__name__)
        services.import_job_interrupted(job_id=job_id, reason=_reason("Importing", exc))
    except Exception as exc:
        logger.error("Import %s: applying failed (%s).", job_id, type(exc).__name__)
        services.import_job_interrupted(job_id=job_id, reason=_reason("Importing", exc))
