"""Suitable offers under customers/{id}/offers/ (a mixin of the customer viewset, reaching its
customer through `get_object()`, so a customer the caller may not see answers 404), and the
acceptance rates per rule under offer-acceptance-rates/. Writes are refused before the body
is read, take an Idempotency-Key, and call one offers service."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from crm.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, IDEMPOTENCY_RESPONSES, idempotent
from crm.api.pagination import DefaultCursorPagination
from customers import permissions
from customers.api import serializers as api
from customers.api.views.common import CUSTOMER_ID, error_responses, service_errors
from customers.models import SuggestionStatus
from customers.outreach import offers
from customers.outreach.offers.reasons import reasons_text
from customers.permissions import CustomerAction

SUGGESTION_ID = OpenApiParameter("suggestion_id", int, OpenApiParameter.PATH,
                                 description=gettext_lazy("The suggestion's id."))


class SuggestionCursorPagination(DefaultCursorPagination):
    ordering = ("priority", "-created_at", "-pk")


def _output(user, suggestions: list, *, many: bool = True):
    displays = api.RecordDisplays.for_records(user, suggestions)
    return api.SuggestionOutputSerializer(suggestions if many else suggestions[0], many=many,
                                          context={"displays": displays}).data


class OffersMixin:
    """customers/{id}/offers/: suggestions; offers/considered/: what the rules make of the
    customer now; offers/refresh/; offers/{suggestion_id}/accept/ and dismiss/."""

    @extend_schema(
        summary="List a customer's offer suggestions",
        parameters=[CUSTOMER_ID, OpenApiParameter("status", str, enum=SuggestionStatus.values)],
        responses={200: api.SuggestionOutputSerializer(many=True), **error_responses(400, 404)},
    )
    @action(detail=True, methods=["get"], url_path="offers", filter_backends=[],
            pagination_class=SuggestionCursorPagination)
    def offers(self, request, pk=None):
        customer = self.get_object()
        query = api.SuggestionListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = self.paginate_queryset(offers.suggestion_list(customer=customer,
                                                             status=query.validated_data.get("status")))
        return self.get_paginated_response(_output(request.user, page))

    @extend_schema(
        summary="Products the rules reach for a customer now, suitable or withheld with why",
        parameters=[CUSTOMER_ID],
        responses={200: api.ConsideredOutputSerializer(many=True), **error_responses(403, 404)},
    )
    @action(detail=True, methods=["get"], url_path="offers/considered", url_name="offers-considered",
            filter_backends=[], pagination_class=None)
    def offers_considered(self, request, pk=None):
        customer = self.get_object()
        permissions.check(request.user, CustomerAction.WORK_OFFERS, customer)
        evaluation = offers.customer_evaluation(customer=customer)
        rows = []
        if evaluation is not None:
            rows = [{"product": item.product, "rule": item.rule, "suitable": True, "reasons": item.reasons,
                     "reasons_text": reasons_text(item.reasons)} for item in evaluation.offers]
            rows += [{"product": item.product, "rule": item.rule, "suitable": False, "reasons": item.reasons,
                      "reasons_text": reasons_text(item.reasons, withheld=True)}
                     for item in evaluation.withheld]
        return Response(api.ConsideredOutputSerializer(rows, many=True).data)

    @extend_schema(
        summary="Compute a customer's offer suggestions now",
        parameters=[CUSTOMER_ID, IDEMPOTENCY_KEY_PARAMETER], request=None,
        responses={200: api.SuggestionRefreshOutputSerializer, **error_responses(403, 404),
                   **IDEMPOTENCY_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="offers/refresh", url_name="offers-refresh",
            filter_backends=[], pagination_class=None)
    @idempotent
    def offers_refresh(self, request, pk=None):
        customer = self.get_object()
        permissions.check(request.user, CustomerAction.WORK_OFFERS, customer)
        result = offers.suggestions_refresh(actor=request.user, customer=customer)
        return Response(api.SuggestionRefreshOutputSerializer(result.as_dict()).data)

    def _open_suggestion(self, request, suggestion_id: str):
        customer = self.get_object()
        permissions.check(request.user, CustomerAction.WORK_OFFERS, customer)
        suggestion = offers.suggestion_list(customer=customer).filter(pk=int(suggestion_id)).first()
        if suggestion is None:
            raise Http404
        return suggestion

    @extend_schema(
        summary="Accept an offer suggestion (logged on the timeline)",
        parameters=[CUSTOMER_ID, SUGGESTION_ID, IDEMPOTENCY_KEY_PARAMETER],
        request=api.SuggestionAcceptInputSerializer,
        responses={200: api.SuggestionOutputSerializer, **error_responses(400, 403, 404),
                   **IDEMPOTENCY_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path=r"offers/(?P<suggestion_id>[0-9]+)/accept",
            url_name="offer-accept", filter_backends=[], pagination_class=None)
    @idempotent
    def offer_accept(self, request, pk=None, suggestion_id: str = ""):
        suggestion = self._open_suggestion(request, suggestion_id)
        data = api.SuggestionAcceptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            suggestion = offers.suggestion_accept(actor=request.user, suggestion=suggestion,
                                                  **data.validated_data)
        return Response(_output(request.user, [suggestion], many=False), status=status.HTTP_200_OK)

    @extend_schema(
        summary="Dismiss an offer suggestion, with a reason",
        parameters=[CUSTOMER_ID, SUGGESTION_ID, IDEMPOTENCY_KEY_PARAMETER],
        request=api.SuggestionDismissInputSerializer,
        responses={200: api.SuggestionOutputSerializer, **error_responses(400, 403, 404),
                   **IDEMPOTENCY_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path=r"offers/(?P<suggestion_id>[0-9]+)/dismiss",
            url_name="offer-dismiss", filter_backends=[], pagination_class=None)
    @idempotent
    def offer_dismiss(self, request, pk=None, suggestion_id: str = ""):
        suggestion = self._open_suggestion(request, suggestion_id)
        data = api.SuggestionDismissInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            suggestion = offers.suggestion_dismiss(actor=request.user, suggestion=suggestion,
                                                   **data.validated_data)
        return Response(_output(request.user, [suggestion], many=False), status=status.HTTP_200_OK)


class OfferAcceptanceViewSet(viewsets.ViewSet):
    """offer-acceptance-rates/: per rule, suggestions made and decided, over the customers the
    caller may report on (their branch for a branch manager, every customer for head office)."""

    @extend_schema(summary="Offer acceptance rates per rule",
                   responses={200: api.AcceptanceRateOutputSerializer(many=True), **error_responses(403)})
    def list(self, request):
        permissions.check(request.user, CustomerAction.REPORT_OFFERS)
        return Response(api.AcceptanceRateOutputSerializer(offers.acceptance_rates(actor=request.user),
                                                           many=True).data)
