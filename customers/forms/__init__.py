"""Browser forms for customers. They parse and validate input; services do the writes."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from compliance import access
from compliance.normalise import NormalisableValidator
from crm.models import Branch
from crm.roles import Role
from crm.selectors import staff_in_branch
from customers.filtersets import MAX_NOT_CONTACTED_DAYS, ORDERING
from customers.forms.offers import SuggestionAcceptForm, SuggestionDismissForm  # noqa: F401
from customers.forms.outreach import ConsentRecordForm, ContactHoldLiftForm, ContactHoldPlaceForm  # noqa: F401
from customers.models import (
    CORPORATE_SEGMENTS,
    NEEDS_BY_KIND,
    RETAIL_SEGMENTS,
    Channel,
    CorporateProfile,
    Customer,
    CustomerKind,
    CustomerStatus,
    IndividualProfile,
    Interaction,
    InteractionType,
    Need,
    ProductType,
    Segment,
    validate_time_zone,
)
from customers.services import REVEAL_MINUTES_MAX

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
SEARCH_MAX_LENGTH = 200

# Sensitive fields that do not exist on a customer of the other kind.
def sensitive_fields_for(kind: str) -> list[access.SensitiveField]:
    """The sensitive fields a customer of `kind` has, in declaration order."""
    # The policy's registration says which fields exist for which kind; ask it.
    sample = Customer(kind=kind)
    return [spec for spec in access.sensitive_fields(Customer).values() if spec.applies_to(sample)]


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class PageSizeField(forms.TypedChoiceField):
    """Rows per page. The empty choice shows the default; the default sent as its number (what
    a link or a bookmark carries, `?size=50`) is as valid as every other size offered."""

    def valid_value(self, value) -> bool:
        return str(value) in {str(size) for size in PAGE_SIZES} or super().valid_value(value)


class CustomerListForm(forms.Form):
    """The list's filters as the browser shows them; values then go to CustomerFilterSet.

    It exists beside the FilterSet to offer choices fitting the user (their branches and
    relationship managers) and to bound numbers the FilterSet would pass on unchecked.
    The search term itself is not a visible field here: the quick-search box posts it so
    that an exact phone, e-mail or ID number never appears in a URL.
    """

    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("Any kind")), *CustomerKind.choices])
    segment = forms.MultipleChoiceField(label=_("Segment"), required=False, choices=Segment.choices,
                                        widget=forms.CheckboxSelectMultiple)
    status = forms.MultipleChoiceField(label=_("Status"), required=False, choices=CustomerStatus.choices,
                                       widget=forms.CheckboxSelectMultiple)
    home_branch = forms.TypedChoiceField(label=_("Branch"), required=False, coerce=int, empty_value=None)
    relationship_manager = forms.TypedChoiceField(
        label=_("Relationship manager"), required=False, coerce=int, empty_value=None
    )
    not_contacted_days = forms.IntegerField(
        label=_("Not contacted for (days)"), required=False, min_value=1, max_value=MAX_NOT_CONTACTED_DAYS
    )
    holding = forms.ChoiceField(label=_("Holds product"), required=False,
                                choices=[("", _("Any product")), *ProductType.choices])
    open_needs = forms.TypedChoiceField(
        label=_("Has open needs"), required=False, empty_value=None,
        coerce=lambda value: value == "true",
        choices=[("", _("Either")), ("true", _("Yes")), ("false", _("No"))],
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False,
                             choices=[("", _("Default")), *[(key, key) for key in ORDERING]],
                             widget=forms.HiddenInput)
    size = PageSizeField(
        label=_("Rows per page"), required=False, coerce=int, empty_value=None,
        choices=[("", DEFAULT_PAGE_SIZE),
                 *[(size, size) for size in PAGE_SIZES if size != DEFAULT_PAGE_SIZE]],
    )
    q = forms.CharField(required=False, max_length=SEARCH_MAX_LENGTH, widget=forms.HiddenInput)
    search = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, branches, managers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_branch"].choices = [("", _("Any branch"))] + [
            (branch.pk, f"{branch.code} {branch.name}") for branch in branches
        ]
        self.fields["relationship_manager"].choices = [("", _("Any relationship manager"))] + [
            (user.pk, user.get_full_name() or user.get_username()) for user in managers
        ]


class QuickSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search customers"), max_length=SEARCH_MAX_LENGTH,
        help_text=_("Name, customer number, or an exact phone, e-mail or ID number."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def clean_q(self) -> str:
        term = self.cleaned_data["q"].strip()
        if not term:
            raise forms.ValidationError(_("Enter something to search for."))
        return term


class InteractionLogForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    interaction_type = forms.ChoiceField(label=_("Type"), choices=InteractionType.choices,
                                         initial=InteractionType.FOLLOW_UP)
    summary = forms.CharField(label=_("Summary"),
                              max_length=Interaction._meta.get_field("summary").max_length,
                              widget=forms.Textarea(attrs={"rows": 3}))
    occurred_at = forms.DateTimeField(
        label=_("When"), required=False, help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )

    def clean_summary(self) -> str:
        summary = self.cleaned_data["summary"].strip()
        if not summary:
            raise forms.ValidationError(_("Describe the interaction."))
        return summary


class NeedRecordForm(forms.Form):
    need_type = forms.ChoiceField(label=_("Need"))
    note = forms.CharField(label=_("Note"), required=False,
                           max_length=Need._meta.get_field("note").max_length,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need_type"].choices = [(need.value, need.label) for need in NEEDS_BY_KIND[kind]]


class RevealForm(forms.Form):
    fields = forms.MultipleChoiceField(label=_("Fields to reveal"), widget=forms.CheckboxSelectMultiple)
    purpose = forms.CharField(
        label=_("Purpose"), min_length=10, max_length=300,
        help_text=_("Why you need to see these values; it is recorded in the audit trail."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    minutes = forms.TypedChoiceField(
        label=_("For"), coerce=int, initial=15,
        choices=[(minutes, _("%(minutes)d minutes") % {"minutes": minutes})
                 for minutes in (5, 15, 30, REVEAL_MINUTES_MAX)],
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fields"].choices = [
            (spec.name, capfirst(spec.label)) for spec in sensitive_fields_for(kind)
        ]


class ReassignForm(forms.Form):
    relationship_manager = UserChoiceField(label=_("New relationship manager"), queryset=None)

    def __init__(self, *args, branch_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["relationship_manager"].queryset = staff_in_branch(branch_id, Role.RELATIONSHIP_MANAGER)


class BookReassignForm(forms.Form):
    from_manager = UserChoiceField(label=_("Move the book of"), queryset=None)
    to_manager = UserChoiceField(label=_("To"), queryset=None)

    def __init__(self, *args, branch_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        managers = staff_in_branch(branch_id, Role.RELATIONSHIP_MANAGER)
        self.fields["from_manager"].queryset = managers
        self.fields["to_manager"].queryset = managers

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("from_manager") and cleaned.get("from_manager") == cleaned.get("to_manager"):
            self.add_error("to_manager", _("Choose a different relationship manager."))
        return cleaned


class DelegationForm(forms.Form):
    relationship_manager = UserChoiceField(label=_("Book of"), queryset=None)
    delegate = UserChoiceField(label=_("Covered by"), queryset=None)
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, branch_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["relationship_manager"].queryset = staff_in_branch(branch_id, Role.RELATIONSHIP_MANAGER)
        self.fields["delegate"].queryset = staff_in_branch(
            branch_id, Role.RELATIONSHIP_MANAGER, Role.BRANCH_MANAGER
        )

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The end must not be before the start."))
        manager, delegate = cleaned.get("relationship_manager"), cleaned.get("delegate")
        if manager and manager == delegate:
            self.add_error("delegate", _("Choose someone other than the relationship manager."))
        return cleaned


class SegmentOverrideForm(forms.Form):
    segment = forms.ChoiceField(label=_("Segment"))
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    expires_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        segments = RETAIL_SEGMENTS if kind == CustomerKind.INDIVIDUAL else CORPORATE_SEGMENTS
        self.fields["segment"].choices = [(segment.value, segment.label) for segment in segments]


CUSTOMER_EDIT_FIELDS = ("display_name", "status", "phone", "email", "address", "id_number",
                        "is_vulnerable", "do_not_contact", "time_zone")
INDIVIDUAL_EDIT_FIELDS = ("given_name", "family_name", "local_name", "gender", "date_of_birth",
                          "occupation", "employer", "annual_income", "preferred_language",
                          "preferred_channel", "credit_rating", "risk_tolerance")
CORPORATE_EDIT_FIELDS = ("legal_name", "industry", "employees", "annual_revenue",
                         "countries_of_operation", "parent_group", "credit_rating")
BLIND_INDEX_KINDS = {"phone": "phone", "email": "email", "id_number": "national_id"}
# Encrypted text columns keep NULL, not "", for "no value".
NULLABLE_TEXT = frozenset({"phone", "email", "address", "id_number"})


class CustomerEditForm(forms.Form):
    """A customer's details and profile. Sensitive fields appear only if `view` shows them in
    clear (nobody edits a value they cannot see); their current values are read through it.

    Field names are prefixed `profile-` for profile fields so customer and profile fields
    with the same name (credit rating) cannot collide.
    """

    def __init__(self, *args, customer: Customer, view: access.RecordView, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        clear = view.clear
        sensitive = set(access.sensitive_fields(Customer))
        for name in CUSTOMER_EDIT_FIELDS:
            if name in sensitive and name not in clear:
                continue
            model_field = Customer._meta.get_field(name)
            field = model_field.formfield()
            if name in BLIND_INDEX_KINDS:
                field = forms.CharField(label=field.label, required=False, max_length=model_field.max_length,
                                        validators=[NormalisableValidator(BLIND_INDEX_KINDS[name])])
            if name == "address":
                field.widget = forms.Textarea(attrs={"rows": 2})
            if name == "time_zone":  # the model's default is a callable: no hidden initial here
                field = forms.CharField(label=field.label, max_length=64, help_text=field.help_text,
                                        required=False, validators=[validate_time_zone])
            self.fields[name] = field
            self.initial[name] = view.field(name).value if name in sensitive else getattr(customer, name)
        profile_model = IndividualProfile if customer.is_individual else CorporateProfile
        profile = customer.individual if customer.is_individual else customer.corporate
        for name in INDIVIDUAL_EDIT_FIELDS if customer.is_individual else CORPORATE_EDIT_FIELDS:
            if name in sensitive and name not in clear:
                continue
            field = profile_model._meta.get_field(name).formfield()
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            self.fields[f"profile-{name}"] = field
            self.initial[f"profile-{name}"] = (
                view.field(name).value if name in sensitive else getattr(profile, name)
            )

    def changes(self) -> tuple[dict, dict]:
        """(customer fields, profile fields) whose submitted value differs from the record."""
        fields, profile = {}, {}
        for name in self.changed_data:
            value = self.cleaned_data[name]
            if name.startswith("profile-"):
                bare = name.removeprefix("profile-")
                if bare == "countries_of_operation":
                    value = [code.upper() for code in value]
                profile[bare] = value
            else:
                if name in NULLABLE_TEXT and value == "":
                    value = None
                if name == "time_zone" and not value:
                    continue  # left empty: the zone stays as it is
                fields[name] = value
        return fields, profile

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Attach errors a service raised (by model field name) to the matching form field."""
        for name, messages in errors.items():
            target = name if name in self.fields else f"profile-{name}"
            for message in messages:
                self.add_error(target if target in self.fields else None, message)


def branch_choices(branch_ids: list[int] | None):
    """Active branches to filter by; all of them when `branch_ids` is None."""
    branches = Branch.objects.filter(is_active=True).order_by("code")
    return branches if branch_ids is None else branches.filter(pk__in=branch_ids)
