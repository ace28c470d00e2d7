"""Consent, the contact log and contact holds under customers/{id}/: mixins of the customer
viewset, each reaching its customer through `get_object()`, so a customer the caller may not
see answers 404 here as everywhere. Writes are refused before the body is read, so a refused
caller learns nothing from its errors; then the input is validated and one outreach service
is called."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from crm.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, IDEMPOTENCY_RESPONSES, idempotent
from crm.api.pagination import DefaultCursorPagination
from customers import outreach, permissions
from customers.api import serializers as api
from customers.api.views.common import CUSTOMER_ID, error_responses, service_errors
from customers.models import ConsentEvent, ContactOutcome
from customers.permissions import CustomerAction

HOLD_ID = OpenApiParameter("hold_id", int, OpenApiParameter.PATH, description=gettext_lazy("The hold's id."))


class ContactLogCursorPagination(DefaultCursorPagination):
    """The contact log: newest first."""

    ordering = ("-at", "-pk")


def _consent_output(user, consents: list) -> list:
    events = list(ConsentEvent.objects.filter(pk__in=[consent.event_id for consent in consents])
                  .select_related("customer"))
    displays = api.RecordDisplays.for_records(user, events)
    return api.ConsentOutputSerializer(consents, many=True, context={"displays": displays}).data


def _hold_output(user, holds: list, *, many: bool = True):
    displays = api.RecordDisplays.for_records(user, holds)
    return api.ContactHoldOutputSerializer(holds if many else holds[0], many=many,
                                           context={"displays": displays}).data


class ConsentsMixin:
    """customers/{id}/consents/: the current consent per channel and purpose; grant or withdraw."""

    @extend_schema(
        summary="List a customer's current consents",
        parameters=[CUSTOMER_ID],
        responses={200: api.ConsentOutputSerializer(many=True), **error_responses(404)},
    )
    @action(detail=True, methods=["get"], url_path="consents", filter_backends=[], pagination_class=None)
    def consents(self, request, pk=None):
        customer = self.get_object()
        return Response(_consent_output(request.user, list(outreach.consent_list(customer=customer))))

    @extend_schema(
        summary="Grant or withdraw a consent",
        parameters=[CUSTOMER_ID, IDEMPOTENCY_KEY_PARAMETER],
        request=api.ConsentInputSerializer,
        responses={201: api.ConsentOutputSerializer, **error_responses(400, 403, 404),
                   **IDEMPOTENCY_RESPONSES},
    )
    @consents.mapping.post
    @idempotent
    def consents_create(self, request, pk=None):
        customer = self.get_object()
        permissions.check(request.user, CustomerAction.MANAGE_CONSENT, customer)
        data = api.ConsentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            consent = outreach.consent_record(actor=request.user, customer=customer, **data.validated_data)
        return Response(_consent_output(request.user, [consent])[0], status=status.HTTP_201_CREATED)


class ContactsMixin:
    """customers/{id}/contacts/: every contact the policy was asked about, newest first."""

    @extend_schema(
        summary="List a customer's contact log",
        parameters=[CUSTOMER_ID, OpenApiParameter("outcome", str, enum=ContactOutcome.values)],
        responses={200: api.ContactLogOutputSerializer(many=True), **error_responses(404)},
    )
    @action(detail=True, methods=["get"], url_path="contacts", filter_backends=[],
            pagination_class=ContactLogCursorPagination)
    def contacts(self, request, pk=None):
        customer = self.get_object()
        outcome = request.query_params.get("outcome") or None
        if outcome not in (None, *ContactOutcome.values):
            raise exceptions.ValidationError({"outcome": [_("Choose one of: %(choices)s.") % {
                "choices": ", ".join(ContactOutcome.values)}]})
        queryset = outreach.contact_log_list(customer=customer, outcome=outcome)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(api.ContactLogOutputSerializer(page, many=True).data)


class HoldsMixin:
    """customers/{id}/holds/: list, place; holds/{hold_id}/lift/: lift."""

    @extend_schema(
        summary="List a customer's contact holds",
        parameters=[CUSTOMER_ID],
        responses={200: api.ContactHoldOutputSerializer(many=True), **error_responses(404)},
    )
    @action(detail=True, methods=["get"], url_path="holds", filter_backends=[],
            pagination_class=DefaultCursorPagination)
    def holds(self, request, pk=None):
        customer = self.get_object()
        page = self.paginate_queryset(outreach.contact_hold_list(customer=customer))
        return self.get_paginated_response(_hold_output(request.user, page))

    @extend_schema(
        summary="Place a contact hold",
        parameters=[CUSTOMER_ID, IDEMPOTENCY_KEY_PARAMETER],
        request=api.ContactHoldInputSerializer,
        responses={200: api.ContactHoldOutputSerializer, 201: api.ContactHoldOutputSerializer,
                   **error_responses(400, 403, 404), **IDEMPOTENCY_RESPONSES},
    )
    @holds.mapping.post
    @idempotent
    def holds_create(self, request, pk=None):
        customer = self.get_object()
        permissions.check(request.user, CustomerAction.PLACE_HOLD, customer)
        data = api.ContactHoldInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            hold, created = outreach.contact_hold_place(actor=request.user, customer=customer,
                                                        **data.validated_data)
        return Response(_hold_output(request.user, [hold], many=False),
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        summary="Lift a contact hold",
        parameters=[CUSTOMER_ID, HOLD_ID],
        request=api.ContactHoldLiftInputSerializer,
        responses={200: api.ContactHoldOutputSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path=r"holds/(?P<hold_id>[0-9]+)/lift", url_name="hold-lift",
            filter_backends=[], pagination_class=None)
    def hold_lift(self, request, pk=None, hold_id: str = ""):
        customer = self.get_object()
        permissions.check(request.user, CustomerAction.PLACE_HOLD, customer)
        hold = outreach.contact_hold_list(customer=customer).filter(pk=int(hold_id)).first()
        if hold is None:
            raise Http404
        data = api.ContactHoldLiftInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            hold = outreach.contact_hold_lift(actor=request.user, hold=hold,
                                              reason=data.validated_data["reason"])
        return Response(_hold_output(request.user, [hold], many=False))
