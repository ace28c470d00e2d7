"""Serializers of the follow-up and appointment endpoints: separate input and output, fields
listed. A follow-up's free text (notes, next step, reschedule reason) is never sent back."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from customers.care.reasons import reason_text
from customers.models import Appointment, Channel, FollowUp, FollowUpOutcome, NeedType

WHEN_CHOICES = ("today", "overdue", "upcoming")


class CareCustomerOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    display_name = serializers.CharField()


class FollowUpOutputSerializer(serializers.ModelSerializer):
    customer = CareCustomerOutputSerializer()
    reason_text = serializers.SerializerMethodField()
    open_offers = serializers.SerializerMethodField(help_text=_("The customer's open offer suggestions."))
    top_offer = serializers.SerializerMethodField(help_text=_(
        "The name of the customer's first open suggestion by priority (empty for none)."))

    class Meta:
        model = FollowUp
        fields = ["id", "customer", "reason", "reason_text", "channel", "due_on", "status", "outcome",
                  "needs_discovered", "completed_at", "open_offers", "top_offer"]

    def get_open_offers(self, obj: FollowUp) -> int:
        return getattr(obj, "open_offers", 0) or 0

    def get_top_offer(self, obj: FollowUp) -> str:
        return getattr(obj, "top_offer", None) or ""

    def get_reason_text(self, obj: FollowUp) -> str:
        return reason_text(obj)


class FollowUpListQuerySerializer(serializers.Serializer):
    when = serializers.ChoiceField(choices=WHEN_CHOICES, required=False)


class FollowUpCompleteInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=FollowUpOutcome.choices)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    needs = serializers.ListField(child=serializers.ChoiceField(choices=NeedType.choices), required=False,
                                  default=list, max_length=8)
    next_step = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")
    reschedule_to = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        if attrs["outcome"] == FollowUpOutcome.RESCHEDULED and not attrs.get("reschedule_to"):
            raise serializers.ValidationError({"reschedule_to": [_("Choose the new date.")]})
        return attrs


class FollowUpContactInputSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices, required=False,
                                      help_text=_("The follow-up's own channel when left out."))


class ContactDecisionOutputSerializer(serializers.Serializer):
    """The contact-pressure policy's answer before a follow-up call (logged in the contact log)."""

    allowed = serializers.BooleanField()
    code = serializers.CharField(help_text=_("The refusal's code; empty when allowed."))
    message = serializers.CharField(help_text=_("The answer in words, in the caller's language."))
    retry_at = serializers.DateTimeField(allow_null=True,
                                         help_text=_("When quiet hours end, if they refused."))
    contact_log_id = serializers.IntegerField(source="log.pk")


class FollowUpRescheduleInputSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    reason = serializers.CharField(max_length=1000)


class AppointmentOutputSerializer(serializers.ModelSerializer):
    customer = CareCustomerOutputSerializer()

    class Meta:
        model = Appointment
        fields = ["id", "customer", "follow_up", "starts_at", "ends_at", "place", "cancelled_at"]


class AppointmentInputSerializer(serializers.Serializer):
    customer = serializers.IntegerField(min_value=1)
    follow_up = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    starts_at = serializers.DateTimeField()
    minutes = serializers.IntegerField(min_value=5, max_value=480)
    place = serializers.CharField(max_length=200)
