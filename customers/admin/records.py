"""Admin of the rows that belong to customers: holdings, needs, relationships, interactions,
segment overrides, history, reveal grants and merges. Read-only; every sensitive column is
shown through the trust layer (the row's own RecordView, or its customer's)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from customers.admin.base import CustomerDataAdmin, shown
from customers.models import (
    CustomerEvent,
    Holding,
    Interaction,
    MergeRecord,
    Need,
    Relationship,
    RevealGrant,
    SegmentOverride,
)


@admin.register(Holding)
class HoldingAdmin(CustomerDataAdmin):
    protected_record = True
    list_display = ["customer", "product_type", "product_name", "account_shown", "balance_shown",
                    "currency", "status", "opened_on"]
    list_filter = ["product_type", "status"]
    ordering = ["-pk"]
    fields = ["customer", "external_reference", "product_type", "product_name", "account_shown",
              "balance_shown", "currency", "status", "opened_on", "matures_on", "updated_at"]
    readonly_fields = fields

    @admin.display(description=_("account number"))
    def account_shown(self, obj) -> str:
        return shown(self.own_view(obj), "account_number")

    @admin.display(description=_("balance"))
    def balance_shown(self, obj) -> str:
        return shown(self.own_view(obj), "balance")


@admin.register(Need)
class NeedAdmin(CustomerDataAdmin):
    protected_record = True
    list_display = ["customer", "need_type", "status", "recorded_by", "recorded_at"]
    list_filter = ["need_type", "status"]
    list_select_related = ["customer", "recorded_by"]
    ordering = ["-recorded_at"]
    fields = ["customer", "need_type", "status", "note_shown", "recorded_by", "recorded_at"]
    readonly_fields = fields

    @admin.display(description=_("note"))
    def note_shown(self, obj) -> str:
        return shown(self.own_view(obj), "note")


@admin.register(Relationship)
class RelationshipAdmin(CustomerDataAdmin):
    customer_paths = ("from_customer", "to_customer")
    list_display = ["from_customer", "kind", "to_customer", "role", "share_percent"]
    list_filter = ["kind"]
    ordering = ["-pk"]
    fields = ["from_customer", "kind", "to_customer", "role", "share_percent", "created_at"]
    readonly_fields = fields


@admin.register(Interaction)
class InteractionAdmin(CustomerDataAdmin):
    protected_record = True
    list_display = ["customer", "occurred_at", "channel", "interaction_type", "summary_shown", "staff",
                    "system"]
    list_filter = ["channel", "interaction_type"]
    list_select_related = ["customer", "staff"]
    ordering = ["-occurred_at"]
    fields = ["customer", "occurred_at", "channel", "interaction_type", "summary_shown", "staff",
              "system", "external_reference", "created_at"]
    readonly_fields = fields

    @admin.display(description=_("summary"))
    def summary_shown(self, obj) -> str:
        return shown(self.own_view(obj), "summary")


@admin.register(SegmentOverride)
class SegmentOverrideAdmin(CustomerDataAdmin):
    protected_record = True
    list_display = ["customer", "segment", "expires_on", "created_by", "created_at", "ended_at"]
    list_filter = ["segment"]
    list_select_related = ["customer", "created_by"]
    ordering = ["-created_at"]
    fields = ["customer", "segment", "reason_shown", "expires_on", "created_by", "created_at", "ended_at"]
    readonly_fields = fields

    @admin.display(description=_("reason"))
    def reason_shown(self, obj) -> str:
        return shown(self.own_view(obj), "reason")


@admin.register(CustomerEvent)
class CustomerEventAdmin(CustomerDataAdmin):
    list_display = ["customer", "kind", "actor", "occurred_at"]
    list_filter = ["kind"]
    list_select_related = ["customer", "actor"]
    ordering = ["-occurred_at"]
    fields = ["customer", "kind", "data", "actor", "occurred_at"]
    readonly_fields = fields


@admin.register(RevealGrant)
class RevealGrantAdmin(CustomerDataAdmin):
    list_display = ["user", "customer", "fields_revealed", "granted_at", "expires_at"]
    list_select_related = ["customer", "user"]
    ordering = ["-granted_at"]
    fields = ["user", "customer", "fields_revealed", "purpose", "granted_at", "expires_at"]
    readonly_fields = fields

    @admin.display(description=_("fields"))
    def fields_revealed(self, obj) -> str:
        return ", ".join(obj.fields)


@admin.register(MergeRecord)
class MergeRecordAdmin(CustomerDataAdmin):
    customer_paths = ("survivor", "merged")
    list_display = ["merged", "survivor", "merged_by", "merged_at", "reversed_at"]
    list_select_related = ["merged", "survivor", "merged_by"]
    ordering = ["-merged_at"]
    fields = ["merged", "survivor", "moved", "merged_by", "merged_at", "reversed_by", "reversed_at"]
    readonly_fields = fields
