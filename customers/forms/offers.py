"""Forms of the 360° page's "Suitable offers" panel: accept or dismiss a suggestion. They
parse; customers.outreach.offers decides and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import Channel, DismissReason


class SuggestionAcceptForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.BRANCH)
    note = forms.CharField(label=_("Note"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "accept_%s")
        super().__init__(*args, **kwargs)


class SuggestionDismissForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "---------"), *DismissReason.choices])
    note = forms.CharField(label=_("Note"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Needed when the reason is \"Other\"."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "dismiss_%s")
        super().__init__(*args, **kwargs)
