"""Pagination for the API: cursors, so deep pages of large tables stay cheap."""

from rest_framework.pagination import CursorPagination


class DefaultCursorPagination(CursorPagination):
    """Newest first by primary key; `page_size` may be asked for up to 200."""

    ordering = "-pk"
    page_size_query_param = "page_size"
    max_page_size = 200
