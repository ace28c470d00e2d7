"""follow-ups/ and appointments/: the caller's worklist, completing and rescheduling a
follow-up, booking appointments. Writes take an Idempotency-Key.

A follow-up of a customer the caller may not see answers 404; one they see but may not work,
403 before the body is read.
"""

from __future__ import annotations

import datetime

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from crm.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, IDEMPOTENCY_RESPONSES, idempotent
from crm.api.pagination import DefaultCursorPagination
from customers import permissions, selectors
from customers.api.serializers import care as api
from customers.api.views.common import error_responses, service_errors
from customers.care import selectors as care_selectors
from customers.care import services as care
from customers.models import FollowUp
from customers.permissions import CustomerAction


class FollowUpCursorPagination(DefaultCursorPagination):
    ordering = ("due_on", "pk")


class AppointmentCursorPagination(DefaultCursorPagination):
    ordering = ("starts_at", "pk")


class FollowUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's open follow-ups (`when`: today, overdue, upcoming), each with its reason."""

    serializer_class = api.FollowUpOutputSerializer
    pagination_class = FollowUpCursorPagination
    filter_backends: list = []

    def get_queryset(self):
        if self.action == "list":
            query = api.FollowUpListQuerySerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            return care_selectors.follow_ups_filtered(user=self.request.user,
                                                      when=query.validated_data.get("when"))
        return FollowUp.objects.none()

    def get_object(self):
        try:
            return care_selectors.follow_up_get(user=self.request.user, pk=int(self.kwargs["pk"]))
        except (FollowUp.DoesNotExist, ValueError):
            raise Http404 from None

    @extend_schema(summary="List your open follow-ups",
                   parameters=[OpenApiParameter("when", str, enum=list(api.WHEN_CHOICES))],
                   responses={200: api.FollowUpOutputSerializer(many=True), **error_responses(400)})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="A follow-up",
                   responses={200: api.FollowUpOutputSerializer, **error_responses(404)})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    def _reread(self, follow_up: FollowUp) -> FollowUp:
        """The follow-up as the reads show it (with its customer's open offers)."""
        return care_selectors.follow_up_get(user=self.request.user, pk=follow_up.pk)

    def _workable(self) -> FollowUp:
        follow_up = self.get_object()
        permissions.check(self.request.user, CustomerAction.WORK_FOLLOW_UP, follow_up.customer)
        return follow_up

    @extend_schema(summary="Complete a follow-up", parameters=[IDEMPOTENCY_KEY_PARAMETER],
                   request=api.FollowUpCompleteInputSerializer,
                   responses={200: api.FollowUpOutputSerializer, **error_responses(400, 403, 404),
                              **IDEMPOTENCY_RESPONSES})
    @action(detail=True, methods=["post"], url_path="complete")
    @idempotent
    def complete(self, request, pk=None):
        follow_up = self._workable()
        data = api.FollowUpCompleteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            follow_up = care.follow_up_complete(actor=request.user, follow_up=follow_up,
                                                **data.validated_data)
        return Response(api.FollowUpOutputSerializer(self._reread(follow_up)).data)

    @extend_schema(summary="Ask whether the customer may be contacted now about a follow-up",
                   description="The contact-pressure policy's answer (consent, holds, quiet hours in "
                               "the customer's time zone, caps), recorded in the customer's contact log. "
                               "A refusal is an answer (200, allowed false), not an error.",
                   parameters=[IDEMPOTENCY_KEY_PARAMETER], request=api.FollowUpContactInputSerializer,
                   responses={200: api.ContactDecisionOutputSerializer, **error_responses(400, 403, 404),
                              **IDEMPOTENCY_RESPONSES})
    @action(detail=True, methods=["post"], url_path="contact")
    @idempotent
    def contact(self, request, pk=None):
        follow_up = self._workable()
        data = api.FollowUpContactInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            decision = care.follow_up_contact(actor=request.user, follow_up=follow_up,
                                              channel=data.validated_data.get("channel"))
        return Response(api.ContactDecisionOutputSerializer(decision).data)

    @extend_schema(summary="Reschedule a follow-up", parameters=[IDEMPOTENCY_KEY_PARAMETER],
                   request=api.FollowUpRescheduleInputSerializer,
                   responses={200: api.FollowUpOutputSerializer, **error_responses(400, 403, 404),
                              **IDEMPOTENCY_RESPONSES})
    @action(detail=True, methods=["post"], url_path="reschedule")
    @idempotent
    def reschedule(self, request, pk=None):
        follow_up = self._workable()
        data = api.FollowUpRescheduleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            follow_up = care.follow_up_reschedule(actor=request.user, follow_up=follow_up,
                                                  **data.validated_data)
        return Response(api.FollowUpOutputSerializer(self._reread(follow_up)).data)


class AppointmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's appointments from today for 30 days; booking one."""

    serializer_class = api.AppointmentOutputSerializer
    pagination_class = AppointmentCursorPagination
    filter_backends: list = []

    def get_queryset(self):
        start = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
        return care_selectors.appointments_between(user=self.request.user, start=start,
                                                   end=start + datetime.timedelta(days=30))

    @extend_schema(summary="List your appointments (the next 30 days)",
                   responses={200: api.AppointmentOutputSerializer(many=True)})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="Book an appointment", parameters=[IDEMPOTENCY_KEY_PARAMETER],
                   request=api.AppointmentInputSerializer,
                   responses={201: api.AppointmentOutputSerializer, **error_responses(400, 403, 404),
                              **IDEMPOTENCY_RESPONSES})
    @idempotent
    def create(self, request, *args, **kwargs):
        data = api.AppointmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        customer = selectors.customer_get(actor=request.user, pk=values["customer"])
        permissions.check(request.user, CustomerAction.WORK_FOLLOW_UP, customer)
        follow_up = None
        if values["follow_up"]:
            follow_up = FollowUp.objects.filter(pk=values["follow_up"], customer=customer).first()
            if follow_up is None:
                raise ValidationError({"follow_up": [_("This follow-up is for another customer.")]})
        with service_errors():
            appointment = care.appointment_book(actor=request.user, customer=customer,
                                                starts_at=values["starts_at"], minutes=values["minutes"],
                                                place=values["place"], follow_up=follow_up)
        return Response(api.AppointmentOutputSerializer(appointment).data, status=status.HTTP_201_CREATED)
