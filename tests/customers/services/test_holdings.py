"""customers.services.holdings: holding upsert by core-banking reference and the assets
under management it refreshes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from customers import services
from customers.models import Customer, Holding
from tests.customers.factories import make_individual

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(relationship_manager, branch):
    return make_individual(relationship_manager=relationship_manager, branch=branch)


def _values(**overrides) -> dict:
    values = {
        "product_type": "term_deposit", "product_name": "12-month deposit",
        "account_number": "6222021001007788", "balance": Decimal("500000.00"), "currency": "CNY",
        "opened_on": datetime.date(2024, 3, 1),
    }
    values.update(overrides)
    return values


def test_upsert_creates_then_updates_and_refreshes_the_aum(service_account, customer):
    holding, created = services.holding_upsert(
        actor=service_account, customer=customer, external_reference="H-1", values=_values()
    )
    again, created_again = services.holding_upsert(
        actor=service_account, customer=customer, external_reference="H-1",
        values=_values(balance=Decimal("600000.00")),
    )

    assert (created, created_again, again.pk) == (True, False, holding.pk)
    assert Holding.objects.get().account_number_mask == "****7788"
    assert Customer.objects.get(pk=customer.pk).aum == Decimal("600000.00")


def test_a_refused_upsert_changes_nothing(branch_staff, customer):
    with pytest.raises(PermissionDenied):
        services.holding_upsert(
            actor=branch_staff, customer=customer, external_reference="H-2", values=_values()
        )

    assert not Holding.objects.exists()
    assert Customer.objects.get(pk=customer.pk).aum == Decimal("0.00")


def test_a_reference_of_another_customers_holding_is_a_field_error(
    service_account, customer, relationship_manager, branch
):
    other = make_individual(relationship_manager=relationship_manager, branch=branch)
    services.holding_upsert(actor=service_account, customer=other, external_reference="H-3", values=_values())

    with pytest.raises(ValidationError) as raised:
        services.holding_upsert(
            actor=service_account, customer=customer, external_reference="H-3", values=_values()
        )

    assert list(raised.value.message_dict) == ["external_reference"]
    assert Holding.objects.get().customer_id == other.pk
