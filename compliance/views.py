"""Compliance pages: the audit trail search and the "who saw this customer's data" report.

Compliance officers only; everyone else gets the site's 404 page. Viewing either page is
itself recorded in the audit chain.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from compliance import labels
from compliance.audit import audit_record
from compliance.filtersets import AuditEventPageFilterSet
from compliance.models import AuditAction, AuditEvent
from compliance.permissions import compliance_officer_required
from compliance.presenting import access_rows, event_rows
from compliance.selectors import (
    CUSTOMER_OBJECT_TYPE,
    audit_customer_access_report,
    audit_event_page,
    audit_verification_latest,
)

MAX_SEQUENCE = 2**63 - 1


def _cursor(value: str | None) -> int | None:
    # A mangled cursor shows the first page rather than an error: it only ever comes from
    # the page's own links.
    if value is None or not value.isdigit():
        return None
    number = int(value)
    return number if 0 < number <= MAX_SEQUENCE else None


@compliance_officer_required  # outermost: a wrong method must not reveal the page either
@require_GET
def audit_event_list(request):
    """Search the trail by actor, customer number, action and dates; newest first, keyset pages.

    With htmx, answers only the results fragment; without JavaScript, the whole page.
    """
    filterset = AuditEventPageFilterSet(request.GET, queryset=AuditEvent.objects.all())
    page = None
    if filterset.is_valid():
        page = audit_event_page(
            queryset=filterset.qs,
            before=_cursor(request.GET.get("before")),
            after=_cursor(request.GET.get("after")),
        )
        audit_record(
            actor=request.user,
            action=AuditAction.AUDIT_SEARCHED,
            extra=filterset.audit_extra(channel="web"),
        )
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "page": page,
        "rows": event_rows(page.events) if page else [],
        "action_choices": AuditAction.choices,
    }
    if partial:
        template = "compliance/_audit_event_results.html"
    else:
        template = "compliance/audit_event_list.html"
        context["verification"] = audit_verification_latest()
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@compliance_officer_required  # outermost: a wrong method must not reveal the page either
@require_GET
def audit_customer_access(request, number: str):
    """Who saw or touched the data of the customer with `number`, grouped by actor, with the
    fields concerned; Http404 when no customer has that number."""
    found = labels.find_object(CUSTOMER_OBJECT_TYPE, number)
    if found is None:
        raise Http404
    customer_id = int(found)
    rows = audit_customer_access_report(customer_id=customer_id)
    audit_record(
        actor=request.user,
        action=AuditAction.AUDIT_REPORT_VIEWED,
        extra={"report": "customer_access", "customer_id": customer_id, "channel": "web"},
    )
    return render(
        request,
        "compliance/audit_customer_access.html",
        {"customer_number": number.strip().upper(), "rows": access_rows(rows)},
    )
