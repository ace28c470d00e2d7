"""Higher apps add their actions on customers to the one policy table (extend_policy)."""

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from customers import permissions
from customers.models import Customer
from customers.permissions import CHANGE, Grant, Scope
from tests.customers.factories import make_individual

pytestmark = pytest.mark.django_db

ACTION = "test_extended_action"


@pytest.fixture
def extended():
    permissions.extend_policy(rules={ACTION: (Grant((CHANGE,), Scope.CLEAR),)},
                              refusals={ACTION: "You may not do the extended thing."})
    yield ACTION
    permissions.RULES.pop(ACTION)
    permissions.REFUSALS.pop(ACTION)


def test_an_extended_action_is_answered_by_the_same_policy(extended, relationship_manager,
                                                          other_relationship_manager, branch):
    rm, stranger = relationship_manager, other_relationship_manager
    customer = make_individual(relationship_manager=rm, branch=branch)
    assert permissions.allows(rm, extended, customer)
    assert not permissions.allows(stranger, extended, customer)
    with pytest.raises(PermissionDenied, match="extended thing"):
        permissions.check(stranger, extended, customer)
    restricted = permissions.access.policy_for(Customer).restrict(Customer.objects.all(), rm, extended)
    assert list(restricted.values_list("pk", flat=True)) == [customer.pk]


def test_an_action_cannot_be_added_twice(extended):
    with pytest.raises(ImproperlyConfigured):
        permissions.extend_policy(rules={permissions.CustomerAction.CHANGE: ()})
    with pytest.raises(ImproperlyConfigured):
        permissions.extend_policy(settings_rules={extended: ("customers.change_customer",)})
