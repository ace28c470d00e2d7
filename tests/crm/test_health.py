"""/health/: database, Redis and Celery workers; 503 when one is down."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings

from crm.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def running_worker():
    """A real Celery worker process on the project's broker, answering pings."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tests.crm.celery_probe", "worker",
         "--pool=solo", "--loglevel=WARNING", "--hostname=probe@%h"],
        env={**os.environ, "REDIS_URL": settings.REDIS_URL},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(timeout=0.5):
            if time.monotonic() > deadline or worker.poll() is not None:
                pytest.fail("the probe worker did not start")
        yield
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_healthy_when_database_redis_and_a_worker_answer(client, running_worker):
    response = client.get("/health/")

    body = response.json()
    assert response.status_code == 200, body
    assert body["ok"] is True
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is True
    assert body["checks"]["celery"] == {"ok": True, "workers": 1, "ms": body["checks"]["celery"]["ms"]}


def test_503_when_no_worker_answers(client):
    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["checks"]["celery"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True


def test_503_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get("/health/")

    body = response.json()
    assert response.status_code == 503
    assert body["ok"] is False
    assert body["checks"]["redis"] == {"ok": False, "error": "ConnectionError",
                                       "ms": body["checks"]["redis"]["ms"]}
    assert body["checks"]["celery"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_503_when_database_fails(client, monkeypatch):
    from crm import health

    def broken():
        raise OSError("database down")

    monkeypatch.setattr(health, "check_database", broken)

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {
        "ok": False, "error": "OSError", "ms": response.json()["checks"]["database"]["ms"]}


def test_health_needs_no_login_and_reveals_no_configuration(client):
    body = client.get("/health/").content.decode()

    assert "redis://" not in body
    assert "postgres" not in body
