"""What the customers API views share: pagination, the filter backend, OpenAPI pieces, and
turning validated input into a service's arguments and a service's errors into a 400."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions

from crm.api.idempotency import ErrorOutputSerializer
from crm.api.pagination import DefaultCursorPagination
from customers import services
from customers.filtersets import CURSOR_ORDERING
from customers.models import CustomerKind

# Orderings the customer list offers with cursor pagination: each on a column that is never
# null, ending in a unique one, so a cursor position is well defined.
API_ORDERINGS = CURSOR_ORDERING
DEFAULT_ORDERING = ("-pk",)


class CustomerCursorPagination(DefaultCursorPagination):
    """Newest customers first, or by name, number or date via `sort` (see API_ORDERINGS)."""

    def get_ordering(self, request, queryset, view):
        return API_ORDERINGS.get(request.query_params.get("sort", ""), DEFAULT_ORDERING)


class InteractionCursorPagination(DefaultCursorPagination):
    """The timeline: newest first (the index customer, -occurred_at serves it)."""

    ordering = ("-occurred_at", "-pk")


class CustomerFilterBackend(DjangoFilterBackend):
    """django-filter with the acting user passed on: the FilterSet's search is restricted."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        kwargs["actor"] = request.user
        return kwargs


REFERENCE_PATTERN = r"[A-Za-z0-9._:-]{1,64}"
# The same, anchored, for the OpenAPI document (a JSON Schema pattern matches anywhere).
REFERENCE_SCHEMA_PATTERN = rf"^{REFERENCE_PATTERN}$"
CUSTOMER_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("The customer's id."))
ERRORS = {
    400: OpenApiResponse(ErrorOutputSerializer, description=_("Invalid fields.")),
    403: OpenApiResponse(ErrorOutputSerializer, description=_("Not allowed.")),
    404: OpenApiResponse(ErrorOutputSerializer, description=_("No such customer (or not yours to see).")),
}


def error_responses(*codes: int) -> dict:
    """The documented error answers for `codes`."""
    return {code: ERRORS[code] for code in codes}


def _drf_detail(error: DjangoValidationError, *, nest: dict[str, str] | None = None):
    if not hasattr(error, "error_dict"):
        return {"non_field_errors": list(error.messages)}
    detail: dict = {}
    for name, messages in error.message_dict.items():
        if name == "__all__":
            detail.setdefault("non_field_errors", []).extend(messages)
        elif nest and name in nest:
            detail.setdefault(nest[name], {})[name] = list(messages)
        else:
            detail[name] = list(messages)
    return detail


@contextlib.contextmanager
def service_errors(*, nest: dict[str, str] | None = None) -> Iterator[None]:
    """Turn a service's ValidationError into a 400 with field errors: `__all__` becomes
    non_field_errors, and a name in `nest` is nested under its key (profile fields under
    "individual" or "corporate", as the request sent them)."""
    try:
        yield
    except DjangoValidationError as error:
        raise exceptions.ValidationError(_drf_detail(error, nest=nest)) from None


def profile_nesting(kind: str) -> dict[str, str]:
    """Where the profile fields of a customer of `kind` sit in requests and errors."""
    names = services.INDIVIDUAL_FIELDS if kind == CustomerKind.INDIVIDUAL else services.CORPORATE_FIELDS
    key = "individual" if kind == CustomerKind.INDIVIDUAL else "corporate"
    return {name: key for name in names}


def split_customer_input(data: dict) -> tuple[dict, dict]:
    """Validated customer input as (the customer's own fields, the profile's fields)."""
    fields = {name: value for name, value in data.items() if name in services.CUSTOMER_FIELDS}
    profile = data.get("individual") or data.get("corporate") or {}
    return fields, dict(profile)
