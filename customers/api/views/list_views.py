"""list-views/: the caller's saved views of the customer list (the browser's *Saved views*).

Each caller reads and changes only their own; another user's view answers 404, as one that
does not exist. Writes go through customers.services (list_view_create, list_view_update,
list_view_delete), which check names and filters exactly as for the browser.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.response import Response

from crm.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, IDEMPOTENCY_RESPONSES, idempotent
from crm.api.pagination import DefaultCursorPagination
from customers import selectors, services
from customers.api.serializers.list_views import ListViewInputSerializer, ListViewOutputSerializer
from customers.api.views.common import error_responses, service_errors

VIEW_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("The saved view's id."))


@extend_schema_view(
    list=extend_schema(summary="List the caller's saved views of the customer list",
                       responses={200: ListViewOutputSerializer(many=True)}),
    retrieve=extend_schema(summary="Read one of the caller's saved views", parameters=[VIEW_ID],
                           responses={200: ListViewOutputSerializer, **error_responses(404)}),
    destroy=extend_schema(summary="Delete one of the caller's saved views", parameters=[VIEW_ID],
                          responses={204: None, **error_responses(404)}),
)
class ListViewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's saved views, newest first."""

    serializer_class = ListViewOutputSerializer
    pagination_class = DefaultCursorPagination
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.list_view_list(actor=self.request.user).order_by("-pk")

    def get_object(self):
        try:
            pk = int(self.kwargs["pk"])
        except (KeyError, TypeError, ValueError):
            raise exceptions.NotFound() from None
        return selectors.list_view_get(actor=self.request.user, pk=pk)

    def options(self, request, *args, **kwargs):
        if "pk" in kwargs:
            self.get_object()  # 404 for a view that is not the caller's, as every method
        return super().options(request, *args, **kwargs)

    @extend_schema(
        summary="Save filters of the customer list under a name",
        request=ListViewInputSerializer, parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: ListViewOutputSerializer, **error_responses(400, 403), **IDEMPOTENCY_RESPONSES},
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        data = ListViewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            view = services.list_view_create(actor=request.user, name=data.validated_data["name"],
                                             filters=data.validated_data.get("filters", {}))
        return Response(ListViewOutputSerializer(view).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Rename a saved view or replace its filters", parameters=[VIEW_ID],
        request=ListViewInputSerializer(partial=True),
        responses={200: ListViewOutputSerializer, **error_responses(400, 404)},
    )
    def partial_update(self, request, *args, **kwargs):
        view = self.get_object()
        data = ListViewInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        with service_errors():
            view = services.list_view_update(actor=request.user, list_view=view,
                                             name=data.validated_data.get("name"),
                                             filters=data.validated_data.get("filters"))
        return Response(ListViewOutputSerializer(view).data)

    def destroy(self, request, *args, **kwargs):
        services.list_view_delete(actor=request.user, list_view=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
