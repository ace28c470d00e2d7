"""Browser forms of relationship care: completing and rescheduling a follow-up, booking an
appointment. They parse and validate input; customers.care.services does the writes."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import NEEDS_BY_KIND, Channel, FollowUpOutcome, NeedType


class FollowUpCompleteForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FollowUpOutcome.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 4}))
    needs = forms.MultipleChoiceField(label=_("Needs discovered"), required=False,
                                      widget=forms.CheckboxSelectMultiple)
    next_step = forms.CharField(label=_("Next step"), required=False, max_length=1000)
    reschedule_to = forms.DateField(label=_("New date (when rescheduled)"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["needs"].choices = [(need.value, NeedType(need).label) for need in NEEDS_BY_KIND[kind]]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == FollowUpOutcome.RESCHEDULED and not cleaned.get("reschedule_to"):
            self.add_error("reschedule_to", _("Choose the new date."))
        return cleaned


class FollowUpRescheduleForm(forms.Form):
    due_on = forms.DateField(label=_("New date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class AppointmentForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=5, max_value=480, initial=60)
    place = forms.CharField(label=_("Place"), max_length=200)

    def starts_at(self) -> datetime.datetime:
        """The start as an aware datetime in the bank's time zone."""
        naive = datetime.datetime.combine(self.cleaned_data["day"], self.cleaned_data["time"])
        return timezone.make_aware(naive)
