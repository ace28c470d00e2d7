"""Pages of privacy requests for compliance officers: the list with clocks, logging a request,
one request with its actions (extend, prepare the export, download it once, answer, refuse).

Everyone else gets the site's 404 page, as for the audit trail.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from compliance.forms import PrivacyAnswerForm, PrivacyReasonForm, PrivacyRequestForm
from compliance.permissions import compliance_officer_required
from compliance.privacy import selectors, services
from compliance.privacy.models import DeadlineProfile, PrivacyExport, PrivacyRequest
from compliance.privacy.registry import subject_types
from crm.forms import add_validation_errors
from crm.pagination import cursor_param


def _request(request, reference: str) -> PrivacyRequest:
    try:
        return selectors.request_get(user=request.user, reference=reference)
    except PrivacyRequest.DoesNotExist:
        raise Http404 from None


def _detail_url(privacy_request: PrivacyRequest) -> str:
    return reverse("privacy-request-detail", args=[privacy_request.reference])


@compliance_officer_required
@require_GET
def privacy_request_list(request):
    status = request.GET.get("status", "open")
    status = status if status in selectors.STATUS_FILTERS else "open"
    page, rows = selectors.request_page(user=request.user, status=status,
                                        after=cursor_param(request.GET, "after"), today=timezone.localdate())
    return render(request, "compliance/privacy/list.html",
                  {"rows": rows, "page": page, "status": status, "statuses": selectors.STATUS_FILTERS})


def _form(data=None):
    return PrivacyRequestForm(data, subject_types=subject_types(),
                              profiles=DeadlineProfile.objects.filter(is_active=True))


@compliance_officer_required
@require_http_methods(["GET", "POST"])
def privacy_request_create(request):
    form = _form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            logged = services.request_log(
                actor=request.user, kind=data["kind"], subject_type_name=data["subject_type"],
                subject_reference=data["subject_reference"], channel=data["channel"],
                verification=data["verification"], verification_reference=data["verification_reference"],
                details=data["details"], by_representative=data["by_representative"],
                received_on=data["received_on"], profile_code=data["profile"] or None,
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Request %(reference)s logged, due on %(due)s.")
                             % {"reference": logged.reference, "due": logged.due_on.isoformat()})
            return HttpResponseRedirect(_detail_url(logged))
    return render(request, "compliance/privacy/new.html", {"form": form}, status=400 if form.errors else 200)


def _render_detail(request, privacy_request: PrivacyRequest, *, forms: dict | None = None, status: int = 200):
    detail = selectors.request_detail(user=request.user, reference=privacy_request.reference,
                                      today=timezone.localdate())
    context = {**detail, "extend_form": PrivacyReasonForm(), "answer_form": PrivacyAnswerForm(),
               "refuse_form": PrivacyReasonForm(), "export_kinds": services.EXPORT_KINDS, **(forms or {})}
    return render(request, "compliance/privacy/detail.html", context, status=status)


@compliance_officer_required
@require_GET
def privacy_request_detail(request, reference: str):
    return _render_detail(request, _request(request, reference))


def _act(request, reference: str, form_name: str, form_class, action, done: str):
    privacy_request = _request(request, reference)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(privacy_request, form.cleaned_data["text"])
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(_detail_url(privacy_request))
    return _render_detail(request, privacy_request, forms={form_name: form}, status=400)


@compliance_officer_required
@require_POST
def privacy_request_extend(request, reference: str):
    return _act(request, reference, "extend_form", PrivacyReasonForm,
                lambda item, text: services.request_extend(actor=request.user, request=item, reason=text),
                _("Deadline extended."))


@compliance_officer_required
@require_POST
def privacy_request_complete(request, reference: str):
    return _act(request, reference, "answer_form", PrivacyAnswerForm,
                lambda item, text: services.request_complete(actor=request.user, request=item, answer=text),
                _("Request answered and closed."))


@compliance_officer_required
@require_POST
def privacy_request_refuse(request, reference: str):
    return _act(request, reference, "refuse_form", PrivacyReasonForm,
                lambda item, text: services.request_refuse(actor=request.user, request=item, reason=text),
                _("Request refused and closed."))


@compliance_officer_required
@require_POST
def privacy_request_export(request, reference: str):
    privacy_request = _request(request, reference)
    try:
        services.export_request(actor=request.user, request=privacy_request)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("The export is being prepared; it appears here when it is ready."))
    return HttpResponseRedirect(_detail_url(privacy_request))


@compliance_officer_required
@require_POST
def privacy_export_download(request, reference: str, export_id: int):
    privacy_request = _request(request, reference)
    try:
        export = privacy_request.exports.get(pk=export_id)
    except PrivacyExport.DoesNotExist:
        raise Http404 from None
    try:
        content = services.export_download(actor=request.user, export=export)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return HttpResponseRedirect(_detail_url(privacy_request))
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{privacy_request.reference}.zip"'
    response["Cache-Control"] = "no-store"
    return response
