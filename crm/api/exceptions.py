"""API exceptions of the project package (kept apart from crm.api.errors, which imports DRF's
views: the parser that raises these is loaded while those views are defined)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "too_large"


__all__ = ["RequestTooLarge"]
