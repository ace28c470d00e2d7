"""privacy-requests/: digital channels log a verified request (a service account holding
`compliance.submit_privacyrequest`, with an Idempotency-Key); compliance officers list and read
them with their clocks. Answering, extending and exports are done in the compliance pages."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from compliance.privacy import permissions, selectors, services
from compliance.privacy.clock import request_clock
from compliance.privacy.models import PrivacyRequest, RequestChannel, RequestKind, RequestStatus, Verification
from compliance.privacy.registry import subject_types
from crm.api.idempotency import (
    IDEMPOTENCY_KEY_PARAMETER,
    IDEMPOTENCY_RESPONSES,
    ErrorOutputSerializer,
    idempotent,
)
from crm.api.pagination import DefaultCursorPagination


class PrivacyRequestInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RequestKind.choices)
    subject_type = serializers.CharField(max_length=40, default="customers.customer")
    subject_reference = serializers.CharField(max_length=40, help_text=_("The customer number."))
    channel = serializers.ChoiceField(choices=RequestChannel.choices)
    verification = serializers.ChoiceField(choices=Verification.choices)
    verification_reference = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    details = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    by_representative = serializers.BooleanField(required=False, default=False)
    received_on = serializers.DateField(required=False, allow_null=True, default=None)


class PrivacyRequestOutputSerializer(serializers.Serializer):
    reference = serializers.CharField()
    kind = serializers.ChoiceField(choices=RequestKind.choices)
    subject_type = serializers.CharField()
    channel = serializers.ChoiceField(choices=RequestChannel.choices)
    received_on = serializers.DateField()
    due_on = serializers.DateField()
    extended = serializers.BooleanField()
    profile = serializers.CharField(source="profile.code")
    status = serializers.ChoiceField(choices=RequestStatus.choices)
    clock = serializers.SerializerMethodField(help_text=_("on_track, warning, breached or closed"))
    days_left = serializers.SerializerMethodField()

    def get_clock(self, request) -> str:
        return request_clock(request, timezone.localdate()).state

    def get_days_left(self, request) -> int:
        return request_clock(request, timezone.localdate()).days_left


class MaySubmitOrHandle(BasePermission):
    def has_permission(self, request, view) -> bool:
        if view.action == "create":
            return permissions.may_submit(request.user)
        return permissions.may_handle(request.user)


class PrivacyRequestCursorPagination(DefaultCursorPagination):
    ordering = ("due_on", "id")


REFUSED = {
    400: OpenApiResponse(ErrorOutputSerializer, description=_("Invalid fields.")),
    403: OpenApiResponse(
        ErrorOutputSerializer,
        description=_(
            "Only compliance officers read requests; only they and digital channels holding the "
            "permission log one."),
    ),
    404: OpenApiResponse(ErrorOutputSerializer, description=_("No such request.")),
}


class PrivacyRequestViewSet(viewsets.GenericViewSet):
    serializer_class = PrivacyRequestOutputSerializer
    permission_classes = [MaySubmitOrHandle]
    pagination_class = PrivacyRequestCursorPagination
    filter_backends: list = []
    lookup_field = "reference"
    lookup_value_regex = r"PR-\d{4}-\d{6}"

    def get_queryset(self):
        status_filter = self.request.query_params.get("status", "open")
        return selectors.request_queryset(user=self.request.user, status=status_filter)

    @extend_schema(
        summary="List privacy requests with their clocks",
        parameters=[OpenApiParameter("status", str, enum=list(selectors.STATUS_FILTERS))],
        responses={200: PrivacyRequestOutputSerializer(many=True), **REFUSED},
    )
    def list(self, request):
        status_filter = request.query_params.get("status", "open")
        if status_filter not in selectors.STATUS_FILTERS:
            raise serializers.ValidationError({"status": [_("Choose open, completed, refused or all.")]})
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(summary="A privacy request", responses={200: PrivacyRequestOutputSerializer, **REFUSED})
    def retrieve(self, request, reference=None):
        try:
            item = selectors.request_get(user=request.user, reference=reference)
        except PrivacyRequest.DoesNotExist:
            raise Http404 from None
        return Response(self.get_serializer(item).data)

    @extend_schema(
        summary="Log a verified privacy request",
        request=PrivacyRequestInputSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: PrivacyRequestOutputSerializer, **REFUSED, **IDEMPOTENCY_RESPONSES},
    )
    @idempotent
    def create(self, request):
        data = PrivacyRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values["subject_type"] not in {item.name for item in subject_types()}:
            raise serializers.ValidationError({"subject_type": [_("Unknown kind of data subject.")]})
        logged = services.request_log(
            actor=request.user,
            kind=values["kind"],
            subject_type_name=values["subject_type"],
            subject_reference=values["subject_reference"],
            channel=values["channel"],
            verification=values["verification"],
            verification_reference=values["verification_reference"],
            details=values["details"],
            by_representative=values["by_representative"],
            received_on=values["received_on"],
        )
        return Response(PrivacyRequestOutputSerializer(logged).data, status=status.HTTP_201_CREATED)
