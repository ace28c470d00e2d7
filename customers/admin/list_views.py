"""Admin of saved list views: read-only, per user. A view is its owner's to change in the
portal (customers.services.list_views); administrators only look, and never read a name
search a view keeps (it may be a customer's name)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from customers.admin.base import ReadOnlyAdminMixin
from customers.models import SavedListView

HIDDEN_FILTERS = frozenset({"q"})


@admin.register(SavedListView)
class SavedListViewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "owner", "filter_names", "updated_at"]
    list_select_related = ["owner"]
    list_filter = [("owner", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["owner__username", "name"]
    ordering = ["owner__username", "name"]
    fields = ["owner", "name", "filter_summary", "created_at", "updated_at"]
    readonly_fields = fields

    @admin.display(description=_("filters"))
    def filter_names(self, obj: SavedListView) -> str:
        return ", ".join(sorted(obj.filters)) or "-"

    @admin.display(description=_("filters"))
    def filter_summary(self, obj: SavedListView) -> str:
        shown = []
        for name in sorted(obj.filters):
            value = _("(a name search)") if name in HIDDEN_FILTERS else obj.filters[name]
            shown.append(f"{name}: {value}")
        return "; ".join(shown) or "-"
