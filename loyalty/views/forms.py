"""Browser forms of the engagement pages. They parse and validate input; services write."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import ContactChannel, Segment
from loyalty.models import EventKind


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.IntegerField(
        label=_("Length (minutes)"), min_value=15, max_value=60 * 24 * 90, initial=90
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_link = forms.URLField(
        label=_("Online link"), max_length=300, required=False, assume_scheme="https"
    )
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=100000, initial=30)
    eligible_segments = forms.MultipleChoiceField(
        label=_("For segments"),
        choices=Segment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every segment."),
    )
    eligible_tiers = forms.CharField(
        label=_("For tiers"),
        max_length=200,
        required=False,
        help_text=_("Tier codes separated by commas; empty: every tier."),
    )

    def clean_eligible_tiers(self) -> list[str]:
        codes = [code.strip().lower() for code in self.cleaned_data["eligible_tiers"].split(",")]
        return [code[:16] for code in codes if code]

    def service_values(self) -> dict:
        data = self.cleaned_data
        starts = timezone.make_aware(datetime.datetime.combine(data["day"], data["time"]))
        return {
            "kind": data["kind"],
            "title": data["title"],
            "description": data["description"],
            "starts_at": starts,
            "ends_at": starts + datetime.timedelta(minutes=data["minutes"]),
            "place": data["place"],
            "online_link": data["online_link"],
            "capacity": data["capacity"],
            "eligible_segments": data["eligible_segments"],
            "eligible_tiers": data["eligible_tiers"],
        }


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autofocus": True,
                "inputmode": "text",
            }
        ),
    )


class CustomerChoiceForm(forms.Form):
    customer = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    channel = forms.ChoiceField(choices=ContactChannel.choices, required=False)


class LessonForm(forms.Form):
    title = forms.CharField(label=_("Lesson title"), max_length=200)


class LessonCompleteForm(forms.Form):
    lesson = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
