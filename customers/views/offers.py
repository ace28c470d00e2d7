"""What the 360° page's "Suitable offers" panel posts (refresh the suggestions, accept or
dismiss one) and the acceptance report per rule. Each view fetches the customer through the
selectors, asks the policy, validates the form and calls one offers service; a refused
service shows its errors on the form again."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm.forms import add_validation_errors
from customers import permissions
from customers.forms import SuggestionAcceptForm, SuggestionDismissForm
from customers.models import SuggestionStatus
from customers.outreach import offers
from customers.permissions import CustomerAction
from customers.views.common import get_customer, portal_page


def _back(pk: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse('customer-detail', args=[pk])}#offers")


def _open_suggestion(customer, suggestion_id: int):
    suggestion = offers.suggestion_list(customer=customer, status=SuggestionStatus.OPEN).filter(
        pk=suggestion_id).first()
    if suggestion is None:
        raise Http404
    return suggestion


def _decide_page(request, customer, suggestion, form, decision: str):
    context = {"customer": customer, "row": offers.suggestion_rows([suggestion])[0], "form": form,
               "decision": decision}
    return render(request, "customers/offers/decide.html", context)


@portal_page
@require_POST
def suggestions_refresh(request, pk: int):
    """Compute the customer's suggestions now."""
    customer = get_customer(request, pk)
    permissions.check(request.user, CustomerAction.WORK_OFFERS, customer)
    result = offers.suggestions_refresh(actor=request.user, customer=customer)
    messages.success(request, _("Suggestions refreshed: %(created)s new, %(expired)s expired.") % {
        "created": result.created, "expired": result.expired})
    return _back(pk)


@portal_page
@require_POST
def suggestion_accept(request, pk: int, suggestion_id: int):
    """The customer takes up a suggested product."""
    customer = get_customer(request, pk)
    permissions.check(request.user, CustomerAction.WORK_OFFERS, customer)
    suggestion = _open_suggestion(customer, suggestion_id)
    form = SuggestionAcceptForm(request.POST)
    if form.is_valid():
        try:
            offers.suggestion_accept(actor=request.user, suggestion=suggestion,
                                     note=form.cleaned_data["note"], channel=form.cleaned_data["channel"])
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Offer accepted and logged on the timeline."))
            return _back(pk)
    return _decide_page(request, customer, suggestion, form, "accept")


@portal_page
@require_POST
def suggestion_dismiss(request, pk: int, suggestion_id: int):
    """The suggestion will not be pursued, for a reason."""
    customer = get_customer(request, pk)
    permissions.check(request.user, CustomerAction.WORK_OFFERS, customer)
    suggestion = _open_suggestion(customer, suggestion_id)
    form = SuggestionDismissForm(request.POST)
    if form.is_valid():
        try:
            offers.suggestion_dismiss(actor=request.user, suggestion=suggestion,
                                      reason=form.cleaned_data["reason"], note=form.cleaned_data["note"])
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Suggestion dismissed."))
            return _back(pk)
    return _decide_page(request, customer, suggestion, form, "dismiss")


@portal_page
@require_GET
def offer_report(request):
    """Acceptance rates per rule over the customers the user may report on."""
    permissions.check(request.user, CustomerAction.REPORT_OFFERS)
    rows = offers.acceptance_rates(actor=request.user)
    return render(request, "customers/offers/report.html", {"rows": rows})
