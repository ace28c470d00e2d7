"""Fixtures of the customers API tests: a customer in the relationship manager's book and
API clients for the relationship manager and the core-banking service account."""

from __future__ import annotations

import pytest

from tests.customers.api.helpers import client_for
from tests.customers.factories import make_individual


@pytest.fixture
def customer(relationship_manager, branch):
    return make_individual(
        relationship_manager=relationship_manager,
        branch=branch,
        phone="+86 138 0013 5678",
        email="zhang.wei@example.cn",
        id_number="110105198001011234",
    )


@pytest.fixture
def rm(relationship_manager):
    return client_for(relationship_manager)


@pytest.fixture
def service(service_account):
    return client_for(service_account)
