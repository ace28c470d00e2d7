"""Holdings: output with the account number and the balance through the holding's
RecordView; input for add and upsert by reference."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.api.serializers.common import (
    MASKED_FIELDS_HELP,
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

    Context: "displays", the page's RecordDisplays of holdings: the account number and the
    balance are clear exactly when the trust layer says so (a balance when the customer's
    assets under management are).
    """

    id = serializers.IntegerField()
    external_reference = serializers.CharField(allow_null=True)
    product_type = serializers.ChoiceField(choices=ProductType.choices)
    product_name = serializers.CharField()
    account_number = SensitiveValueField(sensitive="account_number")
    balance = SensitiveValueField(sensitive="balance")
    currency = serializers.CharField()
    status = serializers.ChoiceField(choices=HoldingStatus.choices)
    opened_on = serializers.DateField()
    matures_on = serializers.DateField(allow_null=True)
    updated_at = serializers.DateTimeField()
    masked_fields = serializers.SerializerMethodField(help_text=MASKED_FIELDS_HELP)
    unreadable_fields = serializers.SerializerMethodField(help_text=UNREADABLE_FIELDS_HELP)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_masked_fields(self, holding) -> list[str]:
        return self.context["displays"].masked(holding.pk, ["account_number", "balance"])

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
