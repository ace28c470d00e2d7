"""Pagination for the API: cursors, so deep pages of large tables stay cheap."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination


class DefaultCursorPagination(CursorPagination):
    """Newest first by primary key; `page_size` may be asked for from 1 up to 200.

    A `page_size` that is not a whole number in that range answers 400 with a field error
    (DRF would fall back to the default page size without a word), on every list.
    """

    ordering = "-pk"
    page_size_query_param = "page_size"
    max_page_size = 200
    page_size_query_description = gettext_lazy("Results per page, 1 to 200 (default 50).")
    invalid_cursor_message = gettext_lazy("Invalid cursor: use the next or previous link of a page.")

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        value = raw.strip()
        if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= self.max_page_size:
            raise exceptions.ValidationError({self.page_size_query_param: [
                _("Enter a whole number from 1 to %(max)s.") % {"max": self.max_page_size}
            ]})
        return int(value)

    def decode_cursor(self, request):
        # A cursor the client altered is a bad parameter (400), not a missing page (404).
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise exceptions.ValidationError(
                {self.cursor_query_param: [str(self.invalid_cursor_message)]}
            ) from None

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters
