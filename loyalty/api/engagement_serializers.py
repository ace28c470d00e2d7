"""Input and output serializers of the engagement API. Outputs list their fields; a customer
appears by id and number only, and a survey answer's free text as the trust layer shows it to
the caller (context "views": answer id -> RecordView)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.models import Segment
from loyalty.models import Event, EventKind, EventRegistration, SurveyResponse


class EventOutputSerializer(serializers.ModelSerializer):
    branch = serializers.CharField(source="branch.code", read_only=True)
    seated = serializers.IntegerField(read_only=True, help_text=_("Seats taken (registered or attended)."))
    waitlisted = serializers.IntegerField(read_only=True)
    attended = serializers.IntegerField(read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "kind",
            "title",
            "description",
            "branch",
            "starts_at",
            "ends_at",
            "place",
            "online_link",
            "capacity",
            "eligible_tiers",
            "eligible_segments",
            "status",
            "seated",
            "waitlisted",
            "attended",
        ]
        read_only_fields = fields


class EventInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EventKind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    online_link = serializers.URLField(max_length=300, required=False, allow_blank=True, default="")
    capacity = serializers.IntegerField(min_value=1, max_value=100000)
    eligible_tiers = serializers.ListField(
        child=serializers.CharField(max_length=16), required=False, default=list, max_length=20
    )
    eligible_segments = serializers.ListField(
        child=serializers.ChoiceField(choices=Segment.choices),
        required=False,
        default=list,
        max_length=len(Segment.choices),
    )


class RegistrationOutputSerializer(serializers.ModelSerializer):
    customer_number = serializers.CharField(source="customer.number", read_only=True)

    class Meta:
        model = EventRegistration
        fields = [
            "id",
            "event",
            "customer",
            "customer_number",
            "status",
            "check_in_code",
            "registered_at",
            "checked_in_at",
            "completed_at",
            "cancelled_at",
        ]
        read_only_fields = fields


class RegistrationInputSerializer(serializers.Serializer):
    customer = serializers.IntegerField(min_value=1, max_value=2**62)


class CheckInInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20)


class AnswerOutputSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question_id")
    kind = serializers.CharField(source="question.kind")
    score = serializers.IntegerField(allow_null=True)
    text = serializers.SerializerMethodField(
        help_text=_("The free-text answer, masked unless you see the customer in clear.")
    )

    def get_text(self, answer) -> str | None:
        if answer.score is not None:
            return None
        return str(self.context["views"][answer.pk].field("text"))


class SurveyResponseOutputSerializer(serializers.ModelSerializer):
    customer_number = serializers.CharField(source="customer.number", read_only=True)
    answers = serializers.SerializerMethodField()
    follow_up_status = serializers.CharField(source="follow_up.status", read_only=True, default=None)
    follow_up_outcome = serializers.CharField(source="follow_up.outcome", read_only=True, default=None)

    class Meta:
        model = SurveyResponse
        fields = [
            "id",
            "customer",
            "customer_number",
            "trigger",
            "language",
            "nps_score",
            "csat_score",
            "is_detractor",
            "follow_up",
            "follow_up_status",
            "follow_up_outcome",
            "branch",
            "segment",
            "channel",
            "submitted_at",
            "answers",
        ]
        read_only_fields = fields

    @extend_schema_field(AnswerOutputSerializer(many=True))
    def get_answers(self, response) -> list[dict]:
        return AnswerOutputSerializer(response.answers.all(), many=True, context=self.context).data
