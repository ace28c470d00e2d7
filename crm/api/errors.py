"""One error format for the whole API.

Every error answers::

    {"error": {"status": 400, "code": "invalid", "message": "...",
               "fields": {"email": ["Enter a valid e-mail address."]}},
     "request_id": "..."}

`fields` appears only for validation errors and maps field names (dotted for nested data,
`non_field_errors` for the whole object) to lists of messages.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from crm.api.exceptions import RequestTooLarge
from crm.middleware import current_request_id

logger = logging.getLogger(__name__)


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(_flatten(value, name))
        return flat
    if isinstance(detail, list):
        if detail and all(not isinstance(item, (dict, list)) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "non_field_errors": [str(detail)]}


def error_body(*, status_code: int, code: str, message: str, fields=None) -> dict:
    """Build the API's error body."""
    error = {"status": status_code, "code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error, "request_id": current_request_id()}


def exception_handler(exc, context):
    """DRF exception handler producing the single error format."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, SuspiciousOperation):
        # Django's word for a malformed request (a bad header, too many fields): a 400 that
        # names nothing of what was sent.
        exc = exceptions.ParseError(_("The request is malformed."), code="bad_request")
    elif isinstance(exc, PermissionDenied):
        # The policy's refusal says which rule refused; it names no record.
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, DjangoValidationError):
        # A service's refusal by field: the same 400 as a serializer's.
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError({("non_field_errors" if name == "__all__" else name): messages
                                          for name, messages in detail.items()})
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = error_body(
            status_code=response.status_code,
            code="invalid",
            message=_("The request has invalid fields."),
            fields=_flatten(exc.detail),
        )
    else:
        detail = getattr(exc, "detail", "")
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body = error_body(
            status_code=response.status_code,
            code=codes if isinstance(codes, str) else "error",
            message=str(detail),
        )
    response.data = body
    return response


def json_error_response(request, *, status_code: int, code: str, message: str) -> JsonResponse:
    """An error in the API format for failures outside DRF views (404/500 under /api/)."""
    return JsonResponse(
        error_body(status_code=status_code, code=code, message=message), status=status_code
    )


def api_not_found(request, exception=None) -> JsonResponse:
    return json_error_response(
        request, status_code=status.HTTP_404_NOT_FOUND, code="not_found", message=_("Not found.")
    )


def api_too_large(request) -> JsonResponse:
    return json_error_response(
        request, status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, code="too_large",
        message=str(RequestTooLarge.default_detail),
    )


def api_server_error(request) -> JsonResponse:
    return json_error_response(
        request,
        status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
        code="server_error",
        message=_("The server could not complete the request. Quote the request id to support."),
    )


__all__ = [
    "RequestTooLarge",
    "api_not_found",
    "api_server_error",
    "api_too_large",
    "error_body",
    "exception_handler",
]
