"""Health of the services the portal needs: database, Redis and Celery workers."""

from __future__ import annotations

import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection

from crm.celery import app as celery_app

CELERY_PING_TIMEOUT = 1.0


def _timed(check: Callable[[], dict]) -> dict:
    started = time.perf_counter()
    try:
        result = {"ok": True, **check()}
    except Exception as exc:  # a health check reports every failure, it never raises
        result = {"ok": False, "error": type(exc).__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def check_redis() -> dict:
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
    )
    try:
        client.ping()
    finally:
        client.close()
    return {}


def check_celery() -> dict:
    replies = celery_app.control.ping(timeout=CELERY_PING_TIMEOUT)
    if not replies:
        raise LookupError("no worker answered")
    return {"workers": len(replies)}


def service_health() -> dict:
    """Run every check; `ok` is true only when all pass. Celery is not asked if Redis is down."""
    checks = {"database": _timed(check_database), "redis": _timed(check_redis)}
    if checks["redis"]["ok"]:
        checks["celery"] = _timed(check_celery)
    else:
        checks["celery"] = {"ok": False, "error": "BrokerUnavailable", "ms": 0.0}
    return {"ok": all(check["ok"] for check in checks.values()), "checks": checks}
