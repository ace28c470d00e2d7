"""Admin of import jobs, without their content: the uploaded file holds customer data."""

from __future__ import annotations

from django.contrib import admin

from customers.admin.base import ReadOnlyAdminMixin
from customers.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Imports without their content: the uploaded file holds customer data."""

    list_display = ["file_name", "kind", "status", "rows_total", "rows_created", "rows_updated",
                    "rows_failed", "created_by", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["created_by"]
    ordering = ["-created_at"]
    fields = ["file_name", "kind", "status", "home_branch", "rows_total", "rows_processed", "rows_created",
              "rows_updated", "rows_failed", "errors", "failure_reason", "created_by", "created_at",
              "finished_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")
