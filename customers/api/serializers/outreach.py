"""Consent, the contact log and contact holds. Evidence references and hold reasons are read
through each record's RecordView (context "displays"); a refusal reads in words in the
caller's language beside its code."""

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
from customers.models import (
    RECORDED_SOURCES,
    ConsentSource,
    ConsentStatus,
    ContactChannel,
    ContactHoldKind,
    ContactOutcome,
    ContactPurpose,
    RefusalCode,
    SenderKind,
)
from customers.outreach import refusal_message


class ConsentOutputSerializer(serializers.Serializer):
    """A current consent and the evidence of the event that set it; context "displays" is the
    page's RecordDisplays of those events."""

    channel = serializers.ChoiceField(choices=ContactChannel.choices)
    purpose = serializers.ChoiceField(choices=ContactPurpose.choices)
    status = serializers.ChoiceField(choices=ConsentStatus.choices)
    source = serializers.ChoiceField(choices=ConsentSource.choices)
    since = serializers.DateTimeField(source="changed_at")
    recorded_by = StaffSummaryOutputSerializer(source="changed_by", allow_null=True)
    event = serializers.IntegerField(source="event_id")
    evidence_reference = serializers.SerializerMethodField(help_text=_(
        "The value in clear if you may see it, otherwise masked (see masked_fields)."))
    masked_fields = serializers.SerializerMethodField(help_text=MASKED_FIELDS_HELP)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_evidence_reference(self, consent) -> str | None:
        return self.context["displays"].output(consent.event_id, "evidence_reference")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_masked_fields(self, consent) -> list[str]:
        return self.context["displays"].masked(consent.event_id, ["evidence_reference"])


class ConsentInputSerializer(StrictInputSerializer):
    status = serializers.ChoiceField(choices=ConsentStatus.choices)
    channel = serializers.ChoiceField(choices=ContactChannel.choices)
    purpose = serializers.ChoiceField(choices=ContactPurpose.choices)
    source = serializers.ChoiceField(choices=RECORDED_SOURCES)
    evidence_reference = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if attrs["status"] == ConsentStatus.GRANTED and not attrs.get("evidence_reference", "").strip():
            raise serializers.ValidationError({"evidence_reference": [
                _("A consent needs its evidence: the form's number or the recording's reference.")]})
        return attrs


class ContactLogOutputSerializer(serializers.Serializer):
    """One contact the policy was asked about: sent, or refused with its code and words."""

    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    channel = serializers.ChoiceField(choices=ContactChannel.choices)
    purpose = serializers.ChoiceField(choices=ContactPurpose.choices)
    legally_required = serializers.BooleanField()
    reason = serializers.CharField()
    sender_kind = serializers.ChoiceField(choices=SenderKind.choices)
    sender_id = serializers.CharField()
    on_behalf_of = StaffSummaryOutputSerializer(source="actor", allow_null=True)
    outcome = serializers.ChoiceField(choices=ContactOutcome.choices)
    refusal_code = serializers.ChoiceField(choices=RefusalCode.choices, allow_blank=True)
    refusal = serializers.SerializerMethodField(help_text=_("Why the customer was not contacted, in words."))

    def get_refusal(self, log) -> str:
        if log.outcome != ContactOutcome.REFUSED:
            return ""
        return refusal_message(log.refusal_code, purpose=log.purpose, channel=log.channel, detail=log.detail)


class ContactHoldOutputSerializer(serializers.Serializer):
    """A contact hold; context "displays" is the page's RecordDisplays of holds."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ContactHoldKind.choices)
    reason = SensitiveValueField(sensitive="reason")
    reference = serializers.CharField()
    placed_by = StaffSummaryOutputSerializer(allow_null=True)
    placed_at = serializers.DateTimeField()
    is_open = serializers.BooleanField()
    lifted_by = StaffSummaryOutputSerializer(allow_null=True)
    lifted_at = serializers.DateTimeField(allow_null=True)
    lift_reason = SensitiveValueField(sensitive="lift_reason")
    masked_fields = serializers.SerializerMethodField(help_text=MASKED_FIELDS_HELP)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_masked_fields(self, hold) -> list[str]:
        return self.context["displays"].masked(hold.pk, ["reason", "lift_reason"])


class ContactHoldInputSerializer(StrictInputSerializer):
    kind = serializers.ChoiceField(choices=ContactHoldKind.choices)
    reason = serializers.CharField(max_length=500)
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class ContactHoldLiftInputSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
