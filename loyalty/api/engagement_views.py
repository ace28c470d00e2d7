"""The engagement API under /api/v1/loyalty/: events (list, read, create), an event's
registrations (list, register), check-in by code, cancelling a registration, and survey
responses (read). Writes take an Idempotency-Key; each view validates its input and calls one
service. An event outside the caller's branch, or a registration or response of a customer
they may not see, answers 404; an action they may not take, 403 before the body is read."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from compliance import access
from compliance.access import RecordView
from crm.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, IDEMPOTENCY_RESPONSES, idempotent, note_subject
from crm.api.pagination import DefaultCursorPagination
from customers import selectors as customer_selectors
from customers.api.views.common import error_responses, service_errors
from loyalty.api import engagement_serializers as api
from loyalty.events import selectors, services
from loyalty.models import EventRegistration, SurveyResponse
from loyalty.permissions_engagement import EngagementAction, check


class EventCursorPagination(DefaultCursorPagination):
    ordering = ("starts_at", "pk")


class RegistrationCursorPagination(DefaultCursorPagination):
    ordering = ("registered_at", "pk")


def _registration_output(registration) -> dict:
    note_subject(EventRegistration._meta.label_lower, registration.pk)
    return api.RegistrationOutputSerializer(registration).data


class EventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Events of the caller's branch (every branch's for head office), soonest first."""

    serializer_class = api.EventOutputSerializer
    pagination_class = EventCursorPagination
    filter_backends: list = []

    def get_queryset(self):
        return selectors.event_list(
            actor=self.request.user,
            upcoming_only=self.action == "list" and self.request.query_params.get("all") != "1",
        )

    def get_object(self):
        try:
            return selectors.event_get(actor=self.request.user, pk=int(self.kwargs["pk"]))
        except ValueError:
            raise Http404 from None

    @extend_schema(
        summary="List events",
        parameters=[OpenApiParameter("all", str, enum=["1"])],
        responses={200: api.EventOutputSerializer(many=True)},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="An event", responses={200: api.EventOutputSerializer, **error_responses(404)})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Create an event of your branch",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=api.EventInputSerializer,
        responses={201: api.EventOutputSerializer, **error_responses(400, 403), **IDEMPOTENCY_RESPONSES},
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        profile = getattr(request.user, "staff_profile", None)
        branch = profile.branch if profile is not None and profile.branch_id else None
        check(request.user, EngagementAction.MANAGE_EVENTS, branch)
        data = api.EventInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            event = services.event_create(actor=request.user, branch=branch, **data.validated_data)
        note_subject("loyalty.event", event.pk)
        event = selectors.event_get(actor=request.user, pk=event.pk)
        return Response(api.EventOutputSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="List an event's registrations (of customers you see)",
        responses={200: api.RegistrationOutputSerializer(many=True), **error_responses(404)},
    )
    @action(
        detail=True, methods=["get"], url_path="registrations", pagination_class=RegistrationCursorPagination
    )
    def registrations(self, request, pk=None):
        event = self.get_object()
        page = self.paginate_queryset(selectors.registration_list(actor=request.user, event=event))
        return self.get_paginated_response(api.RegistrationOutputSerializer(page, many=True).data)

    @extend_schema(
        summary="Register a customer (a seat, or the waiting list)",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=api.RegistrationInputSerializer,
        responses={
            201: api.RegistrationOutputSerializer,
            **error_responses(400, 403, 404),
            **IDEMPOTENCY_RESPONSES,
        },
    )
    @registrations.mapping.post
    @idempotent
    def registrations_create(self, request, pk=None):
        event = self.get_object()
        data = api.RegistrationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer = customer_selectors.customer_get(actor=request.user, pk=data.validated_data["customer"])
        check(request.user, EngagementAction.REGISTER_FOR_EVENT, customer)
        with service_errors():
            registration = services.registration_create(actor=request.user, event=event, customer=customer)
        return Response(_registration_output(registration), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Check in the holder of a code",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=api.CheckInInputSerializer,
        responses={
            200: api.RegistrationOutputSerializer,
            **error_responses(400, 403, 404),
            **IDEMPOTENCY_RESPONSES,
        },
    )
    @action(detail=True, methods=["post"], url_path="check-in")
    @idempotent
    def check_in(self, request, pk=None):
        event = self.get_object()
        check(request.user, EngagementAction.MANAGE_EVENTS, event.branch)
        data = api.CheckInInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            registration = services.check_in(
                actor=request.user, event=event, code=data.validated_data["code"]
            )
        return Response(_registration_output(registration))


class RegistrationViewSet(viewsets.GenericViewSet):
    """registrations/{id}/cancel/: cancel a registration (a freed seat goes to the waiting list)."""

    serializer_class = api.RegistrationOutputSerializer
    filter_backends: list = []
    queryset = EventRegistration.objects.none()

    @extend_schema(
        summary="Cancel a registration",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=None,
        responses={
            200: api.RegistrationOutputSerializer,
            **error_responses(400, 403, 404),
            **IDEMPOTENCY_RESPONSES,
        },
    )
    @action(detail=True, methods=["post"], url_path="cancel")
    @idempotent
    def cancel(self, request, pk=None):
        try:
            registration = selectors.registration_get(actor=request.user, pk=int(pk))
        except ValueError:
            raise Http404 from None
        check(request.user, EngagementAction.REGISTER_FOR_EVENT, registration.customer)
        with service_errors():
            registration = services.registration_cancel(actor=request.user, registration=registration)
        return Response(_registration_output(registration))


class SurveyResponseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Survey responses of customers the caller sees, newest first (`customer` narrows to one)."""

    serializer_class = api.SurveyResponseOutputSerializer
    pagination_class = DefaultCursorPagination
    filter_backends: list = []

    def get_queryset(self):
        queryset = access.restrict(
            SurveyResponse.objects.select_related("customer", "follow_up").prefetch_related(
                "answers__question"
            ),
            self.request.user,
        )
        customer = self.request.query_params.get("customer")
        if customer is not None:
            queryset = queryset.filter(customer_id=int(customer)) if customer.isdigit() else queryset.none()
        return queryset

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "views": {}}

    def _output(self, responses: list):
        texts = [
            answer for response in responses for answer in response.answers.all() if answer.score is None
        ]
        views = {view.obj.pk: view for view in RecordView.for_objects(self.request.user, texts)}
        return api.SurveyResponseOutputSerializer(responses, many=True, context={"views": views}).data

    @extend_schema(
        summary="List survey responses",
        parameters=[OpenApiParameter("customer", int, description="Only this customer's.")],
        responses={200: api.SurveyResponseOutputSerializer(many=True)},
    )
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self._output(list(page)))

    @extend_schema(
        summary="A survey response",
        responses={200: api.SurveyResponseOutputSerializer, **error_responses(404)},
    )
    def retrieve(self, request, *args, **kwargs):
        try:
            response = self.get_queryset().get(pk=int(kwargs["pk"]))
        except (SurveyResponse.DoesNotExist, ValueError):
            raise Http404 from None
        return Response(self._output([response])[0])
