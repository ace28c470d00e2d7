"""Needs: output with the note through the need's RecordView; input for recording one."""

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
from customers.models import NEEDS_BY_KIND, Need, NeedStatus, NeedType


class NeedOutputSerializer(serializers.Serializer):
    """A need; context "displays" is the page's RecordDisplays of needs."""

    id = serializers.IntegerField()
    need_type = serializers.ChoiceField(choices=NeedType.choices)
    status = serializers.ChoiceField(choices=NeedStatus.choices)
    note = SensitiveValueField(sensitive="note")
    recorded_by = StaffSummaryOutputSerializer(allow_null=True)
    recorded_at = serializers.DateTimeField()
    masked_fields = serializers.SerializerMethodField(help_text=MASKED_FIELDS_HELP)
    unreadable_fields = serializers.SerializerMethodField(help_text=UNREADABLE_FIELDS_HELP)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_masked_fields(self, need) -> list[str]:
        return self.context["displays"].masked(need.pk, ["note"])

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_unreadable_fields(self, need) -> list[str]:
        return self.context["displays"].unreadable(need.pk, ["note"])


class NeedInputSerializer(StrictInputSerializer):
    need_type = serializers.ChoiceField(choices=NeedType.choices)
    note = serializers.CharField(max_length=model_max_length(Need, "note"), required=False, allow_blank=True)

    def validate_need_type(self, value):
        if value not in NEEDS_BY_KIND[self.context["kind"]]:
            raise serializers.ValidationError(_("This need is not in the catalogue for this customer."))
        return value
