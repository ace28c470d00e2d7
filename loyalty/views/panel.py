"""The loyalty panel of the customer's 360° page: points, tier and growth plan, registered
with customers.overview.panels from LoyaltyConfig.ready()."""

from __future__ import annotations

from customers.overview.panels import CustomerPanel, register_customer_panel
from loyalty import permissions, selectors
from loyalty.models import TierChange
from loyalty.permissions import LoyaltyAction
from loyalty.tiers import growth_plan


def points_panel(actor, customer) -> dict | None:
    """The panel's context for `actor`, or None when they may not see the customer's points."""
    if not permissions.allows(actor, LoyaltyAction.VIEW_POINTS, customer):
        return None
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
        "may_redeem": permissions.allows(actor, LoyaltyAction.REDEEM, customer),
        "may_adjust": permissions.allows(actor, LoyaltyAction.ADJUST_POINTS, customer),
    }


def register_panels() -> None:
    register_customer_panel(CustomerPanel(name="loyalty", template="loyalty/_customer_panel.html",
                                          context=points_panel, order=20, column="main"))
