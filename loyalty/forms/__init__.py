"""Forms of the loyalty pages. They parse; loyalty's services decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from loyalty.models import AdjustmentReason


class AdjustmentForm(forms.Form):
    points = forms.IntegerField(label=_("Points"), min_value=-10_000_000, max_value=10_000_000,
                                help_text=_("Negative to take points away."))
    reason = forms.ChoiceField(label=_("Reason"), choices=AdjustmentReason.choices)
    reference = forms.RegexField(label=_("Reference"), regex=r"^[A-Za-z0-9._:/-]*$", max_length=64,
                                 required=False,
                                 help_text=_("A ticket or complaint number, not personal data."))

    def clean_points(self):
        points = self.cleaned_data["points"]
        if points == 0:
            raise forms.ValidationError(_("Give a number of points other than 0."))
        return points


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])


class RedeemForm(forms.Form):
    reward = forms.IntegerField(min_value=1)


class RedemptionDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("fulfil", _("Fulfilled")), ("cancel", _("Cancel"))])
