"""Admin of exchange rates: saved through customers.reference_data.exchange_rate_save."""

from __future__ import annotations

from django.contrib import admin

from customers import permissions, reference_data
from customers.admin.base import AuditedByServiceMixin
from customers.models import ExchangeRate
from customers.permissions import SettingsAction


@admin.register(ExchangeRate)
class ExchangeRateAdmin(AuditedByServiceMixin, admin.ModelAdmin):
    list_display = ["currency", "rate", "as_of"]
    ordering = ["currency"]
    search_fields = ["=currency"]
    fields = ["currency", "rate", "as_of"]

    # Who may set rates is the policy's answer, as it is for the service behind the save.
    def has_add_permission(self, request) -> bool:
        return permissions.allows(request.user, SettingsAction.ADD_EXCHANGE_RATE)

    def has_change_permission(self, request, obj=None) -> bool:
        return permissions.allows(request.user, SettingsAction.CHANGE_EXCHANGE_RATE)

    def has_delete_permission(self, request, obj=None) -> bool:
        # A rate that disappears makes holdings in that currency count as zero in AUM.
        return False

    def save_model(self, request, obj, form, change):
        saved = reference_data.exchange_rate_save(
            actor=request.user, exchange_rate=obj if change else None,
            currency=form.cleaned_data["currency"], rate=form.cleaned_data["rate"],
            as_of=form.cleaned_data["as_of"],
        )
        # The admin's messages and redirect read the object it passed in.
        for name in ("pk", "currency", "rate", "as_of"):
            setattr(obj, name, getattr(saved, name))
        obj._state.adding = False
