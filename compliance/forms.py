"""Forms of the compliance pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AuditEventFilterForm(forms.Form):
    """The audit trail's filter form (fields come from `AuditEventFilterSet`)."""

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        return cleaned
