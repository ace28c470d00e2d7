"""Import jobs in the API: records in, the job's progress and problems out."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm.models import Branch
from customers.intake.columns import problem_message
from customers.intake.records import MAX_RECORDS
from customers.models import ImportJob, ImportKind


class ImportRecordsInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    home_branch = serializers.PrimaryKeyRelatedField(
        queryset=Branch.objects.filter(is_active=True), required=False, allow_null=True,
        help_text=_("Branch of new customers whose record names no branch_code."),
    )
    records = serializers.ListField(
        child=serializers.JSONField(), allow_empty=False, max_length=MAX_RECORDS,
        help_text=_("Objects keyed by the import's column names (as the import page lists them); "
                    "values are text, whole numbers or null, amounts as text."),
    )


class ImportProblemOutputSerializer(serializers.Serializer):
    record = serializers.IntegerField(help_text=_("Position of the record in the request (1 is the first)."))
    field = serializers.CharField(allow_blank=True)
    code = serializers.CharField()
    message = serializers.CharField()
    severity = serializers.ChoiceField(choices=["error", "warning"])


class ImportJobOutputSerializer(serializers.ModelSerializer):
    problems = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id", "kind", "status", "home_branch", "rows_total", "rows_processed", "rows_created",
            "rows_updated", "rows_failed", "problems", "failure_reason", "created_at", "finished_at",
        ]

    @staticmethod
    @extend_schema_field(ImportProblemOutputSerializer(many=True))
    def get_problems(job: ImportJob) -> list[dict]:
        # Stored by row of the job's CSV text: row 1 is the header, so record n is row n + 1.
        return [
            {"record": entry["row"] - 1, "field": entry.get("field", ""), "code": entry.get("code", ""),
             "message": problem_message(entry), "severity": entry.get("severity", "error")}
            for entry in job.errors
        ]
