"""The loyalty app's declarations to the trust layer. Its records about a customer (points
adjustments, redemptions, tier changes) carry no personal data of their own (reasons are
codes, references are the bank's): they are registered so that the one policy decides who
sees them, as it decides for the customer they belong to."""

from __future__ import annotations

from compliance import access


def register_protected_models() -> None:
    """Register the loyalty records hanging off a customer (from AppConfig.ready())."""
    from customers.trust import CustomerChildPolicy
    from loyalty.models import PointsAdjustment, Redemption, TierChange

    for model in (PointsAdjustment, Redemption, TierChange):
        access.register(model, policy=CustomerChildPolicy(model), fields=[])
