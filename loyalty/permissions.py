"""Who may do what with a customer's loyalty: actions added to the one policy table
(customers.permissions.extend_policy, from LoyaltyConfig.ready()), answered by the same
`allows`, `check` and `restrict` as every customer action.

    VIEW_POINTS         see points, tier and growth plan: whoever sees the customer
    REDEEM              redeem points for a reward, fulfil or cancel a redemption: the RM of the
                        book or the delegate covering it (who see it in clear), core banking and
                        the channels' service accounts, the branch manager for the branch
    ADJUST_POINTS       propose a manual adjustment: the RM of the book / delegate, the branch
                        manager
    APPROVE_ADJUSTMENT  approve or reject an adjustment above the approval size: the branch
                        manager for the branch (head office with the same right for all);
                        never the person who proposed it (the service refuses that)
    EARN_ACTIVITY       report a product activity that earns points: core banking and other
                        systems' service accounts (head office with change)

Configuration (earning rules, rewards, tiers) is decided by Django's permissions.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from customers.permissions import (
    ADD,
    CHANGE,
    EXPORT,
    REASSIGN,
    VIEW,
    Grant,
    Scope,
    allows,
    check,
    refusal,
)


class LoyaltyAction(StrEnum):
    VIEW_POINTS = "view_points"
    REDEEM = "redeem_points"
    ADJUST_POINTS = "adjust_points"
    APPROVE_ADJUSTMENT = "approve_points_adjustment"
    EARN_ACTIVITY = "earn_activity"


class LoyaltySettingsAction(StrEnum):
    EARNING_RULES = "configure_earning_rules"
    REWARDS = "configure_rewards"
    TIERS = "configure_tiers"


RULES: dict[str, tuple[Grant, ...]] = {
    LoyaltyAction.VIEW_POINTS: (Grant((VIEW, ADD, CHANGE, EXPORT, REASSIGN), Scope.VISIBLE),),
    LoyaltyAction.REDEEM: (Grant((CHANGE,), Scope.CLEAR), Grant((REASSIGN,), Scope.BRANCH)),
    LoyaltyAction.ADJUST_POINTS: (Grant((CHANGE,), Scope.CLEAR), Grant((REASSIGN,), Scope.BRANCH)),
    LoyaltyAction.APPROVE_ADJUSTMENT: (Grant((REASSIGN,), Scope.BRANCH),),
    LoyaltyAction.EARN_ACTIVITY: (Grant((CHANGE,), Scope.HEAD_OFFICE),),
}

SETTINGS_RULES: dict[str, tuple[str, ...]] = {
    LoyaltySettingsAction.EARNING_RULES: ("loyalty.change_earningrule",),
    LoyaltySettingsAction.REWARDS: ("loyalty.change_reward",),
    LoyaltySettingsAction.TIERS: ("loyalty.change_tier",),
}

REFUSALS = {
    LoyaltyAction.VIEW_POINTS: _("You may not see this customer's points."),
    LoyaltyAction.REDEEM: _("You may redeem points only for customers of your book or branch."),
    LoyaltyAction.ADJUST_POINTS: _("You may adjust points only for customers of your book or branch."),
    LoyaltyAction.APPROVE_ADJUSTMENT: _("Only a branch manager may approve points adjustments."),
    LoyaltyAction.EARN_ACTIVITY: _("Only a service account may report activities that earn points."),
    LoyaltySettingsAction.EARNING_RULES: _("You may not change the earning rules."),
    LoyaltySettingsAction.REWARDS: _("You may not change the rewards catalogue."),
    LoyaltySettingsAction.TIERS: _("You may not change the tiers."),
}


def register_policy() -> None:
    """Add the loyalty actions to the one policy (from LoyaltyConfig.ready(), once)."""
    from customers.permissions import RULES as CUSTOMER_RULES
    from customers.permissions import extend_policy

    if LoyaltyAction.VIEW_POINTS in CUSTOMER_RULES:
        return
    extend_policy(rules=RULES, settings_rules=SETTINGS_RULES, refusals=REFUSALS)


def restrict(queryset, user, action: str):
    """Customers of `queryset` on which `user` may perform the loyalty `action`."""
    from compliance import access
    from customers.models import Customer

    return access.policy_for(Customer).restrict(queryset, user, action)


__all__ = ["LoyaltyAction", "LoyaltySettingsAction", "allows", "check", "refusal", "register_policy",
           "restrict"]
