"""API rate limits keyed on the one client-address rule (crm.client_address).

DRF's stock throttles read `X-Forwarded-For` unless told how many proxies to trust, which
let a client pick a fresh address for every request. These key anonymous requests on the
address `client_ip` resolves (the same as the lock-out and the audit trail record).
"""

from __future__ import annotations

from rest_framework import throttling

from crm.client_address import client_ip


class _ClientAddressIdent:
    def get_ident(self, request) -> str:
        return client_ip(request) or "unknown"


class AnonRateThrottle(_ClientAddressIdent, throttling.AnonRateThrottle):
    """`anon` rate per client address for unauthenticated requests."""


class UserRateThrottle(_ClientAddressIdent, throttling.UserRateThrottle):
    """`user` rate per user; per client address for unauthenticated requests."""


class ScopedRateThrottle(_ClientAddressIdent, throttling.ScopedRateThrottle):
    """The view's `throttle_scope` rate per user, or per client address when anonymous."""
