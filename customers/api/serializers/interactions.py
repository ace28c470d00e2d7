"""Interactions: output with the summary through the interaction's RecordView; input for
logging one."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.api.serializers.common import (
    MASKED_FIELDS_HELP,
    UNREADABLE_FIELDS_HELP,
    SensitiveValueField,
    StaffSummaryOutputSerializer,
    StrictInputSerializer,
    model_max_length,
)
from customers.models import Channel, Interaction, InteractionType


class InteractionOutputSerializer(serializers.Serializer):
    """An interaction; context "displays" is the page's RecordDisplays of interactions."""

    id = serializers.IntegerField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    interaction_type = serializers.ChoiceField(choices=InteractionType.choices)
    summary = SensitiveValueField(sensitive="summary")
    staff = StaffSummaryOutputSerializer(allow_null=True)
    system = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    external_reference = serializers.CharField(allow_null=True)
    masked_fields = serializers.SerializerMethodField(help_text=MASKED_FIELDS_HELP)
    unreadable_fields = serializers.SerializerMethodField(help_text=UNREADABLE_FIELDS_HELP)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_masked_fields(self, interaction) -> list[str]:
        return self.context["displays"].masked(interaction.pk, ["summary"])

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_unreadable_fields(self, interaction) -> list[str]:
        return self.context["displays"].unreadable(interaction.pk, ["summary"])


class InteractionInputSerializer(StrictInputSerializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    interaction_type = serializers.ChoiceField(
        choices=InteractionType.choices, default=InteractionType.SERVICE
    )
    summary = serializers.CharField(max_length=model_max_length(Interaction, "summary"))
    occurred_at = serializers.DateTimeField(required=False)
    system = serializers.CharField(
        max_length=60, required=False, allow_blank=True,
        help_text=_("The system that logs the interaction in its own name (a channel's service "
                    "account); the interaction then names no staff member. Refused with 403 for "
                    "people: an interaction logged by a person always names them."),
    )
    external_reference = serializers.CharField(max_length=64, required=False, allow_null=True)
