"""Serializers of the customers API: separate input and output, fields listed explicitly.

Output: every sensitive value goes through compliance.access.RecordView, built for the whole
page at once (`RecordDisplays.for_customers`). A sensitive field is its value when the caller
may see it in clear and the masked text otherwise; `masked_fields` names the ones masked.
Holding balances and account numbers follow the customer's `aum` clearance; free text about
the customer (need notes, interaction summaries) is shown in clear only to callers who see all
of the customer's sensitive fields in clear.

Input: every field is validated here with field-level errors (phone, e-mail and ID numbers
must normalise as the blind indexes need; dates, decimals, choices; branch and relationship
manager must exist); the services then validate the model as a whole.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from compliance.access import DisplayValue, RecordView
from compliance.masking import mask, mask_amount
from compliance.normalise import normalise
from crm.models import Branch
from crm.roles import Role
from customers.models import (
    CORPORATE_SEGMENTS,
    NEEDS_BY_KIND,
    RETAIL_PRODUCTS,
    RETAIL_SEGMENTS,
    Channel,
    Customer,
    CustomerKind,
    CustomerStatus,
    Gender,
    HoldingStatus,
    InteractionType,
    NeedStatus,
    NeedType,
    ProductType,
    RelationshipKind,
    RiskTolerance,
    Segment,
)

CUSTOMER_SENSITIVE = ("id_number", "phone", "email", "address", "aum")
LIST_SENSITIVE = ("phone", "email", "aum")
PROFILE_SENSITIVE = {
    CustomerKind.INDIVIDUAL: ("date_of_birth", "annual_income"),
    CustomerKind.CORPORATE: ("annual_revenue",),
}
ANOTHER_CUSTOMER = _("Another customer")


def sees_everything_in_clear(view: RecordView) -> bool:
    """Whether the caller sees all of this customer's sensitive fields in clear.

    Free text written about the customer (need notes, interaction summaries) may mention any
    of them, so it is shown in clear only then.
    """
    return view.sees_all


class RecordDisplays:
    """Sensitive values of a page of customers as one user may see them.

    Built once per page (one RecordView query for all rows); each value is read, masked or
    noted for the audit at most once however many fields refer to it.
    """

    def __init__(self, views: Iterable[RecordView]):
        self._views = {view.obj.pk: view for view in views}
        self._values: dict[tuple[int, str], DisplayValue] = {}

    @classmethod
    def for_customers(cls, user, customers: Iterable[Customer]) -> RecordDisplays:
        return cls(RecordView.for_objects(user, customers))

    def view(self, customer_id: int) -> RecordView:
        return self._views[customer_id]

    def get(self, customer_id: int, name: str) -> DisplayValue:
        key = (customer_id, name)
        if key not in self._values:
            self._values[key] = self._views[customer_id].field(name)
        return self._values[key]

    def output(self, customer_id: int, name: str) -> str | None:
        """The value as the API shows it: clear text, masked text, or None when empty."""
        shown = self.get(customer_id, name)
        if not shown.masked and shown.value is None:
            return None
        return shown.text

    def masked(self, customer_id: int, names: Iterable[str]) -> list[str]:
        return [name for name in names if self.get(customer_id, name).masked]


SENSITIVE_HELP = _("The value in clear if you may see it, otherwise masked (see masked_fields).")
MASKED_FIELDS_HELP = _("The sensitive fields of this object shown masked rather than in clear.")


@extend_schema_field({"type": "string", "nullable": True, "readOnly": True})
class SensitiveValueField(serializers.Field):
    """A customer's sensitive field read through the page's RecordDisplays (context "displays").

    Works on the customer and on its profiles, whose primary key is the customer's.
    """

    def __init__(self, *, sensitive: str, **kwargs):
        self.sensitive = sensitive
        kwargs.update(source="*", read_only=True)
        kwargs.setdefault("help_text", SENSITIVE_HELP)
        super().__init__(**kwargs)

    def to_representation(self, instance):
        return self.context["displays"].output(instance.pk, self.sensitive)


class MaskedFieldsField(serializers.ListField):
    """Names of the object's sensitive fields shown masked."""

    def __init__(self, **kwargs):
        kwargs.update(child=serializers.CharField(), read_only=True, source="*",
                      help_text=MASKED_FIELDS_HELP)
        super().__init__(**kwargs)


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


class BranchSummaryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class StaffSummaryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


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

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_masked_fields(self, customer) -> list[str]:
        return self.context["displays"].masked(customer.pk, LIST_SENSITIVE)


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
    individual = serializers.SerializerMethodField()
    corporate = serializers.SerializerMethodField()
    masked_fields = serializers.SerializerMethodField(help_text=MASKED_FIELDS_HELP)
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


class HoldingOutputSerializer(serializers.Serializer):
    """A holding. Balance and account number follow the customer's `aum` clearance
    (context "aum_clear"); a masked account number shows its last four digits only."""

    id = serializers.IntegerField()
    external_reference = serializers.CharField(allow_null=True)
    product_type = serializers.ChoiceField(choices=ProductType.choices)
    product_name = serializers.CharField()
    account_number = serializers.SerializerMethodField(help_text=SENSITIVE_HELP)
    balance = serializers.SerializerMethodField(help_text=SENSITIVE_HELP)
    currency = serializers.CharField()
    status = serializers.ChoiceField(choices=HoldingStatus.choices)
    opened_on = serializers.DateField()
    matures_on = serializers.DateField(allow_null=True)
    updated_at = serializers.DateTimeField()
    masked_fields = serializers.SerializerMethodField(help_text=MASKED_FIELDS_HELP)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_account_number(self, holding) -> str | None:
        if self.context["aum_clear"]:
            return holding.account_number or None
        return f"****{holding.account_last4}" if holding.account_last4 else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_balance(self, holding) -> str:
        if self.context["aum_clear"]:
            return f"{holding.balance:.2f}"
        return mask_amount(holding.balance)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_masked_fields(self, holding) -> list[str]:
        if self.context["aum_clear"]:
            return []
        return ["account_number", "balance"] if holding.account_last4 else ["balance"]


class _FreeTextMixin:
    """Free text shown in clear only with full clearance (context "free_text_clear")."""

    def _free_text(self, value) -> str | None:
        if value in (None, ""):
            return value
        return value if self.context["free_text_clear"] else mask(value, "text")


class NeedOutputSerializer(_FreeTextMixin, serializers.Serializer):
    id = serializers.IntegerField()
    need_type = serializers.ChoiceField(choices=NeedType.choices)
    status = serializers.ChoiceField(choices=NeedStatus.choices)
    note = serializers.SerializerMethodField(help_text=SENSITIVE_HELP)
    recorded_by = StaffSummaryOutputSerializer(allow_null=True)
    recorded_at = serializers.DateTimeField()
    masked_fields = serializers.SerializerMethodField(help_text=MASKED_FIELDS_HELP)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_note(self, need) -> str | None:
        return self._free_text(need.note)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_masked_fields(self, need) -> list[str]:
        return [] if self.context["free_text_clear"] or not need.note else ["note"]


class InteractionOutputSerializer(_FreeTextMixin, serializers.Serializer):
    id = serializers.IntegerField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    interaction_type = serializers.ChoiceField(choices=InteractionType.choices)
    summary = serializers.SerializerMethodField(help_text=SENSITIVE_HELP)
    staff = StaffSummaryOutputSerializer(allow_null=True)
    system = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    external_reference = serializers.CharField(allow_null=True)
    masked_fields = serializers.SerializerMethodField(help_text=MASKED_FIELDS_HELP)

    @extend_schema_field(OpenApiTypes.STR)
    def get_summary(self, interaction) -> str:
        return self._free_text(interaction.summary)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_masked_fields(self, interaction) -> list[str]:
        return [] if self.context["free_text_clear"] else ["summary"]


class RelatedCustomerOutputSerializer(serializers.Serializer):
    """The customer at the other end; id and number are null when the caller may not see it."""

    id = serializers.IntegerField(allow_null=True)
    number = serializers.CharField(allow_null=True)
    display_name = serializers.CharField()


class RelationshipOutputSerializer(serializers.Serializer):
    """A relationship seen from the customer in the URL.

    `outgoing`: this customer is `kind` of the related one (a director of the company);
    `incoming`: the related customer is `kind` of this one.
    """

    id = serializers.IntegerField()
    direction = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=RelationshipKind.choices)
    role = serializers.CharField()
    share_percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    related_customer = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=["outgoing", "incoming"]))
    def get_direction(self, relationship) -> str:
        return "outgoing" if relationship.from_customer_id == self.context["customer_id"] else "incoming"

    @extend_schema_field(RelatedCustomerOutputSerializer())
    def get_related_customer(self, relationship) -> dict:
        other = (
            relationship.to_customer
            if relationship.from_customer_id == self.context["customer_id"]
            else relationship.from_customer
        )
        if other.pk in self.context["visible_ids"]:
            return {"id": other.pk, "number": other.number, "display_name": other.display_name}
        return {"id": None, "number": None, "display_name": str(ANOTHER_CUSTOMER)}


# ---------------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------------

INVALID_MESSAGES = {
    "phone": _("Enter a valid phone number."),
    "email": _("Enter a valid e-mail address."),
    "national_id": _("Enter a valid ID number."),
    "account_number": _("Enter an account number made of digits."),
}


class StrictInputSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a misspelt or read-only field is an error, not ignored."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("This field cannot be set here.")] for name in unknown}
                )
        return super().to_internal_value(data)


class NormalisedField(serializers.CharField):
    """Text that must normalise for `kind` (compliance.normalise); stored in normalised form,
    so the value and its blind index always agree. Blank becomes None."""

    def __init__(self, *, kind: str, **kwargs):
        self.kind = kind
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("max_length", 320)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        if not text.strip():
            return None
        try:
            return normalise(text, self.kind)
        except ValueError:
            raise serializers.ValidationError(
                INVALID_MESSAGES[self.kind], code=f"invalid_{self.kind}"
            ) from None


class OptionalTextField(serializers.CharField):
    """Optional free text; blank and null become None (the encrypted columns are nullable)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        return text or None


def _not_in_future(value: datetime.date) -> datetime.date:
    if value > timezone.localdate():
        raise serializers.ValidationError(_("The date cannot be in the future."))
    return value


def _plausible_birth_date(value: datetime.date) -> datetime.date:
    _not_in_future(value)
    if value < datetime.date(1900, 1, 1):
        raise serializers.ValidationError(_("Enter a date of birth after 1900."))
    return value


@extend_schema_field(OpenApiTypes.INT)
class ActiveRelationshipManagerField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return get_user_model().objects.filter(
            is_active=True, groups__name=Role.RELATIONSHIP_MANAGER.value
        ).distinct()


@extend_schema_field(OpenApiTypes.INT)
class ActiveBranchField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Branch.objects.filter(is_active=True)


class IndividualProfileInputSerializer(StrictInputSerializer):
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    local_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    date_of_birth = serializers.DateField(required=False, allow_null=True, validators=[_plausible_birth_date])
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
    since = serializers.DateField(required=False, validators=[_not_in_future])
    id_number = NormalisedField(kind="national_id", max_length=40)
    phone = NormalisedField(kind="phone", max_length=40)
    email = NormalisedField(kind="email", max_length=254)
    address = OptionalTextField(max_length=500)
    is_vulnerable = serializers.BooleanField(required=False)
    do_not_contact = serializers.BooleanField(required=False)
    individual = IndividualProfileInputSerializer(required=False)
    corporate = CorporateProfileInputSerializer(required=False)

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


class CustomerUpdateInputSerializer(CustomerDetailsInputSerializer):
    """A partial change. Kind, segment and relationship manager change through their own
    processes (segmentation, reassignment) and are refused here."""

    external_reference = serializers.CharField(max_length=64, required=False, allow_null=True)

    def validate(self, attrs):
        self._check_profile_for_kind(attrs, self.context["kind"], required=False)
        return attrs


class CustomerSearchInputSerializer(StrictInputSerializer):
    """A search term sent in the body, so an exact phone, e-mail or ID never appears in a URL."""

    q = serializers.CharField(max_length=200)


class HoldingInputSerializer(StrictInputSerializer):
    external_reference = serializers.CharField(max_length=64, required=False, allow_null=True)
    product_type = serializers.ChoiceField(choices=ProductType.choices)
    product_name = serializers.CharField(max_length=120)
    account_number = NormalisedField(kind="account_number", max_length=40)
    balance = serializers.DecimalField(max_digits=20, decimal_places=2)
    currency = serializers.RegexField(
        r"^[A-Z]{3}$", required=False,
        error_messages={"invalid": _("Use an ISO 4217 currency code such as CNY.")},
    )
    status = serializers.ChoiceField(choices=HoldingStatus.choices, required=False)
    opened_on = serializers.DateField(validators=[_not_in_future])
    matures_on = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs):
        errors = {}
        matures_on = attrs.get("matures_on")
        if matures_on and matures_on < attrs["opened_on"]:
            errors["matures_on"] = [_("A holding cannot mature before it was opened.")]
        if self.context["kind"] == CustomerKind.INDIVIDUAL and attrs["product_type"] not in RETAIL_PRODUCTS:
            errors["product_type"] = [_("This product is for corporate customers only.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class HoldingUpsertInputSerializer(HoldingInputSerializer):
    """A holding sent for its reference (the reference is in the URL)."""

    external_reference = None


class NeedInputSerializer(StrictInputSerializer):
    need_type = serializers.ChoiceField(choices=NeedType.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    def validate_need_type(self, value):
        if value not in NEEDS_BY_KIND[self.context["kind"]]:
            raise serializers.ValidationError(_("This need is not in the catalogue for this customer."))
        return value


class InteractionInputSerializer(StrictInputSerializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    interaction_type = serializers.ChoiceField(
        choices=InteractionType.choices, default=InteractionType.SERVICE
    )
    summary = serializers.CharField(max_length=4000)
    occurred_at = serializers.DateTimeField(required=False)
    system = serializers.CharField(max_length=60, required=False, allow_blank=True)
    external_reference = serializers.CharField(max_length=64, required=False, allow_null=True)


__all__ = [
    "CustomerCreateInputSerializer",
    "CustomerListOutputSerializer",
    "CustomerOutputSerializer",
    "CustomerSearchInputSerializer",
    "CustomerUpdateInputSerializer",
    "CustomerUpsertInputSerializer",
    "HoldingInputSerializer",
    "HoldingOutputSerializer",
    "HoldingUpsertInputSerializer",
    "InteractionInputSerializer",
    "InteractionOutputSerializer",
    "NeedInputSerializer",
    "NeedOutputSerializer",
    "RecordDisplays",
    "RelationshipOutputSerializer",
    "sees_everything_in_clear",
]
