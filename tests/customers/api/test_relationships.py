"""A customer's relationships in the API: related customers the caller may not see stay hidden."""

from __future__ import annotations

import pytest

from customers.models import (
    Relationship,
)
from tests.customers.factories import make_corporate, make_individual

pytestmark = pytest.mark.django_db


# --- relationships --------------------------------------------------------------------------


def test_relationships_hide_customers_the_caller_may_not_see(
    rm, relationship_manager, branch, customer, other_relationship_manager, other_branch
):
    spouse = make_individual(relationship_manager=relationship_manager, branch=branch)
    company = make_corporate(relationship_manager=other_relationship_manager, branch=other_branch)
    Relationship.objects.create(from_customer=customer, to_customer=spouse, kind="spouse")
    Relationship.objects.create(from_customer=customer, to_customer=company, kind="director", role="CFO")
    Relationship.objects.create(from_customer=spouse, to_customer=customer, kind="guarantor")

    rows = rm.get(f"/api/v1/customers/{customer.pk}/relationships/").json()["results"]

    by_kind = {row["kind"]: row for row in rows}
    assert by_kind["spouse"]["related_customer"] == {
        "id": spouse.pk,
        "number": spouse.number,
        "display_name": spouse.display_name,
    }
    assert by_kind["spouse"]["direction"] == "outgoing"
    assert by_kind["director"]["related_customer"] == {
        "id": None,
        "number": None,
        "display_name": "Another customer",
    }
    assert by_kind["director"]["role"] == "CFO"
    assert by_kind["guarantor"]["direction"] == "incoming"
    assert company.display_name not in str(rows)
