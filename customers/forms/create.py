"""The form of a new customer entered by hand (individual or corporate)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from compliance.normalise import NormalisableValidator
from crm.models import Branch
from customers import permissions
from customers.intake.onboarding import REASON_MIN_LENGTH
from customers.models import (
    CORPORATE_SEGMENTS,
    RETAIL_SEGMENTS,
    CorporateProfile,
    Customer,
    CustomerKind,
    IndividualProfile,
)

# The customer's own fields the form offers, then each kind's profile fields, in page order.
CONTACT_FIELDS = ("id_number", "phone", "email", "address")
INDIVIDUAL_CREATE_FIELDS = ("family_name", "given_name", "local_name", "gender", "date_of_birth")
CORPORATE_CREATE_FIELDS = ("legal_name", "industry", "employees")
BLIND_INDEX_KINDS = {"phone": "phone", "email": "email", "id_number": "national_id"}


def creatable_branches(actor):
    """Active branches `actor` may add customers to (the policy's ADD: their own branch, every
    branch for head office)."""
    branches = Branch.objects.filter(is_active=True).order_by("code")
    if permissions.is_head_office(actor):
        return branches
    return branches.filter(pk=permissions.user_branch_id(actor))


class CustomerCreateForm(forms.Form):
    """A new customer of `kind`: names, identity, contact, home branch, and the segment where
    the policy lets `actor` set it (by hand: OVERRIDE_SEGMENT on the branch). After possible
    duplicates were shown, `duplicate_reason` says why this is another customer."""

    kind = forms.ChoiceField(choices=CustomerKind.choices, widget=forms.HiddenInput)
    duplicate_reason = forms.CharField(
        label=_("Why this is not the same customer"), required=False, max_length=300,
        min_length=REASON_MIN_LENGTH, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded in the audit trail with the possible duplicates."),
    )

    def __init__(self, *args, actor, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.kind = kind
        self.initial["kind"] = kind
        individual = kind == CustomerKind.INDIVIDUAL
        profile_model = IndividualProfile if individual else CorporateProfile
        for name in INDIVIDUAL_CREATE_FIELDS if individual else CORPORATE_CREATE_FIELDS:
            field = profile_model._meta.get_field(name).formfield()
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            self.fields[name] = field
        for name in CONTACT_FIELDS:
            model_field = Customer._meta.get_field(name)
            # The model's max_length: the limit every surface shares.
            if name in BLIND_INDEX_KINDS:
                field = forms.CharField(label=model_field.verbose_name, required=False,
                                        max_length=model_field.max_length,
                                        validators=[NormalisableValidator(BLIND_INDEX_KINDS[name])])
            else:
                field = forms.CharField(label=model_field.verbose_name, required=False,
                                        max_length=model_field.max_length,
                                        widget=forms.Textarea(attrs={"rows": 2}))
            self.fields[name] = field
        self.fields["id_number"].label = _("ID number") if individual else _("Registration number")
        branches = creatable_branches(actor)
        self.fields["home_branch"] = forms.ModelChoiceField(
            label=_("Home branch"), queryset=branches, empty_label=None,
        )
        # Read once for the page (a queryset's choices are read again at each rendering).
        self.fields["home_branch"].choices = [(branch.pk, f"{branch.code} {branch.name}")
                                              for branch in branches]
        own = permissions.user_branch_id(actor)
        if own:
            self.initial.setdefault("home_branch", own)
        if permissions.allows(actor, permissions.CustomerAction.OVERRIDE_SEGMENT, Branch(pk=own)):
            segments = RETAIL_SEGMENTS if individual else CORPORATE_SEGMENTS
            self.fields["segment"] = forms.ChoiceField(
                label=_("Segment"), required=False,
                choices=[("", _("Set by the segment rules")),
                         *[(item.value, item.label) for item in segments]],
            )
        self.order_fields([*(INDIVIDUAL_CREATE_FIELDS if individual else CORPORATE_CREATE_FIELDS),
                           *CONTACT_FIELDS, "home_branch", "segment", "duplicate_reason"])

    @property
    def is_individual(self) -> bool:
        return self.kind == CustomerKind.INDIVIDUAL

    def clean_kind(self) -> str:
        if self.cleaned_data["kind"] != self.kind:
            raise forms.ValidationError(_("Unknown customer kind."))
        return self.kind

    def service_arguments(self) -> dict:
        """The cleaned entry as `customer_onboard` takes it."""
        data = self.cleaned_data
        profile_names = INDIVIDUAL_CREATE_FIELDS if self.is_individual else CORPORATE_CREATE_FIELDS
        profile = {name: data[name] for name in profile_names
                   if data.get(name) not in (None, "")}
        for name in ("family_name", "given_name", "local_name", "legal_name", "industry"):
            if name in profile:
                profile[name] = profile[name].strip()
        fields = {name: data[name].strip() for name in CONTACT_FIELDS if data.get(name, "").strip()}
        return {
            "kind": self.kind, "home_branch": data["home_branch"], "profile": profile,
            "segment": data.get("segment") or None, "duplicate_reason": data.get("duplicate_reason", ""),
            **fields,
        }

    def add_service_errors(self, messages: dict[str, list[str]]) -> None:
        """Attach a service's errors (by model field name) to the matching fields."""
        for name, errors in messages.items():
            for error in errors:
                self.add_error(name if name in self.fields else None, error)
