"""Campaigns, their preview, results and recipients. A recipient shows the customer's id,
number and name (what the caller's customer list shows), never an address."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from customers.api.serializers.common import StaffSummaryOutputSerializer, StrictInputSerializer
from customers.models import (
    CAMPAIGN_CHANNEL_CHOICES,
    CAMPAIGN_PURPOSE_CHOICES,
    CampaignStatus,
    CustomerKind,
    DeliveryOutcome,
    NeedType,
    ProductType,
    RecipientStatus,
    RefusalCode,
    Segment,
)

CHANNEL_CHOICES = CAMPAIGN_CHANNEL_CHOICES
PURPOSE_CHOICES = CAMPAIGN_PURPOSE_CHOICES


def _codes(choices, help_text):
    return serializers.ListField(child=serializers.ChoiceField(choices=choices), required=False, default=list,
                                 max_length=50, help_text=help_text)


class CampaignInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=120)
    channel = serializers.ChoiceField(choices=CHANNEL_CHOICES)
    purpose = serializers.ChoiceField(choices=PURPOSE_CHOICES, required=False, default="marketing")
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                    help_text=_("Needed for e-mail. Placeholders: {name}, {bank}."))
    body = serializers.CharField(max_length=2000, help_text=_("Placeholders: {name}, {bank}."))
    segments = _codes(Segment.choices, _("Any of these segments (empty: any)."))
    kinds = _codes(CustomerKind.choices, _("Any of these kinds (empty: any)."))
    branches = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False,
                                     default=list, max_length=500,
                                     help_text=_("Any of these branch ids (empty: any)."))
    needs = _codes(NeedType.choices, _("Has an open need of any of these types."))
    holds_products = _codes(ProductType.choices, _("Holds any of these product types."))
    lacks_products = _codes(ProductType.choices, _("Holds none of these product types."))
    min_aum = serializers.DecimalField(max_digits=20, decimal_places=2, min_value=0, required=False,
                                       allow_null=True, default=None)


class CampaignOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    branch = serializers.IntegerField(
        source="branch_id", allow_null=True,
        help_text=_("The branch the campaign belongs to; null: the whole bank."))
    channel = serializers.ChoiceField(choices=CHANNEL_CHOICES)
    purpose = serializers.ChoiceField(choices=PURPOSE_CHOICES)
    status = serializers.ChoiceField(choices=CampaignStatus.choices)
    segments = serializers.ListField(child=serializers.CharField())
    kinds = serializers.ListField(child=serializers.CharField())
    branches = serializers.ListField(child=serializers.IntegerField())
    needs = serializers.ListField(child=serializers.CharField())
    holds_products = serializers.ListField(child=serializers.CharField())
    lacks_products = serializers.ListField(child=serializers.CharField())
    min_aum = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    subject = serializers.CharField()
    body = serializers.CharField()
    send_at = serializers.DateTimeField(allow_null=True)
    audience_estimate = serializers.IntegerField(allow_null=True)
    created_by = StaffSummaryOutputSerializer()
    created_at = serializers.DateTimeField()
    approved_by = StaffSummaryOutputSerializer(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)


class PreviewOutputSerializer(serializers.Serializer):
    targeted = serializers.IntegerField()
    eligible = serializers.IntegerField()
    excluded = serializers.DictField(child=serializers.IntegerField(), help_text=_(
        "Customers excluded now, by the policy's refusal code (quiet hours defer and exclude nobody)."))
    approval_needed = serializers.BooleanField()


class ScheduleInputSerializer(StrictInputSerializer):
    send_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                        help_text=_("When to start (empty or past: now)."))


class RecipientOutputSerializer(serializers.Serializer):
    customer = serializers.IntegerField(source="customer_id")
    customer_number = serializers.CharField(source="customer.number")
    customer_name = serializers.CharField(source="customer.display_name")
    status = serializers.ChoiceField(choices=RecipientStatus.choices)
    refusal_code = serializers.ChoiceField(choices=RefusalCode.choices, allow_blank=True)
    retry_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    delivery = serializers.ChoiceField(choices=DeliveryOutcome.choices, allow_blank=True)
    responded_at = serializers.DateTimeField(allow_null=True)
    converted_at = serializers.DateTimeField(allow_null=True)


class ResultsOutputSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    blocked_by_reason = serializers.DictField(child=serializers.IntegerField())
    responded = serializers.IntegerField()
    converted = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    conversion_rate = serializers.FloatField(allow_null=True)


class ResponseInputSerializer(StrictInputSerializer):
    customer = serializers.IntegerField(min_value=1, help_text=_("The recipient's customer id."))
    outcome = serializers.ChoiceField(choices=[("responded", _("Responded")), ("converted", _("Converted"))])
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)
