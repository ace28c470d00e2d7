"""Forms of the 360° page's consent and contact panel: record or withdraw a consent, place
or lift a contact hold. They parse; customers.outreach decides and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import (
    RECORDED_SOURCES,
    ConsentSource,
    ConsentStatus,
    ContactChannel,
    ContactHoldKind,
    ContactPurpose,
)


class _PanelForm(forms.Form):
    """Field ids of their own, so their labels point at them on a page of several forms."""

    id_prefix = "panel"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class ConsentRecordForm(_PanelForm):
    id_prefix = "consent"
    status = forms.ChoiceField(label=_("Consent"), choices=[
        (ConsentStatus.GRANTED, _("Grant")), (ConsentStatus.WITHDRAWN, _("Withdraw"))])
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ContactPurpose.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=ContactChannel.choices)
    source = forms.ChoiceField(label=_("Given through"), choices=RECORDED_SOURCES,
                               initial=ConsentSource.BRANCH_FORM)
    evidence_reference = forms.CharField(
        label=_("Evidence reference"), max_length=200, required=False,
        help_text=_("The signed form's number or the call recording's reference; needed to grant."))


class ContactHoldPlaceForm(_PanelForm):
    id_prefix = "hold"
    kind = forms.ChoiceField(label=_("Kind of hold"), choices=ContactHoldKind.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ContactHoldLiftForm(_PanelForm):
    id_prefix = "lift"
    hold = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for lifting"), max_length=500, required=False)
