"""API serializers of the audit trail: explicit fields, output only."""

from __future__ import annotations

from rest_framework import serializers

from compliance.filtersets import MAX_BIGINT
from compliance.models import AuditEvent


class AuditEventOutputSerializer(serializers.ModelSerializer):
    actor_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = AuditEvent
        fields = [
            "sequence",
            "occurred_at",
            "actor_id",
            "actor_username",
            "ip_address",
            "user_agent",
            "request_id",
            "action",
            "object_type",
            "object_id",
            "fields",
            "purpose",
            "extra",
            "previous_hash",
            "hash",
        ]
        read_only_fields = fields


class CustomerAccessInputSerializer(serializers.Serializer):
    customer = serializers.IntegerField(min_value=1, max_value=MAX_BIGINT)


class CustomerAccessActorOutputSerializer(serializers.Serializer):
    actor_id = serializers.IntegerField(allow_null=True)
    actor_username = serializers.CharField()
    first_seen = serializers.DateTimeField()
    last_seen = serializers.DateTimeField()
    events = serializers.IntegerField()
    actions = serializers.ListField(child=serializers.CharField())
    fields = serializers.ListField(child=serializers.CharField())


class CustomerAccessReportOutputSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    actors = CustomerAccessActorOutputSerializer(many=True)
