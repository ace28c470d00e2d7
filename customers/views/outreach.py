"""What the 360° page's consent and contact panel posts: consent granted or withdrawn, contact
holds placed and lifted. Each view fetches the customer through the selectors, asks the
policy, validates the form, calls one outreach service and redirects; a refused service shows
its errors on the form again."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.forms import add_validation_errors
from customers import outreach, permissions
from customers.forms import ConsentRecordForm, ContactHoldLiftForm, ContactHoldPlaceForm
from customers.models import ConsentStatus
from customers.permissions import CustomerAction
from customers.views.common import get_customer, portal_page
from customers.views.detail import render_detail


def _back(pk: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse('customer-detail', args=[pk])}#contact-panel")


@portal_page
@require_POST
def customer_consent_record(request, pk: int):
    """Grant or withdraw a consent, with its source and evidence."""
    customer = get_customer(request, pk)
    permissions.check(request.user, CustomerAction.MANAGE_CONSENT, customer)
    form = ConsentRecordForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            outreach.consent_record(actor=request.user, customer=customer, channel=data["channel"],
                                    purpose=data["purpose"], status=data["status"], source=data["source"],
                                    evidence_reference=data["evidence_reference"])
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            if data["status"] == ConsentStatus.GRANTED:
                messages.success(request, _("Consent recorded."))
            else:
                messages.success(request, _("Consent withdrawn: no further contacts of this kind."))
            return _back(pk)
    return render_detail(request, customer, forms={"consent_form": form})


@portal_page
@require_POST
def customer_hold_place(request, pk: int):
    """Put outreach to the customer on hold, saying why."""
    customer = get_customer(request, pk)
    permissions.check(request.user, CustomerAction.PLACE_HOLD, customer)
    form = ContactHoldPlaceForm(request.POST)
    if form.is_valid():
        try:
            outreach.contact_hold_place(actor=request.user, customer=customer, kind=form.cleaned_data["kind"],
                                        reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Contact put on hold."))
            return _back(pk)
    return render_detail(request, customer, forms={"hold_form": form})


@portal_page
@require_POST
def customer_hold_lift(request, pk: int):
    """Lift one of the customer's open holds."""
    customer = get_customer(request, pk)
    permissions.check(request.user, CustomerAction.PLACE_HOLD, customer)
    form = ContactHoldLiftForm(request.POST)
    if not form.is_valid():
        raise Http404
    hold = (outreach.contact_hold_list(customer=customer, open_only=True)
            .filter(pk=form.cleaned_data["hold"]).first())
    if hold is None:
        raise Http404
    outreach.contact_hold_lift(actor=request.user, hold=hold, reason=form.cleaned_data["reason"])
    messages.success(request, _("Contact hold lifted."))
    return _back(pk)
