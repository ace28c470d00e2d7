"""Browser forms of campaigns. They parse input; customers.outreach.campaigns.services
validates the definition again and does the writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.models import Branch
from customers.models import (
    CAMPAIGN_CHANNELS,
    CAMPAIGN_PURPOSES,
    CustomerKind,
    NeedType,
    ProductType,
    Segment,
)

CHECKBOXES = forms.CheckboxSelectMultiple


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    channel = forms.ChoiceField(label=_("Channel"), choices=[(c.value, c.label) for c in CAMPAIGN_CHANNELS])
    purpose = forms.ChoiceField(label=_("Purpose"), choices=[(p.value, p.label) for p in CAMPAIGN_PURPOSES])
    subject = forms.CharField(label=_("Subject (e-mail)"), max_length=200, required=False)
    body = forms.CharField(label=_("Message"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Placeholders: {name} (the customer's name) and {bank}."))
    segments = forms.MultipleChoiceField(label=_("Segments"), choices=Segment.choices, required=False,
                                         widget=CHECKBOXES)
    kinds = forms.MultipleChoiceField(label=_("Customer kinds"), choices=CustomerKind.choices, required=False,
                                      widget=CHECKBOXES)
    branches = forms.ModelMultipleChoiceField(label=_("Branches"), queryset=Branch.objects.none(),
                                              required=False)
    needs = forms.MultipleChoiceField(label=_("Has an open need"), choices=NeedType.choices, required=False,
                                      widget=CHECKBOXES)
    holds_products = forms.MultipleChoiceField(label=_("Holds any of"), choices=ProductType.choices,
                                               required=False, widget=CHECKBOXES)
    lacks_products = forms.MultipleChoiceField(label=_("Holds none of"), choices=ProductType.choices,
                                               required=False, widget=CHECKBOXES)
    min_aum = forms.DecimalField(label=_("Minimum AUM"), min_value=0, max_digits=20, decimal_places=2,
                                 required=False)

    def __init__(self, *args, branch_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if branch_choices is not None:
            self.fields["branches"].queryset = branch_choices

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["branches"] = [branch.pk for branch in data.get("branches") or []]
        return data


class CampaignScheduleForm(forms.Form):
    send_at = forms.DateTimeField(label=_("Send at (empty: now)"), required=False,
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class CampaignResponseForm(forms.Form):
    customer = forms.IntegerField(min_value=1)
    outcome = forms.ChoiceField(choices=[("responded", _("Responded")), ("converted", _("Converted"))])
