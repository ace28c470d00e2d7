"""The loyalty actions in the one policy table: each with its rule and its refusal, and who
holds them by role."""

from __future__ import annotations

import pytest

from customers import permissions as customer_permissions
from loyalty import permissions
from loyalty.permissions import LoyaltyAction, LoyaltySettingsAction

pytestmark = pytest.mark.django_db


def test_every_loyalty_action_is_in_the_one_policy_with_a_refusal():
    assert set(LoyaltyAction) <= set(customer_permissions.RULES)
    assert set(LoyaltySettingsAction) <= set(customer_permissions.SETTINGS_RULES)
    assert set(LoyaltyAction) | set(LoyaltySettingsAction) <= set(customer_permissions.REFUSALS)


@pytest.mark.parametrize(("who", "expected"), [
    ("relationship_manager", {"view_points", "redeem_points", "adjust_points"}),
    ("other_relationship_manager", set()),
    ("branch_manager", {"view_points", "redeem_points", "adjust_points", "approve_points_adjustment"}),
    ("branch_staff", {"view_points"}),
    ("compliance_officer", {"view_points"}),
    ("service_account", {"view_points", "redeem_points", "adjust_points", "earn_activity"}),
    ("administrator", set()),
])
def test_who_may_do_what_on_a_customer(request, customer, who, expected):
    user = request.getfixturevalue(who)
    allowed = {action.value for action in LoyaltyAction if permissions.allows(user, action, customer)}
    assert allowed == expected


@pytest.mark.parametrize("action", list(LoyaltySettingsAction))
def test_configuration_is_for_administrators(action, administrator, branch_manager):
    assert permissions.allows(administrator, action)
    assert not permissions.allows(branch_manager, action)
