"""Request id: every request gets one, echoed in the response and carried into logs and audit."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("request_id", default="-")
_VALID_INCOMING = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str:
    """The id of the request being served, or "-" outside a request."""
    return _request_id.get()


class RequestIdMiddleware:
    """Take a well-formed `X-Request-ID` from a trusted caller or make one; echo it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_INCOMING.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    """Add `request_id` to every log record so log lines can be tied to a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class PrivateResponseMiddleware:
    """Forbid caching of every response to a signed-in user or an authenticated API client.

    Such a response may show customer data in clear; no browser cache, proxy or shared disk
    may keep a copy. Static files never reach this middleware (the static files server
    answers before it), so they stay cacheable. The user is read after the view ran, so an
    API client authenticated by token in the view counts too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False) or getattr(request, "auth", None) is not None:
            response["Cache-Control"] = "no-store"
            if "Expires" in response:
                del response["Expires"]
        return response
