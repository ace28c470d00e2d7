"""campaigns/: list, prepare, read; preview; submit, approve, launch (schedule), cancel;
recipients (cursor pages); results; responses reported by core banking, the app or staff.
POSTs take an Idempotency-Key.

A campaign the caller may not see answers 404 (the same as a missing one); a step the caller
may not take on a campaign they see, 403 before the body is read.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from crm.api.idempotency import (
    IDEMPOTENCY_KEY_PARAMETER,
    IDEMPOTENCY_RESPONSES,
    ErrorOutputSerializer,
    idempotent,
    note_subject,
)
from crm.api.pagination import DefaultCursorPagination
from customers import permissions
from customers.api.serializers import campaigns as api
from customers.api.views.common import error_responses, service_errors
from customers.models import Campaign, RecipientStatus
from customers.outreach import campaigns
from customers.permissions import CampaignAction

ERRORS = {
    **error_responses(400, 403),
    404: OpenApiResponse(ErrorOutputSerializer,
                         description=gettext_lazy("No such campaign (or not yours to see).")),
}


def errors(*codes: int) -> dict:
    return {code: ERRORS[code] for code in codes}


class CampaignCursorPagination(DefaultCursorPagination):
    ordering = ("-created_at", "-pk")


class RecipientCursorPagination(DefaultCursorPagination):
    ordering = ("customer_id",)


STEP = {"parameters": [IDEMPOTENCY_KEY_PARAMETER],
        "responses": {200: api.CampaignOutputSerializer, **errors(400, 403, 404), **IDEMPOTENCY_RESPONSES}}


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Campaigns the caller may see: a branch's for its manager, every one for head office."""

    serializer_class = api.CampaignOutputSerializer
    pagination_class = CampaignCursorPagination
    filter_backends: list = []

    def get_queryset(self):
        if self.action == "list":
            permissions.check(self.request.user, CampaignAction.VIEW)
            return campaigns.campaign_list(actor=self.request.user)
        return Campaign.objects.none()

    def get_object(self) -> Campaign:
        try:
            campaign = campaigns.campaign_get(actor=self.request.user, pk=int(self.kwargs["pk"]))
        except (Campaign.DoesNotExist, ValueError):
            raise Http404 from None
        note_subject(Campaign._meta.label_lower, campaign.pk)
        return campaign

    def _output(self, campaign: Campaign, code: int = status.HTTP_200_OK) -> Response:
        return Response(api.CampaignOutputSerializer(campaign).data, status=code)

    @extend_schema(summary="List campaigns", responses={200: api.CampaignOutputSerializer(many=True),
                                                        **errors(403)})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="A campaign", responses={200: api.CampaignOutputSerializer, **errors(404)})
    def retrieve(self, request, *args, **kwargs):
        return self._output(self.get_object())

    @extend_schema(summary="Prepare a campaign (a draft)", parameters=[IDEMPOTENCY_KEY_PARAMETER],
                   request=api.CampaignInputSerializer,
                   responses={201: api.CampaignOutputSerializer, **errors(400, 403), **IDEMPOTENCY_RESPONSES})
    @idempotent
    def create(self, request, *args, **kwargs):
        permissions.check(request.user, CampaignAction.MANAGE)
        data = api.CampaignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            campaign = campaigns.campaign_create(actor=request.user, values=data.validated_data)
        note_subject(Campaign._meta.label_lower, campaign.pk)
        return self._output(campaign, status.HTTP_201_CREATED)

    @extend_schema(summary="How many customers the campaign may contact now, and why not the others",
                   responses={200: api.PreviewOutputSerializer, **errors(404)})
    @action(detail=True, methods=["get"], url_path="preview")
    def preview(self, request, pk=None):
        campaign = self.get_object()
        preview = campaigns.preview(campaign)
        return Response(api.PreviewOutputSerializer({
            **preview.as_dict(), "approval_needed": preview.eligible > campaigns.approval_threshold()}).data)

    def _manageable(self, action_name: str = CampaignAction.MANAGE) -> Campaign:
        campaign = self.get_object()
        permissions.check(self.request.user, action_name, campaign)
        return campaign

    @extend_schema(summary="Submit a draft (approved at once when small)", request=None, **STEP)
    @action(detail=True, methods=["post"], url_path="submit")
    @idempotent
    def submit(self, request, pk=None):
        campaign = self._manageable()
        with service_errors():
            campaign = campaigns.campaign_submit(actor=request.user, campaign=campaign)
        return self._output(campaign)

    @extend_schema(summary="Approve a large campaign someone else prepared", request=None, **STEP)
    @action(detail=True, methods=["post"], url_path="approve")
    @idempotent
    def approve(self, request, pk=None):
        campaign = self._manageable(CampaignAction.APPROVE)
        with service_errors():
            campaign = campaigns.campaign_approve(actor=request.user, campaign=campaign)
        return self._output(campaign)

    @extend_schema(summary="Launch an approved campaign now or at send_at",
                   request=api.ScheduleInputSerializer, **STEP)
    @action(detail=True, methods=["post"], url_path="launch")
    @idempotent
    def launch(self, request, pk=None):
        campaign = self._manageable()
        data = api.ScheduleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            campaign = campaigns.campaign_schedule(actor=request.user, campaign=campaign,
                                                   send_at=data.validated_data["send_at"])
        return self._output(campaign)

    @extend_schema(summary="Cancel a campaign: nothing more is sent", request=None, **STEP)
    @action(detail=True, methods=["post"], url_path="cancel")
    @idempotent
    def cancel(self, request, pk=None):
        campaign = self._manageable()
        with service_errors():
            campaign = campaigns.campaign_cancel(actor=request.user, campaign=campaign)
        return self._output(campaign)

    @extend_schema(summary="The campaign's recipients you may see",
                   parameters=[OpenApiParameter("status", str, enum=RecipientStatus.values)],
                   responses={200: api.RecipientOutputSerializer(many=True), **errors(400, 404)})
    @action(detail=True, methods=["get"], url_path="recipients", pagination_class=RecipientCursorPagination)
    def recipients(self, request, pk=None):
        campaign = self.get_object()
        wanted = request.query_params.get("status") or None
        if wanted not in (None, *RecipientStatus.values):
            raise exceptions.ValidationError({"status": [_("Choose one of: %(choices)s.") % {
                "choices": ", ".join(RecipientStatus.values)}]})
        queryset = campaigns.campaign_recipients(actor=request.user, campaign=campaign, status=wanted)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(api.RecipientOutputSerializer(page, many=True).data)

    @extend_schema(summary="The campaign's figures", responses={200: api.ResultsOutputSerializer,
                                                               **errors(404)})
    @action(detail=True, methods=["get"], url_path="results")
    def results(self, request, pk=None):
        campaign = self.get_object()
        results = campaigns.campaign_results(campaign=campaign)
        return Response(api.ResultsOutputSerializer(results.as_dict()).data)

    @extend_schema(summary="Report that a recipient responded or converted",
                   parameters=[IDEMPOTENCY_KEY_PARAMETER], request=api.ResponseInputSerializer,
                   responses={200: api.RecipientOutputSerializer, **errors(400, 403, 404),
                              **IDEMPOTENCY_RESPONSES})
    @action(detail=True, methods=["post"], url_path="responses")
    @idempotent
    def responses(self, request, pk=None):
        campaign = self._manageable(CampaignAction.RECORD_RESPONSE)
        data = api.ResponseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if not campaigns.campaign_recipients(actor=request.user, campaign=campaign).filter(
                customer_id=values["customer"]).exists():
            raise exceptions.ValidationError({"customer": [_("This customer was not sent the campaign.")]})
        with service_errors():
            recipient = campaigns.campaign_response_record(actor=request.user, campaign=campaign,
                                                           customer_id=values["customer"],
                                                           outcome=values["outcome"], at=values["at"])
        return Response(api.RecipientOutputSerializer(recipient).data)
