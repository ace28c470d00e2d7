"""The API's rate limits: keyed on the one client-address rule, kept in Redis and in the
process's memory while Redis is away.

DRF's stock throttles read `X-Forwarded-For` unless told how many proxies to trust, which
let a client pick a fresh address for every request. These key anonymous requests on the
address `crm.client_address.client_ip` resolves (the same as the lock-out and the audit trail
record).

DRF's throttles read and write their request history in the cache on every request. With
Redis down each of those reads would fail (a 500) after the socket timeout. Here they go
through `ThrottleCache`: Redis while it answers, and a per-process in-memory store while the
breaker (`crm.resilience`) is open. The fallback limit is the same rate counted per process,
so during an outage a client can make up to that rate on each web process; the API keeps
answering and keeps a limit.
"""

from __future__ import annotations

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from rest_framework import throttling

from crm.client_address import client_ip
from crm.resilience import CircuitBreaker

# What the Redis cache backend raises when the server is stopped, paused or unreachable.
REDIS_ERRORS = (redis.RedisError, OSError)

cache_breaker = CircuitBreaker(
    "Redis (cache)",
    open_seconds=getattr(settings, "REDIS_BREAKER_SECONDS", 30),
    fallback="API rate limits are counted in each web process",
)


class ThrottleCache:
    """The two cache calls DRF's throttles make, on Redis or, during an outage, in memory."""

    def __init__(self, alias: str = "default", breaker: CircuitBreaker = cache_breaker) -> None:
        self.alias = alias
        self.breaker = breaker
        self.local = LocMemCache("crm-throttle-fallback",
                                 {"TIMEOUT": 3600, "OPTIONS": {"MAX_ENTRIES": 10_000}})

    def get(self, key, default=None):
        if self.breaker.allows():
            try:
                value = caches[self.alias].get(key, default)
            except REDIS_ERRORS as exc:
                self.breaker.record_failure(exc)
            else:
                self.breaker.record_success()
                return value
        return self.local.get(key, default)

    def set(self, key, value, timeout=None) -> None:
        if self.breaker.allows():
            try:
                caches[self.alias].set(key, value, timeout)
            except REDIS_ERRORS as exc:
                self.breaker.record_failure(exc)
            else:
                self.breaker.record_success()
                return
        self.local.set(key, value, timeout)


throttle_cache = ThrottleCache()


class _ClientAddressIdent:
    cache = throttle_cache

    def get_ident(self, request) -> str:
        return client_ip(request) or "unknown"


class AnonRateThrottle(_ClientAddressIdent, throttling.AnonRateThrottle):
    """`anon` rate per client address for unauthenticated requests."""


class UserRateThrottle(_ClientAddressIdent, throttling.UserRateThrottle):
    """`user` rate per user; per client address for unauthenticated requests."""


class ScopedRateThrottle(_ClientAddressIdent, throttling.ScopedRateThrottle):
    """The view's `throttle_scope` rate per user, or per client address when anonymous."""
