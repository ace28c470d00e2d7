"""The customer list as CSV: the same filters and order as the list, masked as the list is."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from crm.client_address import client_ip
from crm.pagination import order_by_keys, order_keys
from customers import exports, permissions
from customers.permissions import CustomerAction
from customers.views.common import portal_page
from customers.views.listing import customer_filter, identifier_in_url


@portal_page
@require_GET
def customer_export(request):
    """The current list as CSV (same filters and order), at most EXPORT_LIMIT rows, audited."""
    permissions.check(request.user, CustomerAction.EXPORT)
    refused = identifier_in_url(request)
    if refused is not None:
        return refused
    found = customer_filter(request)
    back = f"{reverse('customer-list')}?{request.GET.urlencode()}"
    if found.queryset is None:
        messages.error(request, _("Correct the filters before exporting."))
        return HttpResponseRedirect(back)
    limit = exports.EXPORT_LIMIT
    rows = found.queryset.order_by()[: limit + 1].count()
    if rows > limit:
        messages.error(request, _(
            "The list has more than %(limit)s customers. Narrow the filters to export at most %(limit)s."
        ) % {"limit": f"{limit:,}"})
        return HttpResponseRedirect(back)
    exports.customer_export_record(actor=request.user, rows=rows, filters=found.used())
    ordered = found.queryset.order_by(*order_by_keys(order_keys(found.queryset)))
    request_meta = {
        # The same address resolution as compliance.middleware.AuditContextMiddleware.
        "ip_address": client_ip(request),
        "user_agent": request.headers.get("User-Agent", ""),
        "request_id": getattr(request, "request_id", ""),
    }
    response = StreamingHttpResponse(
        exports.customer_export_lines(actor=request.user, queryset=ordered, request_meta=request_meta),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="customers-{timezone.localdate():%Y%m%d}.csv"'
    response["Cache-Control"] = "no-store"
    return response
