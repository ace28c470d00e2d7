"""The points pages: a customer's points history (with the adjustment form) and the
adjustment approval queue. Each view fetches through the selectors, asks the policy, validates
the form, calls one service and redirects; a refused service shows its errors on the form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm.forms import add_validation_errors
from crm.pagination import cursor_param, keyset_paginate
from customers.views.common import get_customer, portal_page
from loyalty import permissions, points, selectors, tiers
from loyalty.forms import AdjustmentForm, DecisionForm
from loyalty.permissions import LoyaltyAction

PAGE_SIZE = 50


def _history(request, customer, *, form=None, status=200):
    selectors.check_sees_points(request.user, customer)
    page = keyset_paginate(selectors.points_history(actor=request.user, customer=customer), size=PAGE_SIZE,
                           after=cursor_param(request.GET, "after"), before=cursor_param(request.GET,
                                                                                         "before"))
    may_adjust = permissions.allows(request.user, LoyaltyAction.ADJUST_POINTS, customer)
    context = {
        "customer": customer,
        "summary": selectors.points_summary(actor=request.user, customer=customer),
        "tier": tiers.current_tier(customer),
        "page": page,
        "may_adjust": may_adjust,
        "form": form if form is not None else (AdjustmentForm() if may_adjust else None),
        "adjustments": selectors.adjustments_of(actor=request.user, customer=customer),
        "threshold": points.adjustments.approval_threshold(),
    }
    return render(request, "loyalty/points_history.html", context, status=status)


@portal_page
@require_GET
def customer_points(request, pk: int):
    """The customer's points: summary, tier and every entry, newest first (keyset pages)."""
    return _history(request, get_customer(request, pk))


@portal_page
@require_POST
def customer_points_adjust(request, pk: int):
    """Propose a manual adjustment (applied at once within the approval size)."""
    customer = get_customer(request, pk)
    permissions.check(request.user, LoyaltyAction.ADJUST_POINTS, customer)
    form = AdjustmentForm(request.POST)
    if form.is_valid():
        try:
            adjustment = points.adjustment_propose(actor=request.user, customer=customer, **form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            if adjustment.status == "applied":
                messages.success(request, _("Points adjusted."))
            else:
                messages.success(request, _("Adjustment proposed: it waits for a second person's approval."))
            return HttpResponseRedirect(reverse("loyalty:customer-points", args=[customer.pk]))
    return _history(request, customer, form=form, status=400)


@portal_page
@require_GET
def adjustment_queue(request):
    """Pending adjustments the user may approve, oldest first."""
    pending = list(selectors.adjustments_pending(actor=request.user)[:200])
    return render(request, "loyalty/adjustment_queue.html", {"pending": pending})


@portal_page
@require_POST
def adjustment_decide(request, pk: int):
    """Approve or reject one pending adjustment."""
    adjustment = selectors.adjustment_get(actor=request.user, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        raise Http404
    approve = form.cleaned_data["decision"] == "approve"
    decide = points.adjustment_approve if approve else points.adjustment_reject
    try:
        decide(actor=request.user, adjustment=adjustment)
    except PermissionDenied as refused:
        messages.error(request, str(refused))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request,
                         _("Adjustment approved and applied.") if form.cleaned_data["decision"] == "approve"
                         else _("Adjustment rejected."))
    return HttpResponseRedirect(reverse("loyalty:adjustment-queue"))
