"""The customer 360° page and its htmx fragments.

Everything the page shows comes from one selector, `customers.overview.customer_360`; this
module adds the forms of the actions the selector says the user may take.
"""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from crm.pagination import cursor_param
from customers import overview
from customers.forms import (
    ConsentRecordForm,
    ContactHoldPlaceForm,
    InteractionLogForm,
    NeedRecordForm,
    ReassignForm,
    RevealForm,
    SegmentOverrideForm,
)
from customers.views.common import get_customer, is_htmx, portal_page


def detail_context(request, customer, *, forms: dict | None = None) -> dict:
    """The 360° page's context: the selector's read and the forms it offers (`forms`: bound
    forms to show again with their errors, by context name)."""
    page = overview.customer_360(actor=request.user, customer=customer,
                                  interactions_before=cursor_param(request.GET, "interactions_before"))
    context = page.as_context()
    forms = forms or {}
    if page.may_act:
        context["interaction_form"] = forms.get("interaction_form") or InteractionLogForm()
    if page.may_record_need:
        context["need_form"] = forms.get("need_form") or NeedRecordForm(kind=customer.kind)
    if page.may_reveal:
        context["reveal_form"] = forms.get("reveal_form") or RevealForm(kind=customer.kind)
    if page.may_reassign:
        context["reassign_form"] = forms.get("reassign_form") or ReassignForm(
            branch_id=customer.home_branch_id,
            initial={"relationship_manager": customer.relationship_manager_id},
        )
    if page.may_override_segment:
        context["override_form"] = forms.get("override_form") or SegmentOverrideForm(kind=customer.kind)
    if page.may_manage_consent:
        context["consent_form"] = forms.get("consent_form") or ConsentRecordForm()
    if page.may_place_hold:
        context["hold_form"] = forms.get("hold_form") or ContactHoldPlaceForm()
    return context


def render_detail(request, customer, *, forms: dict | None = None, status: int = 200):
    """The 360° page, with `forms` (bound, with errors) in place of fresh ones."""
    return render(request, "customers/detail.html", detail_context(request, customer, forms=forms),
                  status=status)


@portal_page
@require_GET
def customer_detail(request, pk: int):
    """The customer 360° page."""
    return render_detail(request, get_customer(request, pk))


@portal_page
@require_GET
def customer_interactions(request, pk: int):
    """More of the timeline (htmx "load more"); without htmx, the 360° page at that point."""
    customer = get_customer(request, pk)
    before = cursor_param(request.GET, "before")
    if not is_htmx(request):
        query = f"?{urlencode({'interactions_before': before})}" if before else ""
        return HttpResponseRedirect(f"{reverse('customer-detail', args=[pk])}{query}#timeline")
    context = {
        "customer": customer,
        "timeline": overview.customer_timeline(actor=request.user, customer=customer, before=before),
    }
    return render(request, "customers/_timeline_items.html", context)
