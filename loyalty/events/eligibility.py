"""Who may come to an event: its tiers and segments (empty lists: everyone)."""

from __future__ import annotations

from django.utils.translation import gettext as _


def customer_tier_code(customer) -> str | None:
    """The code of the customer's loyalty tier, or None when they have none.

    The tiers live with the points ledger (loyalty.tiers); until it is connected every
    customer has none, so an event limited to tiers admits nobody.
    """
    return None


def ineligibility(event, customer) -> str | None:
    """Why `customer` may not come to `event`, in the reader's language; None when they may."""
    if event.eligible_segments and customer.segment not in event.eligible_segments:
        return _("This event is for other segments.")
    if event.eligible_tiers and customer_tier_code(customer) not in event.eligible_tiers:
        return _("This event is for customers of other tiers.")
    return None
