"""Request context for the audit chain, and the one `pii.revealed` event per request."""

from __future__ import annotations

from compliance.audit import audit_pii_reveals_record, audit_request_context
from crm.client_address import client_ip
from crm.middleware import current_request_id


class AuditContextMiddleware:
    """Give audit events recorded during a request its address, user agent and request id.

    Sits after AuthenticationMiddleware. When the response is ready and its status is below
    400, writes one `pii.revealed` event for every sensitive field the request showed in clear
    (see `compliance.audit.note_pii_revealed`). If that write fails the request fails: data
    that cannot be accounted for must not be served.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit_request_context(
            # The one address rule (TRUSTED_PROXY_COUNT) the lock-out and the API throttles use,
            # so an address in the audit trail can be matched with failed sign-ins.
            ip_address=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
            request_id=getattr(request, "request_id", "") or current_request_id(),
        ) as context:
            response = self.get_response(request)
            if context.has_reveals and response.status_code < 400:
                audit_pii_reveals_record(actor=getattr(request, "user", None), context=context)
        return response
