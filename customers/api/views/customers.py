"""The customer viewset: list, search, detail, create, update and upsert by core-banking
reference; what hangs off a customer comes from the mixins in customers.api.views.nested.

Every read is restricted to what the caller may see (customers.selectors); a customer the
caller may not see answers 404 exactly as a missing one does. Writes parse the input and call
one service (customers.services); its ValidationError becomes a 400 with field errors and its
PermissionDenied a 403.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from crm.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, IDEMPOTENCY_RESPONSES, idempotent, note_subject
from customers import permissions, services
from customers.api import serializers as api
from customers.api.views.common import (
    API_ORDERINGS,
    REFERENCE_PATTERN,
    REFERENCE_SCHEMA_PATTERN,
    CustomerCursorPagination,
    CustomerFilterBackend,
    error_responses,
    profile_nesting,
    service_errors,
    split_customer_input,
)
from customers.api.views.metadata import CustomerMetadata
from customers.api.views.nested import HoldingsMixin, InteractionsMixin, NeedsMixin, RelationshipsMixin
from customers.api.views.offers import OffersMixin
from customers.api.views.outreach import ConsentsMixin, ContactsMixin, HoldsMixin
from customers.filtersets import CustomerCursorFilterSet
from customers.intake.onboarding import PossibleDuplicates, customer_onboard
from customers.models import Customer
from customers.permissions import CustomerAction
from customers.selectors import (
    actor_load,
    customer_get,
    customer_list,
    customer_queryset,
    is_identifier,
)


def _customer_output(user, customer: Customer) -> dict:
    displays = api.RecordDisplays.for_customers(user, [customer])
    return api.CustomerOutputSerializer(customer, context={"displays": displays}).data


@extend_schema_view(
    list=extend_schema(
        summary="List customers",
        description=str(_(
            "The customers you may see, filtered as on the customer list page. `q` finds names and "
            "customer numbers; send exact phone, e-mail or ID numbers to POST customers/search/ so "
            "they never appear in a URL."
        )),
        responses={200: api.CustomerListOutputSerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="Get a customer", responses={200: api.CustomerOutputSerializer, **error_responses(404)},
    ),
    create=extend_schema(
        summary="Create a customer",
        description=str(_(
            "Checks for possible duplicates first (the same ID number, phone or e-mail, or a similar "
            "name with the same date of birth): if there are any, nothing is saved and the answer is "
            "409 with the candidates you may see; send the request again with `duplicate_reason` to "
            "create the customer anyway."
        )),
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=api.CustomerCreateInputSerializer,
        responses={201: api.CustomerOutputSerializer, **error_responses(400, 403), **IDEMPOTENCY_RESPONSES,
                   409: OpenApiResponse(api.PossibleDuplicatesErrorSerializer, description=_(
                       "Possible duplicates, nothing saved (code possible_duplicates, with the "
                       "candidates); or another request with this Idempotency-Key is still running: "
                       "retry."))},
    ),
    partial_update=extend_schema(
        summary="Change a customer",
        request=api.CustomerUpdateInputSerializer,
        responses={200: api.CustomerOutputSerializer, **error_responses(400, 403, 404)},
    ),
)
class CustomerViewSet(
    HoldingsMixin, NeedsMixin, RelationshipsMixin, InteractionsMixin, ConsentsMixin, ContactsMixin,
    HoldsMixin, OffersMixin, viewsets.GenericViewSet
):
    """Customers as the caller may see them; writes through customers.services."""

    queryset = Customer.objects.none()  # for schema introspection; get_queryset restricts
    pagination_class = CustomerCursorPagination
    filter_backends = [CustomerFilterBackend]
    filterset_class = CustomerCursorFilterSet
    metadata_class = CustomerMetadata
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def initial(self, request, *args, **kwargs):
        # What the policy reads about the caller, in one query (authenticating them first).
        actor_load(request.user)
        super().initial(request, *args, **kwargs)

    def get_queryset(self):
        return customer_list(actor=self.request.user, base=customer_queryset())

    def get_object(self) -> Customer:
        customer = customer_get(actor=self.request.user, pk=int(self.kwargs["pk"]))
        # A keyed write under this customer is replayed only while the caller still sees it.
        note_subject(Customer._meta.label_lower, customer.pk)
        return customer

    def _page_response(self, queryset) -> Response:
        sort = self.request.query_params.get("sort")
        if sort and sort not in API_ORDERINGS:
            raise exceptions.ValidationError({"sort": [_("Sort by one of: %(choices)s.") % {
                "choices": ", ".join(API_ORDERINGS)}]})
        page = self.paginate_queryset(queryset)
        displays = api.RecordDisplays.for_customers(self.request.user, page)
        data = api.CustomerListOutputSerializer(page, many=True, context={"displays": displays}).data
        return self.get_paginated_response(data)

    def list(self, request, *args, **kwargs):
        if is_identifier(request.query_params.get("q", "").strip()):
            raise exceptions.ValidationError({"q": [_(
                "Exact phone, e-mail and ID number searches go in the body of POST customers/search/, "
                "never in a URL."
            )]})
        return self._page_response(self.filter_queryset(self.get_queryset()))

    @extend_schema(
        summary="Search customers by an exact phone, e-mail or ID number, or by name",
        request=api.CustomerSearchInputSerializer,
        responses={200: api.CustomerListOutputSerializer(many=True), **error_responses(400)},
    )
    @action(detail=False, methods=["post"], url_path="search")
    def search(self, request):
        data = api.CustomerSearchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        query = request.query_params.copy()
        query["q"] = data.validated_data["q"]
        filterset = CustomerCursorFilterSet(query, queryset=self.get_queryset(), actor=request.user)
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        return self._page_response(filterset.qs)

    def retrieve(self, request, *args, **kwargs):
        return Response(_customer_output(request.user, self.get_object()))

    @idempotent
    def create(self, request, *args, **kwargs):
        user = request.user
        # Refused before the body is read, so a refused caller learns nothing from its errors.
        permissions.check(user, CustomerAction.ADD)
        data = api.CustomerCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        kind = values.pop("kind")
        duplicate_reason = values.pop("duplicate_reason", "")
        fields, profile = split_customer_input(values)
        fields.pop("home_branch", None)
        try:
            with service_errors(nest=profile_nesting(kind)):
                customer = customer_onboard(
                    actor=user, kind=kind, home_branch=values["home_branch"],
                    relationship_manager=values.get("relationship_manager"), segment=values.get("segment"),
                    profile=profile, duplicate_reason=duplicate_reason, **fields,
                )
        except PossibleDuplicates as duplicates:
            return Response(api.possible_duplicates_body(duplicates), status=status.HTTP_409_CONFLICT)
        try:
            created = customer_get(actor=user, pk=customer.pk)
        except Http404:
            # Created for a book the caller does not see (another RM's, in a branch they are not
            # part of): say so without showing the record.
            return Response({"id": customer.pk, "number": customer.number}, status=status.HTTP_201_CREATED)
        note_subject(Customer._meta.label_lower, created.pk)
        return Response(_customer_output(user, created), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        user = request.user
        customer = self.get_object()
        data = api.CustomerUpdateInputSerializer(
            data=request.data, partial=True, context={"kind": customer.kind}
        )
        data.is_valid(raise_exception=True)
        fields, profile = split_customer_input(data.validated_data)
        with service_errors(nest=profile_nesting(customer.kind)):
            services.customer_update(actor=user, customer=customer, fields=fields, profile=profile)
        try:
            changed = customer_get(actor=user, pk=customer.pk)
        except Http404:
            # Moved to a branch the caller does not see: the change is done, the record not shown.
            return Response({"id": customer.pk, "number": customer.number})
        return Response(_customer_output(user, changed))

    @extend_schema(
        summary="Create or update a customer by core-banking reference",
        description=str(_(
            "For core banking (service accounts). Creates the customer with its profile if the "
            "reference is new (201), otherwise updates it (200). Sending the same body again changes "
            "nothing."
        )),
        parameters=[OpenApiParameter("external_reference", str, OpenApiParameter.PATH,
                                     pattern=REFERENCE_SCHEMA_PATTERN)],
        request=api.CustomerUpsertInputSerializer,
        responses={200: api.CustomerOutputSerializer, 201: api.CustomerOutputSerializer,
                   **error_responses(400, 403)},
    )
    @action(detail=False, methods=["put"], url_name="by-reference", filter_backends=[], pagination_class=None,
            url_path=rf"by-reference/(?P<external_reference>{REFERENCE_PATTERN})")
    def by_reference(self, request, external_reference: str):
        user = request.user
        # Refused before the body is read (the service asks the same again).
        permissions.check(user, CustomerAction.ADD)
        permissions.check(user, CustomerAction.CHANGE_REFERENCE)
        data = api.CustomerUpsertInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        fields, profile = split_customer_input(values)
        for name in ("kind", "relationship_manager", "segment"):
            if name in values:
                fields[name] = values[name]
        with service_errors(nest=profile_nesting(values["kind"])):
            customer, created = services.customer_upsert_by_reference(
                actor=user, external_reference=external_reference, values={**fields, "profile": profile},
            )
        return Response(
            _customer_output(user, customer_get(actor=user, pk=customer.pk)),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
