"""The customers API: list, search, detail, create, update, upsert by core-banking reference,
and each customer's holdings, needs, relationships and interactions.

Every read is restricted to what the caller may see (customers.selectors); a customer the
caller may not see answers 404 exactly as a missing one does, on the customer and on
everything nested under it. Writes call customers.services; their ValidationError becomes a
400 with field errors and their PermissionDenied a 403.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from compliance import access
from compliance.access import RecordView
from compliance.audit import note_pii_revealed
from crm.api.idempotency import (
    IDEMPOTENCY_KEY_PARAMETER,
    IDEMPOTENCY_RESPONSES,
    ErrorOutputSerializer,
    idempotent,
)
from crm.api.pagination import DefaultCursorPagination
from crm.roles import Role, has_role
from customers import permissions, services
from customers.api import serializers as api
from customers.filtersets import CustomerFilterSet
from customers.models import Customer, CustomerKind, Holding, Interaction, Need, Relationship
from customers.permissions import user_branch_id
from customers.selectors import (
    CUSTOMER_NUMBER,
    EMAIL,
    ID_NUMBER,
    PHONE,
    customer_get,
    customer_list,
    customer_queryset,
)

OBJECT_TYPE = "customers.customer"
# Names under which clear holding details are noted for the audit (on the customer).
HOLDING_SENSITIVE = ["holdings.account_number", "holdings.balance"]

# Orderings the customer list offers with cursor pagination: each on a column that is never
# null, ending in a unique one, so a cursor position is well defined.
API_ORDERINGS = {
    "name": ("display_name", "pk"),
    "-name": ("-display_name", "-pk"),
    "number": ("number",),
    "-number": ("-number",),
    "since": ("since", "pk"),
    "-since": ("-since", "-pk"),
}
DEFAULT_ORDERING = ("-pk",)


class CustomerCursorPagination(DefaultCursorPagination):
    """Newest customers first, or by name, number or date via `sort` (see API_ORDERINGS)."""

    def get_ordering(self, request, queryset, view):
        return API_ORDERINGS.get(request.query_params.get("sort", ""), DEFAULT_ORDERING)


class InteractionCursorPagination(DefaultCursorPagination):
    """The timeline: newest first (the index customer, -occurred_at serves it)."""

    ordering = ("-occurred_at", "-pk")


class CustomerFilterBackend(DjangoFilterBackend):
    """django-filter with the acting user passed on: the FilterSet's search is restricted."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        kwargs["actor"] = request.user
        return kwargs


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _drf_detail(error: DjangoValidationError, *, nest: dict[str, str] | None = None):
    """Django's ValidationError as DRF's detail: field errors by name, `__all__` as
    non_field_errors, and profile fields nested under their profile key."""
    if not hasattr(error, "error_dict"):
        return {"non_field_errors": list(error.messages)}
    detail: dict = {}
    for name, messages in error.message_dict.items():
        if name == "__all__":
            detail.setdefault("non_field_errors", []).extend(messages)
        elif nest and name in nest:
            detail.setdefault(nest[name], {})[name] = list(messages)
        else:
            detail[name] = list(messages)
    return detail


@contextlib.contextmanager
def service_errors(*, nest: dict[str, str] | None = None) -> Iterator[None]:
    """Turn a service's ValidationError into a 400 with field errors."""
    try:
        yield
    except DjangoValidationError as error:
        raise exceptions.ValidationError(_drf_detail(error, nest=nest)) from None


def _profile_nesting(kind: str) -> dict[str, str]:
    names = services.INDIVIDUAL_FIELDS if kind == CustomerKind.INDIVIDUAL else services.CORPORATE_FIELDS
    key = "individual" if kind == CustomerKind.INDIVIDUAL else "corporate"
    return {name: key for name in names}


def _looks_like_contact_or_id(term: str) -> bool:
    """Whether a search term is a phone, e-mail or ID number (personal data; not for URLs)."""
    term = term.strip()
    if not term or CUSTOMER_NUMBER.match(term):
        return False
    return bool(
        EMAIL.match(term) or PHONE.match(term)
        or (ID_NUMBER.match(term) and any(character.isdigit() for character in term))
    )


def _require_any_permission(user, *codenames: str) -> None:
    if not any(permissions.has_customer_permission(user, codename) for codename in codenames):
        raise exceptions.PermissionDenied(_("You may not do this."))


def _check_may_edit(user, view: RecordView) -> None:
    """Changing a customer needs the change permission and the customer's data in clear:
    nobody overwrites details they cannot read."""
    if not permissions.has_customer_permission(user, permissions.CHANGE):
        raise exceptions.PermissionDenied(_("You may not change customers."))
    if not api.sees_everything_in_clear(view):
        raise exceptions.PermissionDenied(
            _("You may change only customers whose details you see in clear.")
        )


def _split_input(data: dict) -> tuple[dict, dict]:
    fields = {name: value for name, value in data.items() if name in services.CUSTOMER_FIELDS}
    profile = data.get("individual") or data.get("corporate") or {}
    return fields, dict(profile)


def _customer_output(user, customer: Customer) -> dict:
    displays = api.RecordDisplays.for_customers(user, [customer])
    return api.CustomerOutputSerializer(customer, context={"displays": displays}).data


def _lock_reference(name: str, reference: str) -> None:
    """Serialise upserts of one reference until the transaction ends (no row to lock yet)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{name}:{reference}"])


REFERENCE_PATTERN = r"[A-Za-z0-9._:-]{1,64}"
CUSTOMER_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("The customer's id."))
ERRORS = {
    400: OpenApiResponse(ErrorOutputSerializer, description=_("Invalid fields.")),
    403: OpenApiResponse(ErrorOutputSerializer, description=_("Not allowed.")),
    404: OpenApiResponse(ErrorOutputSerializer, description=_("No such customer (or not yours to see).")),
}


def _errors(*codes: int) -> dict:
    return {code: ERRORS[code] for code in codes}


# ---------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List customers",
        description=str(_(
            "The customers you may see, filtered as on the customer list page. `q` finds names and "
            "customer numbers; send exact phone, e-mail or ID numbers to POST customers/search/ so "
            "they never appear in a URL."
        )),
        responses={200: api.CustomerListOutputSerializer(many=True), **_errors(400)},
    ),
    retrieve=extend_schema(
        summary="Get a customer", responses={200: api.CustomerOutputSerializer, **_errors(404)},
    ),
    create=extend_schema(
        summary="Create a customer",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=api.CustomerCreateInputSerializer,
        responses={201: api.CustomerOutputSerializer, **_errors(400, 403), **IDEMPOTENCY_RESPONSES},
    ),
    partial_update=extend_schema(
        summary="Change a customer",
        request=api.CustomerUpdateInputSerializer,
        responses={200: api.CustomerOutputSerializer, **_errors(400, 403, 404)},
    ),
)
class CustomerViewSet(viewsets.GenericViewSet):
    """Customers as the caller may see them; writes through customers.services."""

    queryset = Customer.objects.none()  # for schema introspection; get_queryset restricts
    pagination_class = CustomerCursorPagination
    filter_backends = [CustomerFilterBackend]
    filterset_class = CustomerFilterSet
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def get_queryset(self):
        return customer_list(actor=self.request.user, base=customer_queryset())

    def get_object(self) -> Customer:
        return customer_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    # ----- the customer ---------------------------------------------------------------------

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
        if _looks_like_contact_or_id(request.query_params.get("q", "")):
            raise exceptions.ValidationError({"q": [_(
                "Exact phone, e-mail and ID number searches go in the body of POST customers/search/, "
                "never in a URL."
            )]})
        return self._page_response(self.filter_queryset(self.get_queryset()))

    @extend_schema(
        summary="Search customers by an exact phone, e-mail or ID number, or by name",
        request=api.CustomerSearchInputSerializer,
        responses={200: api.CustomerListOutputSerializer(many=True), **_errors(400)},
    )
    @action(detail=False, methods=["post"], url_path="search")
    def search(self, request):
        data = api.CustomerSearchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        query = request.query_params.copy()
        query["q"] = data.validated_data["q"]
        filterset = CustomerFilterSet(query, queryset=self.get_queryset(), actor=request.user)
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        return self._page_response(filterset.qs)

    def retrieve(self, request, *args, **kwargs):
        return Response(_customer_output(request.user, self.get_object()))

    @idempotent
    def create(self, request, *args, **kwargs):
        user = request.user
        _require_any_permission(user, permissions.ADD)
        data = api.CustomerCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        home_branch = values.pop("home_branch")
        if not permissions.has_customer_permission(user, permissions.VIEW) and (
            home_branch.pk != user_branch_id(user)
        ):
            raise exceptions.ValidationError(
                {"home_branch": [_("You may add customers only to your own branch.")]}
            )
        relationship_manager = values.pop("relationship_manager", None)
        if "relationship_manager" not in data.validated_data and has_role(user, Role.RELATIONSHIP_MANAGER):
            relationship_manager = user  # a relationship manager's new customer joins their book
        kind = values.pop("kind")
        segment = values.pop("segment", None)
        fields, profile = _split_input(values)
        with service_errors(nest=_profile_nesting(kind)):
            customer = services.customer_create(
                actor=user, kind=kind, home_branch=home_branch, relationship_manager=relationship_manager,
                profile=profile, segment=segment, **fields,
            )
        # Read back without the visibility check: the caller has just sent these details, and
        # RecordView still masks whatever they may not see in clear.
        created = Customer.objects.select_related(
            "home_branch", "relationship_manager", "individual", "corporate"
        ).get(pk=customer.pk)
        return Response(_customer_output(user, created), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        user = request.user
        customer = self.get_object()
        _check_may_edit(user, RecordView.for_object(user, customer))
        data = api.CustomerUpdateInputSerializer(
            data=request.data, partial=True, context={"kind": customer.kind}
        )
        data.is_valid(raise_exception=True)
        fields, profile = _split_input(data.validated_data)
        with service_errors(nest=_profile_nesting(customer.kind)):
            services.customer_update(actor=user, customer=customer, fields=fields, profile=profile)
        return Response(_customer_output(user, self.get_object()))

    @extend_schema(
        summary="Create or update a customer by core-banking reference",
        description=str(_(
            "For core banking (service accounts). Creates the customer with its profile if the "
            "reference is new (201), otherwise updates it (200). Sending the same body again changes "
            "nothing."
        )),
        parameters=[OpenApiParameter("external_reference", str, OpenApiParameter.PATH,
                                     pattern=REFERENCE_PATTERN)],
        request=api.CustomerUpsertInputSerializer,
        responses={200: api.CustomerOutputSerializer, 201: api.CustomerOutputSerializer, **_errors(400, 403)},
    )
    @action(detail=False, methods=["put"], url_name="by-reference", filter_backends=[], pagination_class=None,
            url_path=rf"by-reference/(?P<external_reference>{REFERENCE_PATTERN})")
    def by_reference(self, request, external_reference: str):
        user = request.user
        if not has_role(user, Role.SERVICE_ACCOUNT):
            raise exceptions.PermissionDenied(_("Only core banking may upsert customers by reference."))
        _require_any_permission(user, permissions.ADD)
        _require_any_permission(user, permissions.CHANGE)
        data = api.CustomerUpsertInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer, created = self._upsert(user, external_reference, dict(data.validated_data))
        return Response(
            _customer_output(user, customer_get(actor=user, pk=customer.pk)),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @staticmethod
    @transaction.atomic
    def _upsert(user, reference: str, values: dict) -> tuple[Customer, bool]:
        _lock_reference("customers.customer.external_reference", reference)
        existing = Customer.objects.filter(external_reference=reference).first()
        kind = values.pop("kind")
        relationship_manager = values.pop("relationship_manager", None)
        segment = values.pop("segment", None)
        home_branch = values.pop("home_branch")
        fields, profile = _split_input(values)
        nest = _profile_nesting(kind)
        if existing is None:
            with service_errors(nest=nest):
                customer = services.customer_create(
                    actor=user, kind=kind, home_branch=home_branch, relationship_manager=relationship_manager,
                    profile=profile, segment=segment, external_reference=reference, **fields,
                )
            return customer, True
        errors = {}
        if existing.kind != kind:
            errors["kind"] = [_("A customer's kind cannot change.")]
        if relationship_manager is not None and existing.relationship_manager_id != relationship_manager.pk:
            errors["relationship_manager"] = [_("Reassign the customer to change the relationship manager.")]
        if segment is not None and existing.segment != segment:
            errors["segment"] = [_("The segment is set by segmentation, not by an update.")]
        if errors:
            raise exceptions.ValidationError(errors)
        with service_errors(nest=nest):
            services.customer_update(
                actor=user, customer=existing, fields={**fields, "home_branch": home_branch}, profile=profile
            )
        return existing, False

    # ----- holdings -------------------------------------------------------------------------

    def _holding_context(self, customer: Customer) -> dict:
        view = RecordView.for_object(self.request.user, customer)
        return {"aum_clear": view.is_clear("aum"), "kind": customer.kind}

    def _note_clear(self, customer: Customer, fields: list[str], shown: bool) -> None:
        if shown:
            note_pii_revealed(object_type=OBJECT_TYPE, object_id=customer.pk, fields=fields)

    @extend_schema(
        summary="List a customer's holdings",
        parameters=[CUSTOMER_ID],
        responses={200: api.HoldingOutputSerializer(many=True), **_errors(404)},
    )
    @action(detail=True, methods=["get"], url_path="holdings", filter_backends=[],
            pagination_class=DefaultCursorPagination)
    def holdings(self, request, pk=None):
        customer = self.get_object()
        context = self._holding_context(customer)
        page = self.paginate_queryset(Holding.objects.filter(customer=customer))
        self._note_clear(customer, HOLDING_SENSITIVE, bool(context["aum_clear"] and page))
        data = api.HoldingOutputSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    def _holding_upsert(self, request, customer: Customer, reference: str | None, serializer_class):
        user = request.user
        view = RecordView.for_object(user, customer)
        _check_may_edit(user, view)
        context = {"kind": customer.kind, "aum_clear": view.is_clear("aum")}
        data = serializer_class(data=request.data, context=context)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reference = reference or values.pop("external_reference", None)
        with service_errors():
            holding, created = services.holding_upsert(
                actor=user, customer=customer, external_reference=reference, values=values
            )
        self._note_clear(customer, HOLDING_SENSITIVE, context["aum_clear"])
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
                   **_errors(400, 403, 404), **IDEMPOTENCY_RESPONSES},
    )
    @holdings.mapping.post
    @idempotent
    def holdings_create(self, request, pk=None):
        return self._holding_upsert(request, self.get_object(), None, api.HoldingInputSerializer)

    @extend_schema(
        summary="Create or update a holding by core-banking reference",
        parameters=[CUSTOMER_ID, OpenApiParameter("holding_reference", str, OpenApiParameter.PATH,
                                                  pattern=REFERENCE_PATTERN)],
        request=api.HoldingUpsertInputSerializer,
        responses={200: api.HoldingOutputSerializer, 201: api.HoldingOutputSerializer,
                   **_errors(400, 403, 404)},
    )
    @action(detail=True, methods=["put"], url_path=rf"holdings/(?P<holding_reference>{REFERENCE_PATTERN})",
            url_name="holding-by-reference", filter_backends=[], pagination_class=None)
    def holding_by_reference(self, request, pk=None, holding_reference: str = ""):
        return self._holding_upsert(
            request, self.get_object(), holding_reference, api.HoldingUpsertInputSerializer
        )

    # ----- needs ----------------------------------------------------------------------------

    def _free_text_context(self, customer: Customer) -> dict:
        view = RecordView.for_object(self.request.user, customer)
        return {"free_text_clear": api.sees_everything_in_clear(view), "kind": customer.kind}

    @extend_schema(
        summary="List a customer's needs",
        parameters=[CUSTOMER_ID],
        responses={200: api.NeedOutputSerializer(many=True), **_errors(404)},
    )
    @action(detail=True, methods=["get"], url_path="needs", filter_backends=[],
            pagination_class=DefaultCursorPagination)
    def needs(self, request, pk=None):
        customer = self.get_object()
        context = self._free_text_context(customer)
        page = self.paginate_queryset(Need.objects.filter(customer=customer).select_related("recorded_by"))
        self._note_clear(customer, ["needs.note"], context["free_text_clear"] and any(n.note for n in page))
        return self.get_paginated_response(api.NeedOutputSerializer(page, many=True, context=context).data)

    @extend_schema(
        summary="Record a need",
        parameters=[CUSTOMER_ID, IDEMPOTENCY_KEY_PARAMETER],
        request=api.NeedInputSerializer,
        responses={201: api.NeedOutputSerializer, **_errors(400, 403, 404), **IDEMPOTENCY_RESPONSES},
    )
    @needs.mapping.post
    @idempotent
    def needs_create(self, request, pk=None):
        customer = self.get_object()
        _require_any_permission(request.user, permissions.CHANGE)
        context = self._free_text_context(customer)
        data = api.NeedInputSerializer(data=request.data, context=context)
        data.is_valid(raise_exception=True)
        with service_errors():
            need = services.need_record(actor=request.user, customer=customer, **data.validated_data)
        self._note_clear(customer, ["needs.note"], context["free_text_clear"] and bool(need.note))
        return Response(api.NeedOutputSerializer(need, context=context).data, status=status.HTTP_201_CREATED)

    # ----- relationships --------------------------------------------------------------------

    @extend_schema(
        summary="List a customer's relationships",
        description=str(_("A related customer you may not see appears as \"Another customer\", without id.")),
        parameters=[CUSTOMER_ID],
        responses={200: api.RelationshipOutputSerializer(many=True), **_errors(404)},
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

    # ----- interactions ---------------------------------------------------------------------

    @extend_schema(
        summary="List a customer's interactions, newest first",
        parameters=[CUSTOMER_ID],
        responses={200: api.InteractionOutputSerializer(many=True), **_errors(404)},
    )
    @action(detail=True, methods=["get"], url_path="interactions", filter_backends=[],
            pagination_class=InteractionCursorPagination)
    def interactions(self, request, pk=None):
        customer = self.get_object()
        context = self._free_text_context(customer)
        page = self.paginate_queryset(Interaction.objects.filter(customer=customer).select_related("staff"))
        self._note_clear(customer, ["interactions.summary"], bool(context["free_text_clear"] and page))
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
                   **_errors(400, 403, 404), **IDEMPOTENCY_RESPONSES},
    )
    @interactions.mapping.post
    @idempotent
    def interactions_create(self, request, pk=None):
        user = request.user
        customer = self.get_object()
        _require_any_permission(user, permissions.ADD, permissions.CHANGE)
        context = self._free_text_context(customer)
        data = api.InteractionInputSerializer(data=request.data, context=context)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reference = values.get("external_reference")
        existing = self._interaction_by_reference(customer, reference)
        if existing is None:
            try:
                with service_errors():
                    interaction = services.interaction_log(actor=user, customer=customer, **values)
                created = True
            except IntegrityError:
                # A concurrent request logged the same reference first.
                existing = self._interaction_by_reference(customer, reference)
                if existing is None:
                    raise
        if existing is not None:
            interaction, created = existing, False
        self._note_clear(customer, ["interactions.summary"], context["free_text_clear"])
        return Response(
            api.InteractionOutputSerializer(interaction, context=context).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @staticmethod
    def _interaction_by_reference(customer: Customer, reference: str | None) -> Interaction | None:
        if not reference:
            return None
        existing = Interaction.objects.select_related("staff").filter(external_reference=reference).first()
        if existing is not None and existing.customer_id != customer.pk:
            raise exceptions.ValidationError(
                {"external_reference": [_("This reference belongs to another interaction.")]}
            )
        return existing


__all__ = ["CustomerViewSet"]
