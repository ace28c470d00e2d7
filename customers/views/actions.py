"""What the 360° page's forms post: interactions and needs (htmx quick actions), reveal,
reassignment, the segment set by hand, and the edit page.

Each view fetches the customer through the selectors, asks the policy whether the user may
act, validates the form, calls one service and redirects; a refused service shows its
errors on the form again.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from compliance.access import RecordView
from crm.forms import add_validation_errors, validation_messages
from customers import overview, permissions, segmentation, services
from customers.forms import (
    CustomerEditForm,
    InteractionLogForm,
    NeedRecordForm,
    ReassignForm,
    RevealForm,
    SegmentOverrideForm,
    sensitive_fields_for,
)
from customers.overview.display import field_labels
from customers.permissions import CustomerAction
from customers.views.common import get_customer, is_htmx, portal_page
from customers.views.detail import render_detail


def _quick_action_response(request, customer, *, interaction_form=None, need_form=None,
                           refreshed: str = ""):
    """htmx answer for the quick actions: the panel (fresh or with errors) and, after a
    success, the refreshed timeline or needs list swapped out of band."""
    user = request.user
    context = {"customer": customer, "refreshed": refreshed}
    if permissions.allows(user, CustomerAction.LOG_INTERACTION, customer):
        context["interaction_form"] = interaction_form or InteractionLogForm()
    if permissions.allows(user, CustomerAction.RECORD_NEED, customer):
        context["need_form"] = need_form or NeedRecordForm(kind=customer.kind)
    if refreshed == "timeline":
        context["timeline"] = overview.customer_timeline(actor=user, customer=customer)
    if refreshed == "needs":
        context["needs"] = overview.customer_needs(actor=user, customer=customer)
    return render(request, "customers/_quick_actions_response.html", context)


@portal_page
@require_POST
def customer_interaction_log(request, pk: int):
    customer = get_customer(request, pk)
    permissions.check(request.user, CustomerAction.LOG_INTERACTION, customer)
    form = InteractionLogForm(request.POST)
    if form.is_valid():
        try:
            services.interaction_log(
                actor=request.user, customer=customer, channel=form.cleaned_data["channel"],
                interaction_type=form.cleaned_data["interaction_type"], summary=form.cleaned_data["summary"],
                occurred_at=form.cleaned_data["occurred_at"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Interaction logged."))
            if is_htmx(request):
                return _quick_action_response(request, customer, refreshed="timeline")
            return HttpResponseRedirect(f"{reverse('customer-detail', args=[pk])}#timeline")
    if is_htmx(request):
        return _quick_action_response(request, customer, interaction_form=form)
    return render_detail(request, customer, forms={"interaction_form": form})


@portal_page
@require_POST
def customer_need_record(request, pk: int):
    customer = get_customer(request, pk)
    permissions.check(request.user, CustomerAction.RECORD_NEED, customer)
    form = NeedRecordForm(request.POST, kind=customer.kind)
    if form.is_valid():
        try:
            services.need_record(actor=request.user, customer=customer,
                                 need_type=form.cleaned_data["need_type"], note=form.cleaned_data["note"])
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Need recorded."))
            if is_htmx(request):
                return _quick_action_response(request, customer, refreshed="needs")
            return HttpResponseRedirect(f"{reverse('customer-detail', args=[pk])}#needs")
    if is_htmx(request):
        return _quick_action_response(request, customer, need_form=form)
    return render_detail(request, customer, forms={"need_form": form})


@portal_page
@require_POST
def customer_reveal(request, pk: int):
    """Show chosen sensitive fields in clear for a while, for a stated purpose."""
    customer = get_customer(request, pk)
    permissions.check(request.user, CustomerAction.REVEAL, customer)
    form = RevealForm(request.POST, kind=customer.kind)
    if form.is_valid():
        try:
            grant = services.customer_reveal(
                actor=request.user, customer=customer, fields=form.cleaned_data["fields"],
                purpose=form.cleaned_data["purpose"], minutes=form.cleaned_data["minutes"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Shown in clear until %(time)s.") % {
                "time": timezone.localtime(grant.expires_at).strftime("%H:%M")})
            return redirect("customer-detail", pk=pk)
    return render_detail(request, customer, forms={"reveal_form": form})


@portal_page
@require_POST
def customer_reassign(request, pk: int):
    customer = get_customer(request, pk)
    permissions.check(request.user, CustomerAction.REASSIGN, customer)
    form = ReassignForm(request.POST, branch_id=customer.home_branch_id)
    if form.is_valid():
        manager = form.cleaned_data["relationship_manager"]
        try:
            result = services.customer_reassign(
                actor=request.user, customer=customer, relationship_manager=manager
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            if result.moved:
                messages.success(request, _("The customer now belongs to %(name)s's book.") % {
                    "name": manager.get_full_name() or manager.get_username()})
            else:
                messages.info(request, _("The customer was already in that book."))
            return redirect("customer-detail", pk=pk)
    return render_detail(request, customer, forms={"reassign_form": form})


@portal_page
@require_POST
def customer_segment_override(request, pk: int):
    customer = get_customer(request, pk)
    permissions.check(request.user, CustomerAction.OVERRIDE_SEGMENT, customer)
    form = SegmentOverrideForm(request.POST, kind=customer.kind)
    if form.is_valid():
        try:
            segmentation.segment_override_set(
                actor=request.user, customer=customer, segment=form.cleaned_data["segment"],
                reason=form.cleaned_data["reason"], expires_on=form.cleaned_data["expires_on"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Segment set by hand."))
            return redirect("customer-detail", pk=pk)
    return render_detail(request, customer, forms={"override_form": form})


@portal_page
@require_http_methods(["GET", "POST"])
def customer_edit(request, pk: int):
    """Edit a customer's details. Sensitive fields the user sees masked are not offered."""
    customer = get_customer(request, pk)
    permissions.check(request.user, CustomerAction.CHANGE, customer)
    view = RecordView.for_object(request.user, customer)
    if request.method == "POST":
        form = CustomerEditForm(request.POST, customer=customer, view=view)
        if form.is_valid():
            fields, profile = form.changes()
            if not fields and not profile:
                messages.info(request, _("Nothing was changed."))
                return redirect("customer-detail", pk=pk)
            try:
                changed = services.customer_update(actor=request.user, customer=customer, fields=fields,
                                                   profile=profile)
            except ValidationError as error:
                form.add_service_errors(validation_messages(error))
            else:
                messages.success(request, _("Saved: %(fields)s.") % {"fields": field_labels(changed)})
                return redirect("customer-detail", pk=pk)
    else:
        form = CustomerEditForm(customer=customer, view=view)
    hidden = [spec.label for spec in sensitive_fields_for(customer.kind)
              if spec.name not in view.clear and spec.name != "aum"]
    return render(request, "customers/edit.html",
                  {"customer": customer, "form": form, "hidden_fields": hidden})
