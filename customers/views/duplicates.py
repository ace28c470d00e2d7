"""Finding possible duplicates: the branch's customers that have some (for those who merge),
and the notice on a customer's page that points to that customer's duplicates page."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from crm.pagination import cursor_param, keyset_paginate
from customers import permissions
from customers.intake.duplicates import customers_with_duplicates, duplicates_suspected
from customers.permissions import CustomerAction
from customers.views.common import get_customer, portal_page

PAGE_SIZE = 50


@portal_page
@require_GET
def customer_duplicates_overview(request):
    """Customers the user may merge that have possible duplicates, a page at a time."""
    permissions.check(request.user, CustomerAction.MERGE)
    page = keyset_paginate(customers_with_duplicates(actor=request.user), size=PAGE_SIZE,
                           after=cursor_param(request.GET, "after"),
                           before=cursor_param(request.GET, "before"))
    return render(request, "customers/duplicates_overview.html", {"page": page})


@portal_page
@require_GET
def customer_duplicates_notice(request, pk: int):
    """The 360° page's notice (loaded by htmx after the page): a link to the customer's
    possible duplicates when there are some, nothing (204) otherwise."""
    customer = get_customer(request, pk)
    if not duplicates_suspected(actor=request.user, customer=customer):
        return HttpResponse(status=204)
    return render(request, "customers/_duplicates_notice.html", {"customer": customer})
