"""What hangs off a customer in the API: holdings, needs, relationships and interactions.

Mixins of the customer viewset (their routes sit under customers/{id}/), each reaching its
customer through `get_object()`, so a customer the caller may not see answers 404 here too.
Sensitive values are shown through compliance.access.RecordView (RecordDisplays), which also
notes clear reads for the audit under the child record's own type and id.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from compliance import access
from crm.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, IDEMPOTENCY_RESPONSES, idempotent
from crm.api.pagination import DefaultCursorPagination
from customers import permissions, services
from customers.api import serializers as api
from customers.api.views.common import (
    CUSTOMER_ID,
    REFERENCE_PATTERN,
    REFERENCE_SCHEMA_PATTERN,
    InteractionCursorPagination,
    error_responses,
    service_errors,
)
from customers.models import Customer, Relationship
from customers.permissions import CustomerAction


def _displays(user, records) -> api.RecordDisplays:
    return api.RecordDisplays.for_records(user, records)


class HoldingsMixin:
    """customers/{id}/holdings/: list, add or upsert by reference in the body, put by reference."""

    def _holding_output(self, holdings: list) -> dict:
        return {"displays": _displays(self.request.user, holdings)}

    @extend_schema(
        summary="List a customer's holdings",
        parameters=[CUSTOMER_ID],
        responses={200: api.HoldingOutputSerializer(many=True), **error_responses(404)},
    )
    @action(detail=True, methods=["get"], url_path="holdings", filter_backends=[],
            pagination_class=DefaultCursorPagination)
    def holdings(self, request, pk=None):
        customer = self.get_object()
        page = self.paginate_queryset(customer.holdings.all())
        data = api.HoldingOutputSerializer(page, many=True, context=self._holding_output(page)).data
        return self.get_paginated_response(data)

    def _holding_upsert(self, request, customer: Customer, reference: str | None, serializer_class):
        data = serializer_class(data=request.data, context={"kind": customer.kind})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reference = reference or values.pop("external_reference", None)
        with service_errors():
            holding, created = services.holding_upsert(
                actor=request.user, customer=customer, external_reference=reference, values=values
            )
        context = self._holding_output([holding])
        return Response(
            api.HoldingOutputSerializer(holding, context=context).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Add or update a holding",
        description=str(_("Upserts by `external_reference` when one is sent; without one, adds a holding.")),
        parameters=[CUSTOMER_ID, IDEMPOTENCY_KEY_PARAMETER],
        request=api.HoldingInputSerializer,
        responses={200: api.HoldingOutputSerializer, 201: api.HoldingOutputSerializer,
                   **error_responses(400, 403, 404), **IDEMPOTENCY_RESPONSES},
    )
    @holdings.mapping.post
    @idempotent
    def holdings_create(self, request, pk=None):
        return self._holding_upsert(request, self.get_object(), None, api.HoldingInputSerializer)

    @extend_schema(
        summary="Create or update a holding by core-banking reference",
        parameters=[CUSTOMER_ID, OpenApiParameter("holding_reference", str, OpenApiParameter.PATH,
                                                  pattern=REFERENCE_SCHEMA_PATTERN)],
        request=api.HoldingUpsertInputSerializer,
        responses={200: api.HoldingOutputSerializer, 201: api.HoldingOutputSerializer,
                   **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["put"], url_path=rf"holdings/(?P<holding_reference>{REFERENCE_PATTERN})",
            url_name="holding-by-reference", filter_backends=[], pagination_class=None)
    def holding_by_reference(self, request, pk=None, holding_reference: str = ""):
        return self._holding_upsert(
            request, self.get_object(), holding_reference, api.HoldingUpsertInputSerializer
        )


class NeedsMixin:
    """customers/{id}/needs/: list and record."""

    @extend_schema(
        summary="List a customer's needs",
        parameters=[CUSTOMER_ID],
        responses={200: api.NeedOutputSerializer(many=True), **error_responses(404)},
    )
    @action(detail=True, methods=["get"], url_path="needs", filter_backends=[],
            pagination_class=DefaultCursorPagination)
    def needs(self, request, pk=None):
        customer = self.get_object()
        page = self.paginate_queryset(customer.needs.select_related("recorded_by"))
        context = {"displays": _displays(request.user, page)}
        return self.get_paginated_response(api.NeedOutputSerializer(page, many=True, context=context).data)

    @extend_schema(
        summary="Record a need",
        parameters=[CUSTOMER_ID, IDEMPOTENCY_KEY_PARAMETER],
        request=api.NeedInputSerializer,
        responses={201: api.NeedOutputSerializer, **error_responses(400, 403, 404), **IDEMPOTENCY_RESPONSES},
    )
    @needs.mapping.post
    @idempotent
    def needs_create(self, request, pk=None):
        customer = self.get_object()
        # Refused before the body is read, so a refused caller learns nothing from its errors.
        permissions.check(request.user, CustomerAction.RECORD_NEED, customer)
        data = api.NeedInputSerializer(data=request.data, context={"kind": customer.kind})
        data.is_valid(raise_exception=True)
        with service_errors():
            need = services.need_record(actor=request.user, customer=customer, **data.validated_data)
        context = {"displays": _displays(request.user, [need])}
        return Response(api.NeedOutputSerializer(need, context=context).data, status=status.HTTP_201_CREATED)


class RelationshipsMixin:
    """customers/{id}/relationships/: list, hiding the related customers the caller may not see."""

    @extend_schema(
        summary="List a customer's relationships",
        description=str(_("A related customer you may not see appears as \"Another customer\", without id.")),
        parameters=[CUSTOMER_ID],
        responses={200: api.RelationshipOutputSerializer(many=True), **error_responses(404)},
    )
    @action(detail=True, methods=["get"], url_path="relationships", filter_backends=[],
            pagination_class=DefaultCursorPagination)
    def relationships(self, request, pk=None):
        customer = self.get_object()
        page = self.paginate_queryset(
            Relationship.objects.filter(Q(from_customer=customer) | Q(to_customer=customer))
            .select_related("from_customer", "to_customer")
        )
        others = {
            relationship.to_customer_id if relationship.from_customer_id == customer.pk
            else relationship.from_customer_id
            for relationship in page
        }
        visible = set(
            access.restrict(Customer.objects.filter(pk__in=others), request.user).values_list("pk", flat=True)
        ) if others else set()
        context = {"customer_id": customer.pk, "visible_ids": visible}
        data = api.RelationshipOutputSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)


class InteractionsMixin:
    """customers/{id}/interactions/: the timeline and logging, idempotent by reference."""

    @extend_schema(
        summary="List a customer's interactions, newest first",
        parameters=[CUSTOMER_ID],
        responses={200: api.InteractionOutputSerializer(many=True), **error_responses(404)},
    )
    @action(detail=True, methods=["get"], url_path="interactions", filter_backends=[],
            pagination_class=InteractionCursorPagination)
    def interactions(self, request, pk=None):
        customer = self.get_object()
        page = self.paginate_queryset(customer.interactions.select_related("staff"))
        context = {"displays": _displays(request.user, page)}
        data = api.InteractionOutputSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Log an interaction",
        description=str(_(
            "Channels push interactions here. A retry is harmless with an Idempotency-Key, or with "
            "an `external_reference`: an interaction already logged under it is returned (200)."
        )),
        parameters=[CUSTOMER_ID, IDEMPOTENCY_KEY_PARAMETER],
        request=api.InteractionInputSerializer,
        responses={200: api.InteractionOutputSerializer, 201: api.InteractionOutputSerializer,
                   **error_responses(400, 403, 404), **IDEMPOTENCY_RESPONSES},
    )
    @interactions.mapping.post
    @idempotent
    def interactions_create(self, request, pk=None):
        user = request.user
        customer = self.get_object()
        # Refused before the body is read, so a refused caller learns nothing from its errors.
        permissions.check(user, CustomerAction.LOG_INTERACTION, customer)
        data = api.InteractionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reference = values.pop("external_reference", None)
        with service_errors():
            interaction, created = services.interaction_log_by_reference(
                actor=user, customer=customer, external_reference=reference, **values
            )
        interaction.customer = customer  # the same customer; spares RecordView a query
        context = {"displays": _displays(user, [interaction])}
        return Response(
            api.InteractionOutputSerializer(interaction, context=context).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
