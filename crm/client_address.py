"""The one rule for where a request comes from: throttling, lock-out and the audit ask it.

Behind `TRUSTED_PROXY_COUNT` reverse proxies (0: the portal faces clients directly), each
proxy appends the address it received the connection from to `X-Forwarded-For`. The client
is therefore the entry that many places from the right; everything to its left was written
by the client and proves nothing. With no trusted proxy the header is ignored altogether and
the connection's own address (`REMOTE_ADDR`) counts, so a client cannot choose the address
that throttles and locks it out by sending the header.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def valid_address(value: str | None) -> str | None:
    """`value` as a normalised IP address (an IPv4-mapped IPv6 address as IPv4), or None."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def trusted_proxy_count() -> int:
    return max(0, int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0))


def client_ip(request) -> str | None:
    """The client's IP address under the trusted-proxy rule (see the module docstring).

    `request` is a Django HttpRequest or a DRF Request. Return None when no valid address is
    known. A forwarded entry that is not an IP address falls back to the connection's address.
    """
    meta = request.META
    remote = valid_address(meta.get("REMOTE_ADDR"))
    proxies = trusted_proxy_count()
    if not proxies:
        return remote
    forwarded = [entry.strip() for entry in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the request skipped a proxy; the left-most entry is then the
    # farthest one any trusted hop saw (what DRF's NUM_PROXIES does too).
    return valid_address(forwarded[-min(proxies, len(forwarded))]) or remote


__all__ = ["client_ip", "trusted_proxy_count"]
