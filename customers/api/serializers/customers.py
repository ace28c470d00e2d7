"""Customers: the list row, the full record with its profile, and the create, update and
upsert inputs."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm.api.errors import error_body
from customers.api.serializers.common import (
    MASKED_FIELDS_HELP,
    UNREADABLE_FIELDS_HELP,
    ActiveBranchField,
    ActiveRelationshipManagerField,
    BranchSummaryOutputSerializer,
    NormalisedField,
    OptionalTextField,
    SensitiveValueField,
    StaffSummaryOutputSerializer,
    StrictInputSerializer,
    model_max_length,
    not_in_future,
    plausible_birth_date,
)
from customers.models import (
    CORPORATE_SEGMENTS,
    RETAIL_SEGMENTS,
    Channel,
    Customer,
    CustomerKind,
    CustomerStatus,
    Gender,
    RiskTolerance,
    Segment,
    validate_time_zone,
)

CUSTOMER_SENSITIVE = ("id_number", "phone", "email", "address", "aum")
LIST_SENSITIVE = ("phone", "email", "aum")
PROFILE_SENSITIVE = {
    CustomerKind.INDIVIDUAL: ("date_of_birth", "annual_income"),
    CustomerKind.CORPORATE: ("annual_revenue",),
}


class CustomerListOutputSerializer(serializers.Serializer):
    """One row of the customer list (no profile fields: they would cost a query per row)."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.ChoiceField(choices=CustomerKind.choices)
    status = serializers.ChoiceField(choices=CustomerStatus.choices)
    display_name = serializers.CharField()
    home_branch = BranchSummaryOutputSerializer()
    relationship_manager = StaffSummaryOutputSerializer(allow_null=True)
    segment = serializers.ChoiceField(choices=Segment.choices)
    since = serializers.DateField()
    external_reference = serializers.CharField(allow_null=True)
    last_contact_at = serializers.DateTimeField(allow_null=True)
    phone = SensitiveValueField(sensitive="phone")
    email = SensitiveValueField(sensitive="email")
    aum = SensitiveValueField(sensitive="aum")
    masked_fields = serializers.SerializerMethodField(help_text=MASKED_FIELDS_HELP)
    unreadable_fields = serializers.SerializerMethodField(help_text=UNREADABLE_FIELDS_HELP)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_masked_fields(self, customer) -> list[str]:
        return self.context["displays"].masked(customer.pk, LIST_SENSITIVE)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_unreadable_fields(self, customer) -> list[str]:
        return self.context["displays"].unreadable(customer.pk, LIST_SENSITIVE)


class IndividualProfileOutputSerializer(serializers.Serializer):
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    local_name = serializers.CharField()
    gender = serializers.ChoiceField(choices=Gender.choices)
    date_of_birth = SensitiveValueField(sensitive="date_of_birth")
    occupation = serializers.CharField()
    employer = serializers.CharField()
    annual_income = SensitiveValueField(sensitive="annual_income")
    preferred_language = serializers.ChoiceField(choices=settings.LANGUAGES)
    preferred_channel = serializers.ChoiceField(choices=Channel.choices)
    credit_rating = serializers.CharField()
    risk_tolerance = serializers.CharField()


class CorporateProfileOutputSerializer(serializers.Serializer):
    legal_name = serializers.CharField()
    industry = serializers.CharField()
    employees = serializers.IntegerField(allow_null=True)
    annual_revenue = SensitiveValueField(sensitive="annual_revenue")
    countries_of_operation = serializers.ListField(child=serializers.CharField())
    parent_group = serializers.CharField()
    credit_rating = serializers.CharField()


class CustomerOutputSerializer(serializers.Serializer):
    """A customer with its profile, as the caller may see it."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.ChoiceField(choices=CustomerKind.choices)
    status = serializers.ChoiceField(choices=CustomerStatus.choices)
    display_name = serializers.CharField()
    home_branch = BranchSummaryOutputSerializer()
    relationship_manager = StaffSummaryOutputSerializer(allow_null=True)
    segment = serializers.ChoiceField(choices=Segment.choices)
    segment_since = serializers.DateField(allow_null=True)
    external_reference = serializers.CharField(allow_null=True)
    since = serializers.DateField()
    id_number = SensitiveValueField(sensitive="id_number")
    phone = SensitiveValueField(sensitive="phone")
    email = SensitiveValueField(sensitive="email")
    address = SensitiveValueField(sensitive="address")
    aum = SensitiveValueField(sensitive="aum")
    last_contact_at = serializers.DateTimeField(allow_null=True)
    is_vulnerable = serializers.BooleanField()
    do_not_contact = serializers.BooleanField()
    time_zone = serializers.CharField(help_text=_("Where the customer lives; quiet hours for contacts are "
                                                  "kept in this zone."))
    individual = serializers.SerializerMethodField()
    corporate = serializers.SerializerMethodField()
    masked_fields = serializers.SerializerMethodField(help_text=MASKED_FIELDS_HELP)
    unreadable_fields = serializers.SerializerMethodField(help_text=UNREADABLE_FIELDS_HELP)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(IndividualProfileOutputSerializer(allow_null=True))
    def get_individual(self, customer):
        if customer.kind != CustomerKind.INDIVIDUAL:
            return None
        return IndividualProfileOutputSerializer(customer.individual, context=self.context).data

    @extend_schema_field(CorporateProfileOutputSerializer(allow_null=True))
    def get_corporate(self, customer):
        if customer.kind != CustomerKind.CORPORATE:
            return None
        return CorporateProfileOutputSerializer(customer.corporate, context=self.context).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_masked_fields(self, customer) -> list[str]:
        names = CUSTOMER_SENSITIVE + PROFILE_SENSITIVE.get(customer.kind, ())
        return self.context["displays"].masked(customer.pk, names)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_unreadable_fields(self, customer) -> list[str]:
        names = CUSTOMER_SENSITIVE + PROFILE_SENSITIVE.get(customer.kind, ())
        return self.context["displays"].unreadable(customer.pk, names)


class IndividualProfileInputSerializer(StrictInputSerializer):
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    local_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    date_of_birth = serializers.DateField(required=False, allow_null=True, validators=[plausible_birth_date])
    occupation = serializers.CharField(max_length=120, required=False, allow_blank=True)
    employer = serializers.CharField(max_length=200, required=False, allow_blank=True)
    annual_income = serializers.DecimalField(
        max_digits=18, decimal_places=2, min_value=Decimal("0"), required=False, allow_null=True
    )
    preferred_language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    preferred_channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    credit_rating = serializers.CharField(max_length=8, required=False, allow_blank=True)
    risk_tolerance = serializers.ChoiceField(choices=RiskTolerance.choices, required=False, allow_blank=True)


class CorporateProfileInputSerializer(StrictInputSerializer):
    legal_name = serializers.CharField(max_length=200)
    industry = serializers.CharField(max_length=80)
    employees = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False, allow_null=True)
    annual_revenue = serializers.DecimalField(
        max_digits=20, decimal_places=2, min_value=Decimal("0"), required=False, allow_null=True
    )
    countries_of_operation = serializers.ListField(
        child=serializers.RegexField(r"^[A-Z]{2}$", error_messages={
            "invalid": _("Use ISO 3166 two-letter country codes such as CN.")}),
        required=False, max_length=250,
    )
    parent_group = serializers.CharField(max_length=200, required=False, allow_blank=True)
    credit_rating = serializers.CharField(max_length=8, required=False, allow_blank=True)


class CustomerDetailsInputSerializer(StrictInputSerializer):
    """The customer's own fields, shared by create, update and upsert."""

    status = serializers.ChoiceField(choices=CustomerStatus.choices, required=False)
    display_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    home_branch = ActiveBranchField(required=False)
    since = serializers.DateField(required=False, validators=[not_in_future])
    id_number = NormalisedField(kind="national_id", max_length=model_max_length(Customer, "id_number"))
    phone = NormalisedField(kind="phone", max_length=model_max_length(Customer, "phone"))
    email = NormalisedField(kind="email", max_length=model_max_length(Customer, "email"))
    address = OptionalTextField(max_length=model_max_length(Customer, "address"))
    is_vulnerable = serializers.BooleanField(required=False)
    do_not_contact = serializers.BooleanField(required=False)
    time_zone = serializers.CharField(max_length=64, required=False)
    individual = IndividualProfileInputSerializer(required=False)
    corporate = CorporateProfileInputSerializer(required=False)

    def validate_time_zone(self, value: str) -> str:
        try:
            validate_time_zone(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return value

    def _check_profile_for_kind(self, attrs: dict, kind: str, *, required: bool) -> None:
        wanted, other = (
            ("individual", "corporate") if kind == CustomerKind.INDIVIDUAL else ("corporate", "individual")
        )
        errors = {}
        if other in attrs:
            errors[other] = [_("This customer is not of that kind.")]
        if required and wanted not in attrs:
            errors[wanted] = [_("This field is required.")]
        if errors:
            raise serializers.ValidationError(errors)


class CustomerCreateInputSerializer(CustomerDetailsInputSerializer):
    kind = serializers.ChoiceField(choices=CustomerKind.choices)
    home_branch = ActiveBranchField()
    relationship_manager = ActiveRelationshipManagerField(required=False, allow_null=True)
    segment = serializers.ChoiceField(choices=Segment.choices, required=False)
    external_reference = serializers.CharField(max_length=64, required=False, allow_null=True)
    duplicate_reason = serializers.CharField(
        max_length=500, required=False, allow_blank=True, write_only=True,
        help_text=_("Why this is not the same party as the possible duplicates a first attempt "
                    "answered with (409); at least 10 characters. Recorded in the audit trail."),
    )

    def validate(self, attrs):
        kind = attrs["kind"]
        self._check_profile_for_kind(attrs, kind, required=True)
        segment = attrs.get("segment")
        allowed = RETAIL_SEGMENTS if kind == CustomerKind.INDIVIDUAL else CORPORATE_SEGMENTS
        if segment and segment not in allowed:
            raise serializers.ValidationError(
                {"segment": [_("This segment is not for this kind of customer.")]}
            )
        return attrs


class CustomerUpsertInputSerializer(CustomerCreateInputSerializer):
    """The full record core banking sends for a reference (the reference is in the URL).

    `relationship_manager` and `segment` apply when the reference is new; afterwards they
    change only through reassignment and segmentation, so a different value is refused.
    """

    external_reference = None
    duplicate_reason = None  # core banking's record is the bank's: it is not asked


class PossibleDuplicateOutputSerializer(serializers.Serializer):
    """An existing customer the caller may see that may be the same party, and why."""

    id = serializers.IntegerField(source="customer.pk")
    number = serializers.CharField(source="customer.number")
    display_name = serializers.CharField(source="customer.display_name")
    reasons = serializers.ListField(child=serializers.CharField(),
                                    help_text=_("Why it may be the same party, best first."))


class PossibleDuplicatesErrorSerializer(serializers.Serializer):
    """The 409 of a create that may duplicate existing customers: nothing was saved."""

    class ErrorSerializer(serializers.Serializer):
        status = serializers.IntegerField()
        code = serializers.CharField()
        message = serializers.CharField()
        candidates = PossibleDuplicateOutputSerializer(many=True, required=False)
        elsewhere = serializers.BooleanField(required=False, help_text=_(
            "Whether customers you may not see match too (never who or where)."))

    error = ErrorSerializer()
    request_id = serializers.CharField()


def possible_duplicates_body(duplicates) -> dict:
    """The 409 body for `customers.intake.onboarding.PossibleDuplicates`."""
    body = error_body(
        status_code=409, code="possible_duplicates",
        message=str(_("Customers that may be the same party exist; nothing was saved. Check them, "
                      "then send the request again with duplicate_reason if this is another party.")),
    )
    body["error"]["candidates"] = PossibleDuplicateOutputSerializer(duplicates.candidates, many=True).data
    body["error"]["elsewhere"] = duplicates.elsewhere
    return body


class CustomerUpdateInputSerializer(CustomerDetailsInputSerializer):
    """A partial change. Kind, segment and relationship manager change through their own
    processes (segmentation, reassignment) and are refused here."""

    external_reference = serializers.CharField(max_length=64, required=False, allow_null=True)

    def validate(self, attrs):
        self._check_profile_for_kind(attrs, self.context["kind"], required=False)
        return attrs
