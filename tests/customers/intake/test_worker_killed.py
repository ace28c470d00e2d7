"""A Celery worker killed (SIGKILL) in the middle of an import apply, then started again.

A real worker process runs the project's tasks against the test database and a private
Valkey broker. It stalls inside the third batch's transaction and is killed there; the
restarted worker takes the unacknowledged message back (acks_late) and the apply resumes from
the committed progress: every row exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from compliance.models import AuditEvent
from crm.models import OutboxMessage
from customers.intake import services
from customers.models import Customer, ImportJob, ImportStatus
from tests.customers.intake.helpers import checked, generated_customers

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 30
BATCH = 10
WAIT_SECONDS = 60


def _test_database_url() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def _start_worker(broker_url: str, **controls: str) -> subprocess.Popen:
    environment = {
        **os.environ, "DATABASE_URL": _test_database_url(), "REDIS_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false", "FAULT_BATCH_SIZE": str(BATCH), **controls,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tests.customers.intake.fault_worker", "worker",
         "--pool=solo", "--loglevel=WARNING", "--without-gossip", "--without-mingle",
         "--without-heartbeat"],
        env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )


def _wait_for(condition, worker: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if worker.poll() is not None:
            pytest.fail(f"the worker exited with {worker.returncode} before {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {WAIT_SECONDS}s")
        time.sleep(0.2)


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)


@pytest.fixture
def manager_rm(relationship_manager):
    from crm.models import StaffProfile

    StaffProfile.objects.filter(user=relationship_manager).update(employee_number="RM0001")
    return relationship_manager


def test_an_apply_killed_mid_batch_completes_exactly_once_on_the_restarted_worker(
        branch_manager, manager_rm, private_valkey, private_celery, tmp_path):
    job = checked(branch_manager, generated_customers(ROWS))
    marker = tmp_path / "stalled"
    first = _start_worker(private_valkey.url(), FAULT_STALL_AFTER_BATCHES="2", FAULT_MARKER=str(marker))
    try:
        services.import_job_request_apply(actor=branch_manager, job=job)  # sent on commit
        assert OutboxMessage.objects.filter(sent_at__isnull=False).count() == 2  # check and apply
        _wait_for(marker.exists, first, "stall in the third batch")
    finally:
        _stop(first)

    job.refresh_from_db()
    # Two batches committed; the third was written inside its transaction and rolled back.
    assert (job.status, job.rows_processed, job.rows_created) == (ImportStatus.APPLYING, 2 * BATCH, 2 * BATCH)
    assert Customer.objects.count() == 2 * BATCH

    second = _start_worker(private_valkey.url(), FAULT_VISIBILITY_TIMEOUT="1")
    try:
        _wait_for(lambda: ImportJob.objects.filter(pk=job.pk, status=ImportStatus.APPLIED).exists(),
                  second, "finished import")
    finally:
        _stop(second)

    job.refresh_from_db()
    assert (job.rows_processed, job.rows_created, job.rows_failed) == (ROWS, ROWS, 0)
    references = list(Customer.objects.values_list("external_reference", flat=True))
    assert sorted(references) == [f"GEN-{n:06d}" for n in range(1, ROWS + 1)]
    applied = AuditEvent.objects.filter(action="import.applied", object_id=str(job.pk))
    batches = AuditEvent.objects.filter(action="import.batch_applied", object_id=str(job.pk))
    assert (applied.count(), batches.count()) == (1, ROWS // BATCH)
    assert private_valkey.client().llen("celery") == 0
