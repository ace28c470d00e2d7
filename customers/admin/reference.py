"""Admin of exchange rates: saved through customers.reference_data.exchange_rate_save."""

from __future__ import annotations

from django.contrib import admin

from customers import reference_data
from customers.admin.base import AuditedByServiceMixin
from customers.models import ExchangeRate


@admin.register(ExchangeRate)
class ExchangeRateAdmin(AuditedByServiceMixin, admin.ModelAdmin):
    list_display = ["currency", "rate", "as_of"]
    ordering = ["currency"]
    search_fields = ["=currency"]
    fields = ["currency", "rate", "as_of"]

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
