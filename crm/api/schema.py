"""The OpenAPI document states every error an operation can answer, in the one error format.

Views document the answers particular to them (a 409 of Idempotency-Key, a 403 of the
audit trail); this postprocessing hook adds the ones every view shares, from what the
operation takes: 400 for invalid parameters or body, 401 and 403 where a signed-in caller
is needed, 404 under a path parameter (missing, or not the caller's to see), 413 and 415 for
a request body (API_MAX_BODY_BYTES; JSON only) and 429 everywhere (the rate limits). An
answer a view documents itself is kept as it is.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

ERROR_REFERENCE = {"$ref": "#/components/schemas/ErrorOutput"}
METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


def _error(description: str) -> dict:
    return {"content": {"application/json": {"schema": ERROR_REFERENCE}}, "description": description}


def implied_errors(path: str, operation: dict) -> dict[str, str]:
    """The shared error answers of one operation, by status code, with their descriptions."""
    errors: dict[str, str] = {}
    takes_input = bool(operation.get("parameters")) or "requestBody" in operation
    if takes_input:
        errors["400"] = _("Invalid parameters or body; `fields` names each invalid one.")
    if any(requirement for requirement in operation.get("security", [])) and {} not in operation.get(
        "security", []
    ):
        errors["401"] = _("No valid credentials (a token or a signed-in session).")
        errors["403"] = _("Not allowed for this caller.")
    if "{" in path:
        errors["404"] = _("No such record, or not one the caller may see.")
    if "requestBody" in operation:
        errors["413"] = _("The request body is larger than the API accepts.")
        errors["415"] = _("The request body is not JSON.")
    errors["429"] = _("Too many requests; retry after the number of seconds in Retry-After.")
    return errors


def document_error_answers(result, generator, request, public):
    """drf-spectacular postprocessing hook: add the shared error answers (module docstring)."""
    if "ErrorOutput" not in result.get("components", {}).get("schemas", {}):
        return result
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in implied_errors(path, operation).items():
                responses.setdefault(code, _error(description))
            operation["responses"] = dict(sorted(responses.items()))
    return result


__all__ = ["document_error_answers", "implied_errors"]
