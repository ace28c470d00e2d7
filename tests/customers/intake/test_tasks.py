"""The import tasks: interruption and resuming, retries, an unreachable broker."""

from __future__ import annotations

import pytest

from customers.intake import services
from customers.intake.tasks import apply_import
from customers.models import (
    Customer,
    ImportStatus,
)
from tests.customers.intake.helpers import (
    checked,
    create_job,
    fixture_bytes,
    generated_customers,
)

pytestmark = pytest.mark.django_db


def test_task_records_the_interruption_and_the_import_can_be_resumed(
    branch_manager, manager_rm, monkeypatch, django_capture_on_commit_callbacks
):
    job = checked(branch_manager, generated_customers(12))
    original = services.process_batch
    calls = []

    def failing_second_batch(context, records):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("Zhang Wei 13800138001")  # a message quoting data must not be stored
        return original(context, records)

    monkeypatch.setattr(services, "process_batch", failing_second_batch)
    monkeypatch.setattr(services, "BATCH_SIZE", 5)
    apply_import.delay(job.pk, branch_manager.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.APPLYING
    assert job.rows_processed == 5
    assert "RuntimeError" in job.failure_reason
    assert "Zhang" not in job.failure_reason and "138" not in job.failure_reason

    monkeypatch.setattr(services, "process_batch", original)
    with django_capture_on_commit_callbacks(execute=True):
        services.import_job_request_apply(actor=branch_manager, job=job)

    job.refresh_from_db()
    assert (job.status, job.rows_processed, job.rows_created, job.failure_reason) == (
        ImportStatus.APPLIED,
        12,
        12,
        "",
    )
    assert Customer.objects.count() == 12


def test_task_records_why_it_cannot_apply(branch_manager):
    job = checked(branch_manager, fixture_bytes("customers_errors.csv"))

    apply_import.delay(job.pk, branch_manager.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED
    assert job.failure_reason == "Importing: The dry run found errors: correct the file and upload it again."


def test_tasks_retry_on_database_errors_then_record_the_failure(branch_manager, manager_rm, monkeypatch):
    from django.db import OperationalError

    from crm.celery import app as celery_app
    from customers.intake import tasks as import_tasks

    job = create_job(branch_manager, fixture_bytes("customers_valid.csv"))
    original = services.import_job_validate
    calls = []

    def flaky(*, job_id):
        calls.append(job_id)
        if len(calls) == 1:
            raise OperationalError("connection lost")
        return original(job_id=job_id)

    monkeypatch.setattr(services, "import_job_validate", flaky)
    monkeypatch.setattr(import_tasks, "_backoff", lambda retries: 0)
    # Eager Celery re-runs a retried task itself only when it does not propagate the Retry.
    celery_app.conf.task_eager_propagates = False
    try:
        import_tasks.validate_import.delay(job.pk)
    finally:
        celery_app.conf.task_eager_propagates = True

    job.refresh_from_db()
    assert calls == [job.pk, job.pk]
    assert job.status == ImportStatus.VALIDATED

    broken = create_job(branch_manager, fixture_bytes("customers_valid.csv"))

    def always_down(*, job_id):
        raise OperationalError("connection lost")

    monkeypatch.setattr(services, "import_job_validate", always_down)
    celery_app.conf.task_eager_propagates = False
    try:
        import_tasks.validate_import.delay(broken.pk)
    finally:
        celery_app.conf.task_eager_propagates = True

    broken.refresh_from_db()
    assert broken.status == ImportStatus.FAILED
    assert broken.failure_reason == "Checking: the database was unavailable. Try again later."


def test_a_check_queued_while_the_broker_is_down_waits_in_the_outbox_and_runs_once(
        branch_manager, monkeypatch, django_capture_on_commit_callbacks, celery_not_eager):
    from crm.models import OutboxMessage
    from crm.outbox import outbox_sweep
    from customers.intake import tasks as import_tasks

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr(import_tasks.validate_import, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        job = create_job(branch_manager, fixture_bytes("customers_valid.csv"))

    job.refresh_from_db()
    assert (job.status, job.failure_reason) == (ImportStatus.PENDING, "")
    message = OutboxMessage.objects.get()
    assert (message.task_name, message.args, message.sent_at, message.last_error) == (
        "customers.import_tasks.validate_import", [job.pk], None, "ConnectionRefusedError")

    sent = []
    monkeypatch.setattr(import_tasks.validate_import, "apply_async",
                        lambda args, **kwargs: sent.append(args))
    assert outbox_sweep()["sent"] == 1
    assert outbox_sweep()["sent"] == 0
    assert sent == [[job.pk]]
    import_tasks.validate_import(*sent[0])
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED
