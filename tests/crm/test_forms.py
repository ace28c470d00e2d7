"""Form errors as people read them: each after its field's translated label."""

from __future__ import annotations

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from crm.forms import labelled_messages


class _DaysForm(forms.Form):
    not_contacted_days = forms.IntegerField(label=_("Not contacted for (days)"))
    unlabelled = forms.IntegerField(label="", required=False)

    def clean(self):
        raise forms.ValidationError("The whole form is wrong.")


def test_errors_carry_the_fields_label_not_its_name():
    form = _DaysForm({"not_contacted_days": "abc", "unlabelled": "x"})

    assert labelled_messages(form) == [
        "Not contacted for (days): Enter a whole number.",
        "Unlabelled: Enter a whole number.",
        "The whole form is wrong.",
    ]


def test_the_label_and_separator_follow_the_language():
    with translation.override("zh-hans"):
        form = _DaysForm({"not_contacted_days": "abc"})

        assert labelled_messages(form)[0] == "未联系天数：请输入整数。"
