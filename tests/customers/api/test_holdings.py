"""A customer's holdings in the API: masking, upserts by reference, bad input, query count."""

from __future__ import annotations

from decimal import Decimal

import pytest

from compliance.models import AuditEvent
from customers.models import (
    Holding,
)
from tests.customers.api.helpers import (
    client_for,
    count_queries,
    field_errors,
)
from tests.customers.factories import make_holding, make_individual

pytestmark = pytest.mark.django_db


# --- holdings -------------------------------------------------------------------------------


def _holdings(customer) -> str:
    return f"/api/v1/customers/{customer.pk}/holdings/"


def _holding_body(**overrides) -> dict:
    body = {
        "external_reference": "H-77",
        "product_type": "term_deposit",
        "product_name": "12-month deposit",
        "account_number": "6222 0210 0100 7788",
        "balance": "500000.00",
        "currency": "CNY",
        "opened_on": "2024-03-01",
        "matures_on": "2025-03-01",
    }
    body.update(overrides)
    return body


def test_holdings_in_clear_for_the_rm(rm, customer):
    holding = make_holding(customer, account_number="6222 0210 0100 4321", balance=Decimal("1234.50"))

    body = rm.get(_holdings(customer)).json()

    assert body["results"] == [
        {
            "id": holding.pk,
            "external_reference": holding.external_reference,
            "product_type": "savings_account",
            "product_name": "Savings",
            "account_number": "6222 0210 0100 4321",
            "balance": "1234.50",
            "currency": "CNY",
            "status": "active",
            "opened_on": "2020-01-01",
            "matures_on": None,
            "updated_at": body["results"][0]["updated_at"],
            "masked_fields": [],
            "unreadable_fields": [],
        }
    ]


def test_holdings_masked_for_branch_staff(branch_staff, customer):
    make_holding(customer, account_number="6222 0210 0100 4321")

    row = client_for(branch_staff).get(_holdings(customer)).json()["results"][0]

    assert row["account_number"] == "****4321"
    assert row["balance"] == "******"
    assert row["masked_fields"] == ["account_number", "balance"]


def test_holding_upsert_by_reference_in_the_body(service, customer):
    created = service.post(_holdings(customer), _holding_body(), format="json")
    updated = service.post(_holdings(customer), _holding_body(balance="600000.00"), format="json")

    assert (created.status_code, updated.status_code) == (201, 200)
    holding = Holding.objects.get(external_reference="H-77")
    assert (holding.balance, holding.account_number, holding.account_number_mask) == (
        Decimal("600000.00"),
        "6222021001007788",
        "****7788",
    )
    assert Holding.objects.filter(customer=customer).count() == 1
    customer.refresh_from_db()
    assert customer.aum == Decimal("600000.00")


def test_holding_put_by_reference_creates_then_updates(service, customer):
    url = f"{_holdings(customer)}H-88/"
    body = _holding_body()
    del body["external_reference"]

    created = service.put(url, body, format="json")
    updated = service.put(url, {**body, "status": "matured"}, format="json")

    assert (created.status_code, updated.status_code) == (201, 200)
    assert Holding.objects.get(external_reference="H-88").status == "matured"


def test_holding_bad_input_is_field_errors(service, customer):
    body = _holding_body(balance="abc", product_type="gold_bar", opened_on="2999-01-01", currency="yuan")

    assert set(field_errors(service.post(_holdings(customer), body, format="json"))) == {
        "balance",
        "product_type",
        "opened_on",
        "currency",
    }
    assert not Holding.objects.exists()


def test_holding_cannot_mature_before_it_opens(service, customer):
    body = _holding_body(matures_on="2020-01-01")

    assert list(field_errors(service.post(_holdings(customer), body, format="json"))) == ["matures_on"]


def test_individual_cannot_hold_a_corporate_product(service, customer):
    body = _holding_body(product_type="trade_finance")

    assert list(field_errors(service.post(_holdings(customer), body, format="json"))) == ["product_type"]


def test_holding_reference_of_another_customer_is_a_field_error(
    service, customer, relationship_manager, branch
):
    other = make_individual(relationship_manager=relationship_manager, branch=branch)
    make_holding(other, external_reference="H-77")

    response = service.post(_holdings(customer), _holding_body(), format="json")

    assert list(field_errors(response)) == ["external_reference"]
    assert Holding.objects.get(external_reference="H-77").customer_id == other.pk


def test_holdings_query_count_does_not_grow(rm, customer):
    make_holding(customer)
    few = count_queries(rm, _holdings(customer))
    for _ in range(8):
        make_holding(customer)

    assert count_queries(rm, _holdings(customer)) == few


def test_reading_holdings_in_clear_notes_each_holdings_account_number_and_balance(
    rm, relationship_manager, customer
):
    first = make_holding(customer, account_number="6222 0210 0100 4321")
    second = make_holding(customer, account_number="6222 0210 0100 8765")

    rm.get(_holdings(customer))

    event = AuditEvent.objects.filter(action="pii.revealed").latest("sequence")
    assert event.actor_id == relationship_manager.pk
    assert event.extra["objects"] == {"customers.holding": sorted([first.pk, second.pk])}
    assert set(event.fields) == {"account_number", "balance"}


def test_masked_holdings_note_no_clear_read(branch_staff, customer):
    make_holding(customer, account_number="6222 0210 0100 4321")
    before = AuditEvent.objects.filter(action="pii.revealed").count()

    client_for(branch_staff).get(_holdings(customer))

    assert AuditEvent.objects.filter(action="pii.revealed").count() == before
