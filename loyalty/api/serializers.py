"""Input and output serializers of the loyalty API (explicit fields; no personal data: points,
codes and the bank's references)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from customers.api.serializers.common import StaffSummaryOutputSerializer, StrictInputSerializer
from loyalty.models import EntryKind, RedemptionStatus

REFERENCE_PATTERN = r"^[A-Za-z0-9._:/-]{1,64}$"


class PointsSummaryOutputSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    balance = serializers.IntegerField(help_text=_("The ledger's sum (expired lots not yet swept included)."))
    available = serializers.IntegerField(help_text=_("Unexpired points, what may be redeemed."))
    earned_12m = serializers.IntegerField()
    expiring_soon = serializers.IntegerField(help_text=_("Points expiring within 30 days."))
    next_expiry = serializers.DateTimeField(allow_null=True)
    tier = serializers.CharField(allow_null=True, help_text=_("The current tier's code."))


class PointsEntryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    points = serializers.IntegerField()
    activity = serializers.CharField()
    reference = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    recorded_at = serializers.DateTimeField()
    by = StaffSummaryOutputSerializer(source="actor", allow_null=True)


class ActivityInputSerializer(StrictInputSerializer):
    customer = serializers.IntegerField(min_value=1, help_text=_("The customer's id."))
    activity = serializers.RegexField(r"^product:[a-z_]{1,30}$", max_length=40,
                                      help_text=_("product:<product type>"))
    reference = serializers.RegexField(REFERENCE_PATTERN, max_length=64,
                                       help_text=_("The transaction's id in the reporting system."))
    occurred_at = serializers.DateTimeField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0, required=False,
                                      allow_null=True, default=None)


class EarnOutputSerializer(serializers.Serializer):
    customer = serializers.IntegerField(source="customer_id")
    points = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=["earned", "limit_reached", "nothing"])
    entry = serializers.IntegerField(source="entry.pk", allow_null=True, default=None)


class RewardOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    points_cost = serializers.IntegerField()
    stock = serializers.IntegerField(allow_null=True)
    valid_from = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)


class RedemptionInputSerializer(StrictInputSerializer):
    reward = serializers.IntegerField(min_value=1, help_text=_("The reward's id."))


class RedemptionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    customer = serializers.IntegerField(source="customer_id")
    reward = RewardOutputSerializer()
    points = serializers.IntegerField()
    status = serializers.ChoiceField(choices=RedemptionStatus.choices)
    requested_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
