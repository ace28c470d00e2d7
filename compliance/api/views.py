"""API of the audit trail: the event list and the customer access report, both audited."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from compliance.api.serializers import (
    AuditEventOutputSerializer,
    CustomerAccessInputSerializer,
    CustomerAccessReportOutputSerializer,
)
from compliance.audit import audit_record
from compliance.filtersets import AuditEventFilterSet
from compliance.models import AuditAction, AuditEvent
from compliance.permissions import IsComplianceOfficer
from compliance.selectors import audit_customer_access_report
from crm.api.idempotency import ErrorOutputSerializer
from crm.api.pagination import DefaultCursorPagination

REFUSED = {
    400: OpenApiResponse(ErrorOutputSerializer, description=_("Invalid filters.")),
    403: OpenApiResponse(ErrorOutputSerializer, description=_(
        "Only compliance officers read the audit trail: other signed-in users get 403.")),
}


class AuditEventCursorPagination(DefaultCursorPagination):
    """Newest first by sequence, the trail's primary key."""

    ordering = "-sequence"


@extend_schema_view(
    list=extend_schema(
        summary="List audit events",
        description=str(_("Newest first, filtered as on the audit page. Compliance officers only; "
                          "every search is itself recorded in the trail.")),
        responses={200: AuditEventOutputSerializer(many=True), **REFUSED},
    ),
)
class AuditEventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The audit trail, newest first, filtered like the browser page. Compliance officers only."""

    queryset = AuditEvent.objects.all()
    serializer_class = AuditEventOutputSerializer
    permission_classes = [IsAuthenticated, IsComplianceOfficer]
    filterset_class = AuditEventFilterSet
    pagination_class = AuditEventCursorPagination

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        # The backend has validated the same filters already (invalid ones answer 400).
        filterset = AuditEventFilterSet(request.query_params, queryset=self.get_queryset())
        filterset.is_valid()
        audit_record(
            actor=request.user,
            action=AuditAction.AUDIT_SEARCHED,
            extra=filterset.audit_extra(channel="api"),
        )
        return response

    @extend_schema(
        parameters=[CustomerAccessInputSerializer],
        responses={200: CustomerAccessReportOutputSerializer, **REFUSED},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="customer-access",
        url_name="customer-access",
        filter_backends=[],
        pagination_class=None,
    )
    def customer_access(self, request):
        """Who saw or touched one customer's data (`?customer=<id>`), grouped by actor."""
        data = CustomerAccessInputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        customer_id = data.validated_data["customer"]
        rows = audit_customer_access_report(customer_id=customer_id)
        audit_record(
            actor=request.user,
            action=AuditAction.AUDIT_REPORT_VIEWED,
            extra={"report": "customer_access", "customer_id": customer_id, "channel": "api"},
        )
        return Response(
            CustomerAccessReportOutputSerializer({"customer": customer_id, "actors": rows}).data
        )
