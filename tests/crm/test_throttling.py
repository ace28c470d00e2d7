"""The API's rate limits while the Redis cache is unreachable: a local limit, logged once."""

from __future__ import annotations

import logging

import pytest
import redis
from django.core.cache import caches

from crm.api.throttling import UserRateThrottle, cache_breaker

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(monkeypatch):
    """The cache raises as the Redis backend does when the server is gone; count the tries."""
    tries = []
    cache = caches["default"]

    def unreachable(*args, **kwargs):
        tries.append(args[0])
        raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(cache, "get", unreachable)
    monkeypatch.setattr(cache, "set", unreachable)
    return tries


def _breaker_warnings(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records
            if record.name == "crm.resilience" and record.levelno == logging.WARNING]


def test_the_api_answers_while_redis_is_down_and_logs_the_outage_once(
        api_client, relationship_manager, redis_down, caplog):
    api_client.force_authenticate(relationship_manager)

    statuses = [api_client.get("/api/v1/customers/").status_code for _ in range(5)]

    assert statuses == [200] * 5
    # The first request found Redis down; the breaker kept the other four off it.
    assert len(redis_down) == 1
    assert _breaker_warnings(caplog) == [
        "Redis (cache) is unreachable (ConnectionError): API rate limits are counted in each web "
        "process; trying it again every 30s."]


def test_the_local_limit_still_refuses_a_client_over_the_rate(
        api_client, relationship_manager, redis_down, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"})
    api_client.force_authenticate(relationship_manager)

    statuses = [api_client.get("/api/v1/customers/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_redis_is_tried_again_after_the_breaker_period_and_its_return_is_logged(
        api_client, relationship_manager, redis_down, monkeypatch, caplog):
    now = [1000.0]
    monkeypatch.setattr(cache_breaker, "clock", lambda: now[0])
    api_client.force_authenticate(relationship_manager)
    assert api_client.get("/api/v1/customers/").status_code == 200
    now[0] += 29
    assert api_client.get("/api/v1/customers/").status_code == 200
    assert len(redis_down) == 1

    now[0] += 2  # past the 30 s: the next request tries Redis, which still fails
    assert api_client.get("/api/v1/customers/").status_code == 200
    assert len(redis_down) == 2
    monkeypatch.undo()  # Redis is back
    monkeypatch.setattr(cache_breaker, "clock", lambda: now[0] + 31)
    assert api_client.get("/api/v1/customers/").status_code == 200

    assert cache_breaker.failing is False
    assert len(_breaker_warnings(caplog)) == 2
    assert _breaker_warnings(caplog)[1] == "Redis (cache) answers again."
