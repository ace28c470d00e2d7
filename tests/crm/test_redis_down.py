"""Redis stopped and started again, for real: the API answers, the outbox delivers once.

A Valkey server of the test's own (tests/valkey.py) is the cache and the broker, so stopping
it leaves the suite's Redis alone.
"""

from __future__ import annotations

import json
import logging

import pytest

from crm.api.throttling import cache_breaker
from crm.models import OutboxMessage
from crm.outbox import outbox_sweep
from customers.intake import dispatch, services
from customers.intake.tasks import apply_import, validate_import
from customers.models import Customer, ImportStatus
from tests.customers.intake.helpers import checked, generated_customers

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_redis(private_valkey, private_celery, settings):
    """The private Valkey as the portal's cache (db 1) and, through `private_celery`, its broker."""
    settings.CACHES = {"default": {
        **settings.CACHES["default"], "LOCATION": private_valkey.url(1), "KEY_PREFIX": "faults"}}
    return private_valkey


@pytest.fixture
def manager_rm(relationship_manager):
    from crm.models import StaffProfile

    StaffProfile.objects.filter(user=relationship_manager).update(employee_number="RM0001")
    return relationship_manager


def _queued(server) -> list[tuple[str, list]]:
    messages = [json.loads(raw) for raw in server.client().lrange("celery", 0, -1)]
    return [(message["headers"]["task"], json.loads(_body(message))[0]) for message in messages]


def _body(message) -> str:
    import base64

    return base64.b64decode(message["body"]).decode()


def test_the_api_answers_while_redis_is_stopped_and_queued_work_runs_once_it_is_back(
        api_client, branch_manager, manager_rm, private_redis, django_capture_on_commit_callbacks,
        monkeypatch, caplog):
    api_client.force_authenticate(branch_manager)
    assert api_client.get("/api/v1/customers/").status_code == 200
    assert private_redis.client(1).keys("faults:*"), "the throttle keeps its counts in this Redis"
    job = checked(branch_manager, generated_customers(12))

    private_redis.stop()
    statuses = [api_client.get("/api/v1/customers/").status_code for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        services.import_job_request_apply(actor=branch_manager, job=job)

    assert statuses == [200] * 5
    warnings = sorted(record.getMessage().split(" is unreachable")[0] for record in caplog.records
                      if record.name == "crm.resilience" and record.levelno == logging.WARNING)
    assert warnings == ["Redis (Celery broker)", "Redis (cache)"]  # once each, not per request
    job.refresh_from_db()
    assert (job.status, job.failure_reason) == (ImportStatus.APPLYING, "")
    message = OutboxMessage.objects.get(task_name=dispatch.APPLY_IMPORT)
    assert (message.sent_at, message.args) == (None, [job.pk, branch_manager.pk])

    private_redis.start()
    now = cache_breaker.clock() + cache_breaker.open_seconds + 1
    monkeypatch.setattr(cache_breaker, "clock", lambda: now)
    assert api_client.get("/api/v1/customers/").status_code == 200
    assert cache_breaker.failing is False
    # The upload's check (run directly above) had waited in the outbox too: both go now.
    assert outbox_sweep()["sent"] == 2
    assert outbox_sweep()["sent"] == 0

    queued = sorted(_queued(private_redis))
    assert queued == [(dispatch.APPLY_IMPORT, [job.pk, branch_manager.pk]),
                      (dispatch.VALIDATE_IMPORT, [job.pk])]
    for _ in range(2):  # what the worker does with them, and a second delivery changes nothing
        validate_import(*queued[1][1])
        apply_import(*queued[0][1])
    job.refresh_from_db()
    assert (job.status, job.rows_created) == (ImportStatus.APPLIED, 12)
    assert Customer.objects.count() == 12
