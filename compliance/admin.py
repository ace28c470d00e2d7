"""Admin for the audit chain (read-only views of events and verification runs), privacy
requests (read-only) and the deadline profiles of privacy requests.

Nothing here can add, change or delete a row. The event list never counts the whole trail:
at millions of rows a COUNT(*) per page view would be the slowest thing in the admin.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from compliance import labels, presenting
from compliance.models import (
    AuditAction,
    AuditEvent,
    AuditVerification,
    DeadlineProfile,
    PrivacyRequest,
    UnreadableValue,
)
from compliance.privacy import services as privacy_services

COUNT_LIMIT = 10_000


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_LIMIT + 1 rows; deeper pages of a large trail are reached by filters."""

    @cached_property
    def count(self) -> int:
        return self.object_list[: COUNT_LIMIT + 1].count()


class AuditActionListFilter(admin.SimpleListFilter):
    """The known actions, without a SELECT DISTINCT over the whole trail."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return AuditAction.choices

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(action=value) if value else queryset


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EventChangeList(ChangeList):
    """Labels the page's events in one go: one lookup per kind of object, not one per row."""

    def get_results(self, request):
        super().get_results(request)
        for row in presenting.event_rows(list(self.result_list)):
            row.event._row = row


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Events as people read them (translated actions, object kinds and field names, customer
    numbers); the stored codes stay on the detail page, which is what the chain hashes."""

    list_display = [
        "sequence",
        "occurred_at",
        "actor_username",
        "action_shown",
        "object_shown",
        "fields_shown",
        "ip_address",
    ]
    list_filter = [AuditActionListFilter]
    # Exact matches only: each is served by an index, a LIKE '%...%' over the trail is not.
    search_fields = ["=actor_username", "=object_id"]
    ordering = ["-sequence"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    fields = [
        "sequence",
        "occurred_at",
        "actor_id",
        "actor_username",
        "ip_address",
        "user_agent",
        "request_id",
        "action",
        "object_type",
        "object_id",
        "fields",
        "purpose",
        "extra",
        "previous_hash",
        "hash",
    ]
    readonly_fields = fields

    def get_changelist(self, request, **kwargs):
        return EventChangeList

    @admin.display(description=_("action"), ordering="action")
    def action_shown(self, event) -> str:
        return labels.action_label(event.action)

    @admin.display(description=_("object"))
    def object_shown(self, event) -> str:
        row = getattr(event, "_row", None)
        if row is None or not event.object_type:
            return "-"
        return f"{row.object_label} {row.object_reference}".strip()

    @admin.display(description=_("fields"))
    def fields_shown(self, event) -> str:
        return ", ".join(str(label) for label in labels.field_labels(event.fields)) or "-"


@admin.register(AuditVerification)
class AuditVerificationAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "finished_at",
        "ok",
        "events_checked",
        "first_broken_sequence",
        "head_sequence",
    ]
    list_filter = ["ok"]
    ordering = ["-started_at"]
    fields = [
        "started_at",
        "finished_at",
        "ok",
        "events_checked",
        "first_broken_sequence",
        "message",
        "head_sequence",
        "head_hash",
        "expected_head_sequence",
    ]
    readonly_fields = fields


@admin.register(UnreadableValue)
class UnreadableValueAdmin(ReadOnlyAdmin):
    """Values that could not be decrypted, for operations: the only change is marking one
    resolved once the value has been entered again or the row restored."""

    list_display = [
        "context",
        "row_id",
        "reason",
        "occurrences",
        "first_seen_at",
        "last_seen_at",
        "resolved_at",
    ]
    list_filter = ["reason", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["=row_id", "context"]
    fields = list_display
    readonly_fields = fields
    actions = ["mark_resolved"]

    def has_change_permission(self, request, obj=None) -> bool:
        # The action below needs it; every field stays read-only.
        return request.user.has_perm("compliance.change_unreadablevalue")

    @admin.action(description=_("Mark as resolved"), permissions=["change"])
    def mark_resolved(self, request, queryset):
        count = queryset.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
        self.message_user(request, _("%(count)d marked as resolved.") % {"count": count})


@admin.register(DeadlineProfile)
class DeadlineProfileAdmin(admin.ModelAdmin):
    """The jurisdictions' deadlines; saved through the service, which audits the change."""

    list_display = [
        "code",
        "name",
        "respond_within",
        "unit",
        "extension",
        "extension_unit",
        "warn_days_before",
        "is_active",
    ]
    list_filter = ["is_active", "unit"]

    def save_model(self, request, obj, form, change):
        privacy_services.deadline_profile_save(
            actor=request.user, profile=obj, changed=list(form.changed_data)
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # requests point at their profile: deactivate one instead


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(admin.ModelAdmin):
    """Read-only: requests are handled in the compliance pages, where each step is audited. The
    requester's words, the verification reference and the answer are not shown here."""

    list_display = [
        "reference",
        "kind",
        "subject_type",
        "subject_id",
        "status",
        "received_on",
        "due_on",
        "extended",
    ]
    list_filter = ["status", "kind", "channel", "profile"]
    search_fields = ["reference"]
    fields = [
        "reference",
        "kind",
        "subject_type",
        "subject_id",
        "channel",
        "verification",
        "by_representative",
        "profile",
        "received_on",
        "due_on",
        "extended",
        "status",
        "logged_by",
        "logged_at",
        "closed_by",
        "closed_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
