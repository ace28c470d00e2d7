"""The loyalty API under /api/v1/loyalty/: a customer's points and history, product activity
from the bank's systems, rewards and redemptions. Each view fetches the customer through
customers.selectors (404 for one the caller may not see), asks the one policy, validates the
input, calls one service."""

from __future__ import annotations

import contextlib

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.api.idempotency import (
    IDEMPOTENCY_KEY_PARAMETER,
    IDEMPOTENCY_RESPONSES,
    ErrorOutputSerializer,
    idempotent,
    note_subject,
)
from crm.api.pagination import DefaultCursorPagination
from customers import selectors as customer_selectors
from customers.api.views.common import CUSTOMER_ID, error_responses, service_errors
from loyalty import permissions, points, rewards, selectors, tiers
from loyalty.api import serializers as api
from loyalty.models import Reward
from loyalty.permissions import LoyaltyAction

CUSTOMER_TYPE = "customers.customer"
CONFLICT = {422: OpenApiResponse(
    ErrorOutputSerializer, description=_("This reference or key was already used for a different request."))}


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = _("This reference was already used for a different request. Use a new one.")


@contextlib.contextmanager
def ledger_errors():
    """A service's ValidationError as 400 by field, an IdempotencyConflict as 422."""
    try:
        with service_errors():
            yield
    except points.IdempotencyConflict:
        raise KeyReused() from None


def _customer(request, pk) -> object:
    customer = customer_selectors.customer_get(actor=request.user, pk=int(pk))
    note_subject(CUSTOMER_TYPE, customer.pk)
    return customer


def _visible_customer(request, pk):
    """The customer, if the caller may see it and its points; 404 otherwise (a caller who may
    see the customer but not its points is refused with 403)."""
    customer = _customer(request, pk)
    permissions.check(request.user, LoyaltyAction.VIEW_POINTS, customer)
    return customer


class EntryCursorPagination(DefaultCursorPagination):
    ordering = ("-occurred_at", "-id")


class PointsView(APIView):
    """GET customers/{id}/points/: the balance, unexpired points, 12 months' earnings, tier."""

    @extend_schema(summary="A customer's points", parameters=[CUSTOMER_ID],
                   responses={200: api.PointsSummaryOutputSerializer, **error_responses(403, 404)})
    def get(self, request, pk):
        customer = _visible_customer(request, pk)
        summary = selectors.points_summary(actor=request.user, customer=customer)
        tier = tiers.current_tier(customer)
        return Response(api.PointsSummaryOutputSerializer({
            "customer": customer.pk, "balance": summary.balance, "available": summary.available,
            "earned_12m": summary.earned_12m, "expiring_soon": summary.expiring_soon,
            "next_expiry": summary.next_expiry, "tier": tier.code if tier else None}).data)


class PointsHistoryView(APIView):
    """GET customers/{id}/points/history/: the entries, newest first (cursor pages)."""

    pagination_class = EntryCursorPagination

    @extend_schema(summary="A customer's points history",
                   parameters=[CUSTOMER_ID, OpenApiParameter("kind", str, enum=[kind for kind, _l in
                                                                                  selectors.entry_kinds()])],
                   responses={200: api.PointsEntryOutputSerializer(many=True), **error_responses(400, 403,
                                                                                                 404)})
    def get(self, request, pk):
        customer = _visible_customer(request, pk)
        kind = request.query_params.get("kind") or None
        if kind not in (None, *[value for value, _label in selectors.entry_kinds()]):
            raise exceptions.ValidationError({"kind": [_("Choose one of the entry kinds.")]})
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.points_history(actor=request.user, customer=customer,
                                                                    kind=kind), request, view=self)
        return paginator.get_paginated_response(api.PointsEntryOutputSerializer(page, many=True).data)


class ActivityView(APIView):
    """POST activities/: a system reports a product activity that earns points."""

    @extend_schema(summary="Report a product activity that earns points",
                   parameters=[IDEMPOTENCY_KEY_PARAMETER], request=api.ActivityInputSerializer,
                   responses={201: api.EarnOutputSerializer, 200: api.EarnOutputSerializer,
                              **error_responses(400, 403, 404), **IDEMPOTENCY_RESPONSES, **CONFLICT})
    @idempotent
    def post(self, request):
        if not permissions.allows(request.user, LoyaltyAction.EARN_ACTIVITY):
            raise PermissionDenied(permissions.refusal(LoyaltyAction.EARN_ACTIVITY))
        data = api.ActivityInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        customer = _customer(request, values.pop("customer"))
        with ledger_errors():
            result = points.activity_report(actor=request.user, customer=customer, **values)
        return Response(api.EarnOutputSerializer(result).data,
                        status=status.HTTP_200_OK if result.replayed else status.HTTP_201_CREATED)


class RewardsView(APIView):
    """GET customers/{id}/rewards/: the rewards the customer may redeem now."""

    @extend_schema(summary="Rewards a customer may redeem now", parameters=[CUSTOMER_ID],
                   responses={200: api.RewardOutputSerializer(many=True), **error_responses(403, 404)})
    def get(self, request, pk):
        customer = _visible_customer(request, pk)
        return Response(api.RewardOutputSerializer(rewards.rewards_available(customer=customer),
                                                   many=True).data)


class RedemptionsView(APIView):
    """GET customers/{id}/redemptions/: the customer's redemptions; POST: redeem a reward."""

    @extend_schema(summary="A customer's redemptions", parameters=[CUSTOMER_ID],
                   responses={200: api.RedemptionOutputSerializer(many=True), **error_responses(403, 404)})
    def get(self, request, pk):
        customer = _visible_customer(request, pk)
        redemptions = selectors.redemptions_of(actor=request.user, customer=customer, limit=100)
        return Response(api.RedemptionOutputSerializer(redemptions, many=True).data)

    @extend_schema(summary="Redeem a reward for a customer",
                   parameters=[CUSTOMER_ID, IDEMPOTENCY_KEY_PARAMETER], request=api.RedemptionInputSerializer,
                   responses={201: api.RedemptionOutputSerializer, **error_responses(400, 403, 404),
                              **IDEMPOTENCY_RESPONSES})
    @idempotent
    def post(self, request, pk):
        customer = _customer(request, pk)
        permissions.check(request.user, LoyaltyAction.REDEEM, customer)
        data = api.RedemptionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reward = Reward.objects.filter(pk=data.validated_data["reward"], is_active=True).first()
        if reward is None:
            raise exceptions.ValidationError({"reward": [_("No such reward.")]})
        with ledger_errors():
            redemption = rewards.redemption_request(actor=request.user, customer=customer, reward=reward)
        return Response(api.RedemptionOutputSerializer(redemption).data, status=status.HTTP_201_CREATED)


class RedemptionDecisionView(APIView):
    """POST customers/{id}/redemptions/{redemption_id}/fulfil/ or .../cancel/ (the points are
    refunded as a new lot). Idempotent by nature: a redemption already closed answers 400."""

    decision = "fulfil"

    @extend_schema(summary="Fulfil or cancel a redemption",
                   parameters=[CUSTOMER_ID, OpenApiParameter("redemption_id", int, OpenApiParameter.PATH)],
                   request=None, responses={200: api.RedemptionOutputSerializer, **error_responses(400,
                                                                                                   403, 404)})
    def post(self, request, pk, redemption_id):
        customer = _customer(request, pk)
        permissions.check(request.user, LoyaltyAction.REDEEM, customer)
        redemption = selectors.redemption_get(actor=request.user, customer=customer, pk=int(redemption_id))
        decide = rewards.redemption_fulfil if self.decision == "fulfil" else rewards.redemption_cancel
        with ledger_errors():
            redemption = decide(actor=request.user, redemption=redemption)
        return Response(api.RedemptionOutputSerializer(redemption).data)


__all__ = [
    "ActivityView",
    "PointsHistoryView",
    "PointsView",
    "RedemptionDecisionView",
    "RedemptionsView",
    "RewardsView",
]
