"""References never tell a caller that a record exists in a book they cannot see.

Each test probes one surface with a reference held by a customer of another branch (not
visible to the caller) and with one held in the caller's own book where the operation is
refused as well, and compares the answers: the same status and the same error object (the
whole body but its `request_id`, which differs per request).
"""

from __future__ import annotations

import pytest

from customers.models import Customer, Holding, Interaction
from tests.customers.api.helpers import LIST_URL, client_for, detail_url, individual_body
from tests.customers.factories import make_holding, make_individual, make_interaction

pytestmark = pytest.mark.django_db


def _error(response) -> tuple[int, dict]:
    body = response.json()
    assert set(body) == {"error", "request_id"}, body
    return response.status_code, body["error"]


@pytest.fixture
def far_customer(other_branch, other_relationship_manager):
    """A customer of another branch, in a book the relationship manager cannot see."""
    return make_individual(branch=other_branch, relationship_manager=other_relationship_manager,
                           external_reference="FAR-1")


@pytest.fixture
def own_customer(branch, relationship_manager):
    """A customer in the relationship manager's own book, with a core-banking reference."""
    return make_individual(branch=branch, relationship_manager=relationship_manager,
                           external_reference="OWN-1")


def test_creating_with_a_reference_reads_the_same_whoever_holds_it(
    rm, branch, far_customer, own_customer
):
    answers = [
        _error(rm.post(LIST_URL, individual_body(branch, external_reference=reference), format="json"))
        for reference in ("FAR-1", "OWN-1", "FREE-1")
    ]

    # Held in another book, held in the caller's own, or free: one refusal, before any lookup.
    assert answers[0] == answers[1] == answers[2]
    status, error = answers[0]
    assert status == 403
    assert error == {"status": 403, "code": "permission_denied",
                     "message": "Only core banking may change a customer's reference."}
    assert Customer.objects.count() == 2


def test_changing_to_a_reference_reads_the_same_whoever_holds_it(rm, customer, far_customer, own_customer):
    answers = [
        _error(rm.patch(detail_url(customer), {"external_reference": reference}, format="json"))
        for reference in ("FAR-1", "OWN-1", "FREE-1")
    ]

    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 403
    customer.refresh_from_db()
    assert customer.external_reference is None


def test_an_interaction_reference_reads_the_same_in_another_book_and_in_the_callers_own(
    rm, customer, far_customer, own_customer
):
    make_interaction(far_customer, external_reference="CALL-FAR")
    make_interaction(own_customer, external_reference="CALL-OWN")
    url = f"/api/v1/customers/{customer.pk}/interactions/"

    answers = [
        _error(rm.post(url, {"channel": "phone", "summary": "Called", "external_reference": reference},
                       format="json"))
        for reference in ("CALL-FAR", "CALL-OWN")
    ]

    assert answers[0] == answers[1]
    status, error = answers[0]
    assert status == 400
    assert error["fields"] == {"external_reference": ["This reference cannot be used for this interaction."]}
    assert Interaction.objects.filter(customer=customer).count() == 0


def test_a_holding_reference_reads_the_same_in_another_book_and_in_the_callers_own(
    rm, customer, far_customer, own_customer
):
    make_holding(far_customer, external_reference="H-FAR")
    make_holding(own_customer, external_reference="H-OWN")
    url = f"/api/v1/customers/{customer.pk}/holdings/"
    body = {"product_type": "savings_account", "product_name": "Savings", "balance": "10.00",
            "currency": "CNY", "status": "active", "opened_on": "2020-01-01"}

    answers = [
        _error(rm.post(url, {**body, "external_reference": reference}, format="json"))
        for reference in ("H-FAR", "H-OWN")
    ]

    assert answers[0] == answers[1]
    status, error = answers[0]
    assert status == 400
    assert error["fields"] == {"external_reference": ["This reference cannot be used for this holding."]}
    assert Holding.objects.filter(customer=customer).count() == 0


def test_core_banking_sees_every_customer_and_is_told_plainly(service_account, branch, far_customer):
    service = client_for(service_account)

    response = service.post(LIST_URL, individual_body(branch, external_reference="FAR-1"), format="json")

    # Whoever may set references sees every customer: there is nothing to hide from it.
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["external_reference"]
