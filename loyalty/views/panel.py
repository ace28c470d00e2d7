"""The loyalty panel of the customer's 360° page: points, tier and growth plan, registered
with customers.overview.panels from LoyaltyConfig.ready().

The 360° page keeps its query budget: its panel is a placeholder that htmx fills from
`customer_loyalty_panel` once the page has loaded (without JavaScript, a link to the points
page). The placeholder reads nothing but the policy's answer, which the page has already read.
"""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from customers.overview.panels import CustomerPanel, register_customer_panel
from customers.views.common import get_customer, portal_page
from loyalty import permissions, selectors
from loyalty.models import TierChange
from loyalty.permissions import LoyaltyAction
from loyalty.tiers import growth_plan


def points_panel(actor, customer) -> dict | None:
    """The placeholder's context for `actor`, or None when they may not see the points."""
    if not permissions.allows(actor, LoyaltyAction.VIEW_POINTS, customer):
        return None
    return {"customer": customer}


def panel_context(actor, customer) -> dict:
    """What the filled panel shows (the caller has checked VIEW_POINTS)."""
    plan = growth_plan(customer)
    return {
        "customer": customer,
        "summary": selectors.points_summary_unrestricted(customer.pk),
        "plan": plan,
        # The milestones as bars of the inline chart (met: full width), beside their table.
        "bars": [{"label": item.label, "met": item.met, "y": index * 12, "width": 200 if item.met else 40}
                 for index, item in enumerate(plan.milestones)],
        "chart_height": 12 * len(plan.milestones),
        "changes": list(TierChange.objects.filter(customer_id=customer.pk)
                        .select_related("from_tier", "to_tier").order_by("-reviewed_on")[:3]),
    }


@portal_page
@require_GET
def customer_loyalty_panel(request, pk: int):
    """The loyalty panel's content, for the 360° page to load (an htmx fragment)."""
    customer = get_customer(request, pk)
    selectors.check_sees_points(request.user, customer)
    return render(request, "loyalty/_customer_panel_body.html", {"panel": panel_context(request.user,
                                                                                        customer)})


def register_panels() -> None:
    register_customer_panel(CustomerPanel(name="loyalty", template="loyalty/_customer_panel.html",
                                          context=points_panel, order=20, column="main"))
