"""imports/: bulk upserts of customers or holdings from core banking, as import jobs.

The records go through the same import job as an uploaded CSV file (customers.intake): a dry
run first, then, on request, the apply in batches. `POST imports/` answers 202 with the job;
poll `GET imports/{id}/` until its status is `validated` (or `failed`), read its problems,
then `POST imports/{id}/apply/` and poll again until `applied`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
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
from customers.api import serializers as api
from customers.api.views.common import error_responses, service_errors
from customers.intake.columns import ImportJobStateError
from customers.intake.records import import_job_create_from_records
from customers.intake.selectors import check_may_import, import_job_get, import_job_list
from customers.intake.services import import_job_request_apply

JOB_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("The import job's id."))


class ImportNotReady(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "import_not_ready"
    default_detail = _("The import job is not ready for this step.")


class ImportJobCursorPagination(DefaultCursorPagination):
    ordering = ("-created_at", "-pk")


@extend_schema_view(
    list=extend_schema(summary="List import jobs",
                       responses={200: api.ImportJobOutputSerializer(many=True), **error_responses(403)}),
    retrieve=extend_schema(summary="Read an import job: progress and problems", parameters=[JOB_ID],
                           responses={200: api.ImportJobOutputSerializer, **error_responses(404)}),
)
class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Import jobs the caller may see: their own and their branch's (all for head office)."""

    serializer_class = api.ImportJobOutputSerializer
    pagination_class = ImportJobCursorPagination
    filter_backends: list = []

    def get_queryset(self):
        check_may_import(self.request.user)
        return import_job_list(actor=self.request.user).order_by("-created_at", "-pk")

    def get_object(self):
        check_may_import(self.request.user)
        try:
            pk = int(self.kwargs["pk"])
        except (KeyError, TypeError, ValueError):
            raise exceptions.NotFound() from None
        return import_job_get(actor=self.request.user, pk=pk)

    def options(self, request, *args, **kwargs):
        # Like every other answer here: 403 without IMPORT, 404 for a job not the caller's.
        if "pk" in kwargs:
            self.get_object()
        else:
            check_may_import(request.user)
        return super().options(request, *args, **kwargs)

    @extend_schema(
        summary="Send customers or holdings to import",
        description=("Starts the dry run of an import job holding `records`, as an upload of the "
                     "same rows would. Blank or null values leave stored values as they are."),
        request=api.ImportRecordsInputSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={202: api.ImportJobOutputSerializer, **error_responses(400, 403), **IDEMPOTENCY_RESPONSES},
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        # Refused before the body is read, so a refused caller learns nothing from its errors.
        check_may_import(request.user)
        data = api.ImportRecordsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with service_errors():
            job = import_job_create_from_records(
                actor=request.user, kind=values["kind"], records=values["records"],
                home_branch=values.get("home_branch"),
            )
        note_subject(job._meta.label_lower, job.pk)
        return Response(api.ImportJobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Apply an import job whose dry run found no errors",
        parameters=[JOB_ID], request=None,
        responses={202: api.ImportJobOutputSerializer, **error_responses(403, 404),
                   409: OpenApiResponse(ErrorOutputSerializer, description=_(
                       "The dry run is not finished or found errors, or the job is running or applied."))},
    )
    @action(detail=True, methods=["post"], url_path="apply")
    def apply(self, request, pk=None):
        job = self.get_object()
        try:
            job = import_job_request_apply(actor=request.user, job=job)
        except ImportJobStateError as error:
            raise ImportNotReady(detail=str(error)) from error
        return Response(api.ImportJobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)
