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


class PrivacyRequestForm(forms.Form):
    """Log a privacy request (the choices come from compliance.privacy.models)."""

    def __init__(self, *args, subject_types=(), profiles=(), **kwargs):
        from compliance.privacy.models import RequestChannel, RequestKind, Verification

        super().__init__(*args, **kwargs)
        self.fields["kind"] = forms.ChoiceField(label=_("Kind of request"), choices=RequestKind.choices)
        self.fields["subject_type"] = forms.ChoiceField(
            label=_("About"), choices=[(item.name, item.label) for item in subject_types])
        self.fields["subject_reference"] = forms.CharField(
            label=_("Customer number"), max_length=40,
            help_text=_("The data subject's number; never a name, phone or ID number."))
        self.fields["channel"] = forms.ChoiceField(label=_("Received by"), choices=RequestChannel.choices)
        self.fields["received_on"] = forms.DateField(label=_("Received on"), required=False,
                                                     widget=forms.DateInput(attrs={"type": "date"}),
                                                     help_text=_("Today unless you say otherwise."))
        self.fields["verification"] = forms.ChoiceField(label=_("Identity verified by"),
                                                        choices=Verification.choices)
        self.fields["verification_reference"] = forms.CharField(
            label=_("Verification reference"), max_length=200, required=False,
            help_text=_("The form's or call's reference (stored encrypted)."))
        self.fields["by_representative"] = forms.BooleanField(label=_("Made by an authorised representative"),
                                                              required=False)
        self.fields["details"] = forms.CharField(label=_("What is asked"), max_length=4000, required=False,
                                                 widget=forms.Textarea(attrs={"rows": 4}))
        self.fields["profile"] = forms.ChoiceField(
            label=_("Deadline"), required=False,
            choices=[("", _("The profile in force"))] + [(item.code, item.name) for item in profiles])


class PrivacyReasonForm(forms.Form):
    text = forms.CharField(label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class PrivacyAnswerForm(forms.Form):
    text = forms.CharField(label=_("Answer to the requester"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 4}))
