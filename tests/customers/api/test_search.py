"""Searching customers through the API: names in the URL, exact phone, e-mail and ID numbers
in the body only."""

from __future__ import annotations

import pytest

from tests.customers.api.helpers import (
    LIST_URL,
    SEARCH_URL,
    field_errors,
)
from tests.customers.factories import make_individual

pytestmark = pytest.mark.django_db


def test_list_search_by_name(rm, relationship_manager, branch, customer):
    make_individual(
        relationship_manager=relationship_manager, branch=branch, given_name="Mei", family_name="Chen"
    )

    response = rm.get(LIST_URL, {"q": "chen"})

    assert [row["display_name"] for row in response.json()["results"]] == ["Chen Mei"]


def test_list_refuses_a_phone_number_in_the_url(rm, customer):
    fields = field_errors(rm.get(LIST_URL, {"q": "+86 138 0013 5678"}))

    assert list(fields) == ["q"]


def test_search_by_exact_phone_email_or_id_in_the_body_uses_the_blind_index(
    rm, customer, relationship_manager, branch
):
    make_individual(relationship_manager=relationship_manager, branch=branch)

    by_phone = rm.post(SEARCH_URL, {"q": "13800135678"}, format="json")
    by_email = rm.post(SEARCH_URL, {"q": "ZHANG.WEI@example.cn"}, format="json")
    by_id = rm.post(SEARCH_URL, {"q": "110105-19800101-1234"}, format="json")

    for response in (by_phone, by_email, by_id):
        assert response.status_code == 200
        assert [row["id"] for row in response.json()["results"]] == [customer.pk]


def test_search_needs_a_term(rm):
    assert list(field_errors(rm.post(SEARCH_URL, {}, format="json"))) == ["q"]
