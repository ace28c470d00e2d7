"""Health of the services the portal needs: database, Redis and Celery workers.

Apps add alerts (`register_alert`): figures an operator must act on that do not make the
instance unhealthy (a load balancer must not take every instance out because one stored
value is damaged), reported under `alerts` beside the checks.
"""

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


_alerts: dict[str, Callable[[], int]] = {}


def register_alert(name: str, count: Callable[[], int]) -> None:
    """Report `count()` under `alerts.<name>` of every health answer (apps call this from
    their AppConfig.ready(); crm's base imports no app)."""
    _alerts[name] = count


def _alert_counts() -> dict:
    counts: dict = {}
    for name, count in _alerts.items():
        try:
            counts[name] = count()
        except Exception as exc:  # an alert that cannot be counted is reported, never raised
            counts[name] = {"error": type(exc).__name__}
    return counts


def service_health() -> dict:
    """Run every check; `ok` is true only when all pass. Celery is not asked if Redis is down."""
    checks = {"database": _timed(check_database), "redis": _timed(check_redis)}
    if checks["redis"]["ok"]:
        checks["celery"] = _timed(check_celery)
    else:
        checks["celery"] = {"ok": False, "error": "BrokerUnavailable", "ms": 0.0}
    report = {"ok": all(check["ok"] for check in checks.values()), "checks": checks}
    if checks["database"]["ok"]:
        report["alerts"] = _alert_counts()
    return report
