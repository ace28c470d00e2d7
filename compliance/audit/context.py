"""Where the current request comes from, and what it has shown in clear so far."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

from crm.client_address import valid_address

MAX_USER_AGENT = 300


@dataclass
class AuditRequestContext:
    """Where the current request comes from, and the sensitive fields it has shown in clear."""

    ip_address: str | None = None
    user_agent: str = ""
    request_id: str = ""
    revealed_objects: dict[str, set[int | str]] = field(default_factory=dict)
    revealed_fields: set[str] = field(default_factory=set)

    @property
    def has_reveals(self) -> bool:
        return bool(self.revealed_objects)


request_context: ContextVar[AuditRequestContext | None] = ContextVar(
    "audit_request_context", default=None
)


@contextlib.contextmanager
def audit_request_context(
    *, ip_address: str | None, user_agent: str, request_id: str
) -> Iterator[AuditRequestContext]:
    """Make events recorded in the block carry the request's address, user agent and id.

    Used by `AuditContextMiddleware`; tests and other entry points (a websocket consumer) may
    use it too. An address that is not a valid IP address is stored as empty.
    """
    context = AuditRequestContext(
        ip_address=valid_address(ip_address),
        user_agent=printable(user_agent)[:MAX_USER_AGENT],
        request_id=(request_id or "")[:64],
    )
    token = request_context.set(context)
    try:
        yield context
    finally:
        request_context.reset(token)


def printable(value: str) -> str:
    # PostgreSQL text cannot hold NUL; other control characters only obscure the log.
    return "".join(ch for ch in value if ch.isprintable())
