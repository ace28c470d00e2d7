"""Admin of consent, contact holds and the contact log (read-only, restricted to the customers
the user sees, evidence and reasons through the trust layer) and of the contact caps
(configuration, saved through customers.outreach.contact_cap_save)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from customers import outreach, permissions
from customers.admin.base import AuditedByServiceMixin, CustomerDataAdmin, shown
from customers.models import Consent, ConsentEvent, ContactCap, ContactHold, ContactLog
from customers.permissions import SettingsAction


@admin.register(Consent)
class ConsentAdmin(CustomerDataAdmin):
    list_display = ["customer", "purpose", "channel", "status", "source", "changed_at", "changed_by"]
    list_filter = ["purpose", "channel", "status", "source"]
    list_select_related = ["customer", "changed_by"]
    ordering = ["-changed_at"]
    fields = ["customer", "purpose", "channel", "status", "source", "changed_at", "changed_by", "event"]
    readonly_fields = fields


@admin.register(ConsentEvent)
class ConsentEventAdmin(CustomerDataAdmin):
    protected_record = True
    list_display = ["customer", "purpose", "channel", "status", "source", "evidence_shown", "recorded_by",
                    "recorded_at"]
    list_filter = ["purpose", "channel", "status", "source"]
    list_select_related = ["customer", "recorded_by"]
    ordering = ["-recorded_at"]
    fields = ["customer", "purpose", "channel", "status", "source", "evidence_shown", "recorded_by",
              "recorded_at"]
    readonly_fields = fields

    @admin.display(description=_("evidence reference"))
    def evidence_shown(self, obj) -> str:
        return shown(self.own_view(obj), "evidence_reference")


@admin.register(ContactHold)
class ContactHoldAdmin(CustomerDataAdmin):
    protected_record = True
    list_display = ["customer", "kind", "reason_shown", "placed_by", "placed_at", "lifted_at"]
    list_filter = ["kind"]
    list_select_related = ["customer", "placed_by"]
    ordering = ["-placed_at"]
    fields = ["customer", "kind", "reason_shown", "reference", "placed_by", "placed_at", "lifted_by",
              "lifted_at", "lift_reason_shown"]
    readonly_fields = fields

    @admin.display(description=_("reason"))
    def reason_shown(self, obj) -> str:
        return shown(self.own_view(obj), "reason")

    @admin.display(description=_("reason for lifting"))
    def lift_reason_shown(self, obj) -> str:
        return shown(self.own_view(obj), "lift_reason")


@admin.register(ContactLog)
class ContactLogAdmin(CustomerDataAdmin):
    list_display = ["customer", "at", "purpose", "channel", "outcome", "refusal_code", "sender_kind",
                    "reason"]
    list_filter = ["outcome", "purpose", "channel", "refusal_code", "sender_kind"]
    list_select_related = ["customer", "actor"]
    ordering = ["-at"]
    fields = ["customer", "at", "purpose", "channel", "legally_required", "outcome", "refusal_code",
              "refusal", "reason", "sender_kind", "sender_id", "actor"]
    readonly_fields = fields

    @admin.display(description=_("refused because"))
    def refusal(self, obj) -> str:
        if not obj.refusal_code:
            return "-"
        return outreach.refusal_message(obj.refusal_code, purpose=obj.purpose, channel=obj.channel,
                                        detail=obj.detail)


@admin.register(ContactCap)
class ContactCapAdmin(AuditedByServiceMixin, admin.ModelAdmin):
    list_display = ["purpose", "window_days", "maximum", "is_active"]
    list_filter = ["purpose", "is_active"]
    fields = ["purpose", "window_days", "maximum", "is_active"]

    # Who may change caps is the policy's answer, as it is for the service behind the save.
    def has_add_permission(self, request) -> bool:
        return permissions.allows(request.user, SettingsAction.CONTACT_CAPS)

    def has_change_permission(self, request, obj=None) -> bool:
        return permissions.allows(request.user, SettingsAction.CONTACT_CAPS)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # switched off with "active", so the record of what applied stays

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = outreach.contact_cap_save(actor=request.user, cap=obj if change else None,
                                          purpose=data["purpose"], window_days=data["window_days"],
                                          maximum=data["maximum"],
                                          is_active=data["is_active"])
        for name in ("pk", "purpose", "window_days", "maximum", "is_active"):
            setattr(obj, name, getattr(saved, name))
        obj._state.adding = False
