"""Who may come to an event: its tiers and segments (empty lists: everyone)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from loyalty.tiers import current_tier


def customer_tier_code(customer) -> str | None:
    """The code of the customer's loyalty tier (set by the monthly review), or None when they
    have none: an event limited to tiers then does not admit them."""
    tier = current_tier(customer)
    return tier.code if tier is not None else None


def ineligibility(event, customer) -> str | None:
    """Why `customer` may not come to `event`, in the reader's language; None when they may."""
    if event.eligible_segments and customer.segment not in event.eligible_segments:
        return _("This event is for other segments.")
    if event.eligible_tiers and customer_tier_code(customer) not in event.eligible_tiers:
        return _("This event is for customers of other tiers.")
    return None
