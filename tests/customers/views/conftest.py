"""Fixtures of the customer page tests: rm.one's customer Zhang Wei, and a colleague of rm.one."""

from __future__ import annotations

import pytest

from crm.roles import Role
from tests.customers.factories import make_individual
from tests.customers.views.pages import PHONE
from tests.factories import UserFactory


@pytest.fixture
def customer(relationship_manager, branch):
    return make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Wei",
                           family_name="Zhang", phone=PHONE, email="wei.zhang@example.cn",
                           id_number="110105198001011234")


@pytest.fixture
def colleague(branch):
    """A second relationship manager in the same branch."""
    return UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=branch, username="rm.two")
