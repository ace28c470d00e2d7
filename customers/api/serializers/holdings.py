"""Holdings: output with the account number through the holding's RecordView and the
balance through the customer's `aum` clearance; input for add and upsert by reference."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from compliance.fields import stored_mask
from customers.api.serializers.common import (
    MASKED_FIELDS_HELP,
    SENSITIVE_HELP,
    UNREADABLE_FIELDS_HELP,
    NormalisedField,
    SensitiveValueField,
    StrictInputSerializer,
    model_max_length,
    not_in_future,
)
from customers.models import RETAIL_PRODUCTS, CustomerKind, Holding, HoldingStatus, ProductType


class HoldingOutputSerializer(serializers.Serializer):
    """A holding as the caller may see it.

    Context: "displays", the page's RecordDisplays of holdings (the account number is clear
    exactly when the trust layer says so), and "customer_view", the customer's RecordView:
    a balance is as sensitive as the assets under management it adds up to, so it is clear
    when `aum` is.
    """

    id = serializers.IntegerField()
    external_reference = serializers.CharField(allow_null=True)
    product_type = serializers.ChoiceField(choices=ProductType.choices)
    product_name = serializers.CharField()
    account_number = SensitiveValueField(sensitive="account_number")
    balance = serializers.SerializerMethodField(help_text=SENSITIVE_HELP)
    currency = serializers.CharField()
    status = serializers.ChoiceField(choices=HoldingStatus.choices)
    opened_on = serializers.DateField()
    matures_on = serializers.DateField(allow_null=True)
    updated_at = serializers.DateTimeField()
    masked_fields = serializers.SerializerMethodField(help_text=MASKED_FIELDS_HELP)
    unreadable_fields = serializers.SerializerMethodField(help_text=UNREADABLE_FIELDS_HELP)

    def _balance_clear(self) -> bool:
        view = self.context["customer_view"]
        if not view.is_clear("aum"):
            return False
        view.field("aum")  # notes the clear read for the audit, once per request
        return True

    @extend_schema_field(OpenApiTypes.STR)
    def get_balance(self, holding) -> str:
        if self._balance_clear():
            return f"{holding.balance:.2f}"
        return stored_mask(holding, "balance", "amount")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_masked_fields(self, holding) -> list[str]:
        masked = self.context["displays"].masked(holding.pk, ["account_number"])
        if not self.context["customer_view"].is_clear("aum"):
            masked.append("balance")
        return masked

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_unreadable_fields(self, holding) -> list[str]:
        return self.context["displays"].unreadable(holding.pk, ["account_number"])


class HoldingInputSerializer(StrictInputSerializer):
    external_reference = serializers.CharField(max_length=64, required=False, allow_null=True)
    product_type = serializers.ChoiceField(choices=ProductType.choices)
    product_name = serializers.CharField(max_length=120)
    account_number = NormalisedField(
        kind="account_number", max_length=model_max_length(Holding, "account_number")
    )
    balance = serializers.DecimalField(max_digits=20, decimal_places=2)
    currency = serializers.RegexField(
        r"^[A-Z]{3}$", required=False,
        error_messages={"invalid": _("Use an ISO 4217 currency code such as CNY.")},
    )
    status = serializers.ChoiceField(choices=HoldingStatus.choices, required=False)
    opened_on = serializers.DateField(validators=[not_in_future])
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
