"""The pieces every customers admin page shares: rows restricted to the customers the user
sees, the page's RecordViews built in one go, and how a masked value is marked."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from compliance import access
from compliance.access import RecordView
from compliance.admin import CappedCountPaginator
from customers.models import Customer

MASKED_FORMAT = _("%(value)s (masked)")


def marked(text: str) -> str:
    """A masked value as admin lists it: "139****2222 (masked)"."""
    return str(MASKED_FORMAT) % {"value": text}


def shown(view: RecordView | None, name: str) -> str:
    """The sensitive field `name` as `view`'s user may see it, marked when masked; "-" if empty."""
    if view is None:
        return "-"
    value = view.field(name)
    if not value.text:
        return "-"
    return marked(value.text) if value.masked else value.text


class RecordViewChangeList(ChangeList):
    """Builds the RecordViews of the page's rows in one go (no query per row)."""

    def get_results(self, request):
        super().get_results(request)
        self.model_admin.attach_record_views(request, list(self.result_list))


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AuditedByServiceMixin:
    """For pages whose saves go through a service that audits them.

    Every admin log entry becomes a `config.changed` event (compliance.receivers); the service
    has already written a more precise one (which fields, which version), so these pages
    write no log entry and each change is audited once.
    """

    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None

    def log_deletion(self, request, obj, object_repr):
        return None

    def log_deletions(self, request, queryset):
        return None


class CustomerDataAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only admin of rows that belong to customers.

    `customer_paths` name the foreign keys to Customer; a row is listed only if the user may
    see every customer it names. Each row gets `_record_views` ({path: RecordView}) for its
    customers and, when its model is registered with the trust layer (`protected_record`),
    `_own_view`, the RecordView of the row itself, so every sensitive column is shown as the
    policy decides.
    """

    customer_paths: tuple[str, ...] = ("customer",)
    protected_record = False
    show_full_result_count = False
    paginator = CappedCountPaginator

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        visible = access.restrict(Customer.objects.all(), request.user)
        for path in self.customer_paths:
            queryset = queryset.filter(**{f"{path}__in": visible})
        return queryset.select_related(*self.customer_paths)

    def get_changelist(self, request, **kwargs):
        return RecordViewChangeList

    def attach_record_views(self, request, rows) -> None:
        customers = {
            getattr(row, path).pk: getattr(row, path) for row in rows for path in self.customer_paths
        }
        views = {view.obj.pk: view for view in RecordView.for_objects(request.user, customers.values())}
        for row in rows:
            row._record_views = {path: views[getattr(row, path).pk] for path in self.customer_paths}
        if self.protected_record:
            for view in RecordView.for_objects(request.user, rows):
                view.obj._own_view = view

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # A record the user may not see answers as a missing one does on every surface: 404,
        # not admin's redirect to its index with "perhaps it was deleted".
        raise Http404(_("There is no such record."))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            self.attach_record_views(request, [obj])
        return obj

    @staticmethod
    def record_view(obj, path: str = "customer") -> RecordView | None:
        return getattr(obj, "_record_views", {}).get(path)

    @staticmethod
    def own_view(obj) -> RecordView | None:
        return getattr(obj, "_own_view", None)
