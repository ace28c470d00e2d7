"""customers.services.book: reassignment moves book access with the customer, and a refused
reassignment or reveal changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crm.roles import Role
from customers import permissions, services
from customers.models import Customer, RevealGrant
from tests.customers.factories import make_individual
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VIEW_CLEAR = permissions.CustomerAction.VIEW_CLEAR


@pytest.fixture
def customer(relationship_manager, branch):
    return make_individual(relationship_manager=relationship_manager, branch=branch)


@pytest.fixture
def colleague(branch):
    return UserFactory(username="rm.colleague", role=Role.RELATIONSHIP_MANAGER, branch=branch)


def test_reassignment_moves_book_access(branch_manager, relationship_manager, colleague, customer):
    result = services.customer_reassign(
        actor=branch_manager, customer=customer, relationship_manager=colleague
    )

    customer = Customer.objects.get(pk=customer.pk)
    assert (result.moved, result.unchanged) == (1, 0)
    assert customer.relationship_manager_id == colleague.pk
    assert permissions.allows(colleague, VIEW_CLEAR, customer)
    assert not permissions.allows(relationship_manager, VIEW_CLEAR, customer)


def test_a_relationship_manager_may_not_reassign_and_nothing_moves(relationship_manager, colleague, customer):
    with pytest.raises(PermissionDenied):
        services.customer_reassign(
            actor=relationship_manager, customer=customer, relationship_manager=colleague
        )

    assert Customer.objects.get(pk=customer.pk).relationship_manager_id == relationship_manager.pk
    assert not permissions.allows(colleague, VIEW_CLEAR, customer)


def test_a_reveal_without_a_purpose_grants_nothing(compliance_officer, customer):
    with pytest.raises(ValidationError) as raised:
        services.customer_reveal(actor=compliance_officer, customer=customer, fields=["phone"], purpose="")

    assert list(raised.value.message_dict) == ["purpose"]
    assert not RevealGrant.objects.exists()


def test_a_compliance_officer_reveals_for_a_limited_time(compliance_officer, customer):
    grant = services.customer_reveal(
        actor=compliance_officer, customer=customer, fields=["phone"], purpose="Complaint 2024-118 review",
        minutes=10,
    )

    assert grant.fields == ["phone"]
    assert (grant.expires_at - grant.granted_at).total_seconds() == 600
