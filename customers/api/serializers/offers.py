"""Suitable offers: a customer's suggestions (the decision note read through the page's
RecordDisplays, context "displays"), the products considered now, the decisions, and the
acceptance rates per rule. Reasons come as codes with their parameters and in words in the
caller's language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.api.serializers.common import (
    MASKED_FIELDS_HELP,
    SensitiveValueField,
    StaffSummaryOutputSerializer,
    StrictInputSerializer,
)
from customers.models import Channel, DismissReason, ProductType, RiskLevel, SuggestionStatus
from customers.outreach.offers import reasons_text


class ReasonOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    params = serializers.DictField(child=serializers.JSONField(), help_text=_(
        "Non-identifying parameters of the reason: a need type, a rule's threshold, a risk level."))


class OfferProductOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    product_type = serializers.ChoiceField(choices=ProductType.choices)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)


class SuggestionOutputSerializer(serializers.Serializer):
    """A suggestion and its decision; context "displays" is the page's RecordDisplays."""

    id = serializers.IntegerField()
    product = OfferProductOutputSerializer()
    rule = serializers.IntegerField(source="rule_id")
    rule_version = serializers.IntegerField()
    priority = serializers.IntegerField()
    status = serializers.ChoiceField(choices=SuggestionStatus.choices)
    reasons = ReasonOutputSerializer(many=True)
    reasons_text = serializers.SerializerMethodField(help_text=_("Why it was suggested, in words."))
    created_at = serializers.DateTimeField()
    decided_by = StaffSummaryOutputSerializer(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.ChoiceField(choices=DismissReason.choices, allow_blank=True)
    decision_note = SensitiveValueField(sensitive="decision_note")
    interaction = serializers.IntegerField(source="interaction_id", allow_null=True)
    masked_fields = serializers.SerializerMethodField(help_text=MASKED_FIELDS_HELP)

    def get_reasons_text(self, suggestion) -> str:
        return reasons_text(suggestion.reasons)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_masked_fields(self, suggestion) -> list[str]:
        return self.context["displays"].masked(suggestion.pk, ["decision_note"])


class ConsideredOutputSerializer(serializers.Serializer):
    """A product the active rules reach for the customer now: suitable (offered) or withheld."""

    product = OfferProductOutputSerializer()
    rule = serializers.IntegerField(source="rule.pk")
    suitable = serializers.BooleanField()
    reasons = ReasonOutputSerializer(many=True)
    reasons_text = serializers.CharField(help_text=_("Why it is suggested, or why it is not offered."))


class SuggestionListQuerySerializer(StrictInputSerializer):
    status = serializers.ChoiceField(choices=SuggestionStatus.choices, required=False)


class SuggestionAcceptInputSerializer(StrictInputSerializer):
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default=Channel.BRANCH)


class SuggestionDismissInputSerializer(StrictInputSerializer):
    reason = serializers.ChoiceField(choices=DismissReason.choices)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class SuggestionRefreshOutputSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    expired = serializers.IntegerField()


class AcceptanceRateOutputSerializer(serializers.Serializer):
    rule = serializers.IntegerField()
    rule_name = serializers.CharField()
    rule_version = serializers.IntegerField()
    product_code = serializers.CharField()
    product_name = serializers.CharField()
    total = serializers.IntegerField()
    open = serializers.IntegerField()
    accepted = serializers.IntegerField()
    dismissed = serializers.IntegerField()
    expired = serializers.IntegerField()
    acceptance_rate = serializers.FloatField(allow_null=True, help_text=_(
        "Accepted out of accepted or dismissed, from 0 to 1; null before any decision."))
