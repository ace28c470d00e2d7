"""The rewards page of a customer: what they may redeem now, their redemptions, and the
actions on them (redeem, mark fulfilled, cancel)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from customers.views.common import get_customer, portal_page
from loyalty import permissions, rewards, selectors
from loyalty.forms import RedeemForm, RedemptionDecisionForm
from loyalty.models import Reward
from loyalty.permissions import LoyaltyAction


def _page(request, customer, *, errors=(), status=200):
    selectors.check_sees_points(request.user, customer)
    context = {
        "customer": customer,
        "summary": selectors.points_summary(actor=request.user, customer=customer),
        "rewards": list(rewards.rewards_available(customer=customer)),
        "redemptions": selectors.redemptions_of(actor=request.user, customer=customer),
        "may_redeem": permissions.allows(request.user, LoyaltyAction.REDEEM, customer),
        "errors": list(errors),
    }
    return render(request, "loyalty/rewards.html", context, status=status)


def _back(customer) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("loyalty:customer-rewards", args=[customer.pk]))


@portal_page
@require_GET
def customer_rewards(request, pk: int):
    return _page(request, get_customer(request, pk))


@portal_page
@require_POST
def customer_redeem(request, pk: int):
    """Redeem a reward of the catalogue for the customer."""
    customer = get_customer(request, pk)
    permissions.check(request.user, LoyaltyAction.REDEEM, customer)
    form = RedeemForm(request.POST)
    reward = Reward.objects.filter(pk=form.cleaned_data["reward"]).first() if form.is_valid() else None
    if reward is None:
        return _page(request, customer, errors=[_("Choose a reward of the catalogue.")], status=400)
    try:
        rewards.redemption_request(actor=request.user, customer=customer, reward=reward)
    except ValidationError as error:
        return _page(request, customer, errors=error.messages, status=400)
    messages.success(request, _("Reward redeemed."))
    return _back(customer)


@portal_page
@require_POST
def redemption_decide(request, pk: int, redemption_pk: int):
    """Mark a redemption fulfilled, or cancel it (the points are refunded)."""
    customer = get_customer(request, pk)
    permissions.check(request.user, LoyaltyAction.REDEEM, customer)
    redemption = selectors.redemption_get(actor=request.user, customer=customer, pk=redemption_pk)
    form = RedemptionDecisionForm(request.POST)
    if not form.is_valid():
        raise Http404
    fulfil = form.cleaned_data["decision"] == "fulfil"
    decide = rewards.redemption_fulfil if fulfil else rewards.redemption_cancel
    try:
        decide(actor=request.user, redemption=redemption)
    except ValidationError as error:
        return _page(request, customer, errors=error.messages, status=400)
    messages.success(request, _("Redemption fulfilled.") if fulfil
                     else _("Redemption cancelled; the points are back."))
    return _back(customer)
