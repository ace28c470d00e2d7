"""Admin of relationship care: contact plans and trigger rules (saved through
customers.care.services, which audit them) and follow-ups, read-only and masked."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from customers import permissions
from customers.admin.base import AuditedByServiceMixin, CustomerDataAdmin, shown
from customers.care import services as care
from customers.care.reasons import reason_text
from customers.models import ContactPlan, FollowUp, TriggerRule
from customers.permissions import SettingsAction


class _ConfiguredByServiceAdmin(AuditedByServiceMixin, admin.ModelAdmin):
    settings_action: str = ""

    def has_add_permission(self, request) -> bool:
        return permissions.allows(request.user, self.settings_action)

    def has_change_permission(self, request, obj=None) -> bool:
        return permissions.allows(request.user, self.settings_action)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Switch a plan or rule off instead: the follow-ups it created keep their cycle keys.
        return False


@admin.register(ContactPlan)
class ContactPlanAdmin(_ConfiguredByServiceAdmin):
    settings_action = SettingsAction.CONTACT_PLANS
    list_display = ["segment", "interval_days", "interval_months", "channel", "is_active"]
    list_filter = ["is_active"]
    fields = ["segment", "interval_months", "interval_days", "channel", "is_active"]

    def save_model(self, request, obj, form, change):
        care.contact_plan_save(actor=request.user, plan=obj)


@admin.register(TriggerRule)
class TriggerRuleAdmin(_ConfiguredByServiceAdmin):
    settings_action = SettingsAction.TRIGGER_RULES
    list_display = ["kind", "is_active", "days_ahead", "threshold_percent", "dormant_days"]
    list_filter = ["is_active"]
    fields = ["kind", "is_active", "days_ahead", "threshold_percent", "dormant_days", "product_types"]

    def save_model(self, request, obj, form, change):
        care.trigger_rule_save(actor=request.user, rule=obj)


@admin.register(FollowUp)
class FollowUpAdmin(CustomerDataAdmin):
    protected_record = True
    list_display = ["customer", "reason_shown", "due_on", "status", "assigned_to", "outcome"]
    list_filter = ["status", "reason", "outcome"]
    list_select_related = ["customer", "assigned_to"]
    ordering = ["-due_on", "-pk"]
    fields = ["customer", "reason_shown", "cycle_key", "channel", "due_on", "status", "assigned_to",
              "outcome", "notes_shown", "next_step_shown", "needs_discovered", "completed_by",
              "completed_at", "created_at"]
    readonly_fields = fields

    @admin.display(description=_("reason"))
    def reason_shown(self, obj) -> str:
        return reason_text(obj)

    @admin.display(description=_("notes"))
    def notes_shown(self, obj) -> str:
        return shown(self.own_view(obj), "notes")

    @admin.display(description=_("next step"))
    def next_step_shown(self, obj) -> str:
        return shown(self.own_view(obj), "next_step")
