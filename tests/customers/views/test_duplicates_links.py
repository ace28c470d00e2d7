"""Reaching the duplicates page: the Duplicates entry of the navigation (the branch's customers
with possible duplicates) and the notice on a customer's page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.customers.factories import make_corporate, make_individual
from tests.customers.views.pages import REQUEST_OVERHEAD, body_of, detail

OVERVIEW = reverse("customer-duplicates-overview")


def notice_url(customer) -> str:
    return reverse("customer-duplicates-notice", args=[customer.pk])


def labels(client) -> list[str]:
    return [str(entry["label"]) for entry in client.get(reverse("home")).context["navigation"]]


@pytest.fixture
def twin(relationship_manager, branch, customer):
    """Another record in the same branch with the customer's phone."""
    return make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Min",
                           family_name="Wang", phone=customer.phone)


# ---------------------------------------------------------------------------------------------
# Navigation and the overview


@pytest.mark.parametrize(("role", "shown"), [
    ("branch_manager", True), ("relationship_manager", False), ("branch_staff", False),
    ("compliance_officer", False),
])
def test_the_navigation_offers_duplicates_to_those_who_merge(client, request, role, shown):
    client.force_login(request.getfixturevalue(role))

    assert ("Duplicates" in labels(client)) is shown


def test_on_the_overview_the_duplicates_entry_is_the_current_one(client, branch_manager):
    client.force_login(branch_manager)

    entries = client.get(OVERVIEW).context["navigation"]

    assert [str(entry["label"]) for entry in entries if entry["active"]] == ["Duplicates"]


def test_the_overview_lists_the_branchs_customers_with_possible_duplicates(
    client, branch_manager, relationship_manager, branch, other_branch, other_relationship_manager, customer,
    twin,
):
    alone = make_individual(relationship_manager=relationship_manager, branch=branch)
    make_corporate(relationship_manager=relationship_manager, branch=branch, phone="", email="", id_number="")
    make_corporate(relationship_manager=relationship_manager, branch=branch, phone="", email="", id_number="")
    far = make_individual(relationship_manager=other_relationship_manager, branch=other_branch)
    make_individual(relationship_manager=other_relationship_manager, branch=other_branch, phone=far.phone)
    client.force_login(branch_manager)

    response = client.get(OVERVIEW)

    assert response.status_code == 200
    assert [row.pk for row in response.context["page"].rows] == [customer.pk, twin.pk]  # by number
    body = body_of(response)
    assert reverse("customer-duplicates", args=[customer.pk]) in body
    assert alone.number not in body
    assert far.number not in body


@pytest.mark.parametrize("role", ["relationship_manager", "branch_staff", "compliance_officer"])
def test_the_overview_is_refused_to_those_who_may_not_merge(client, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(OVERVIEW).status_code == 403


def test_the_overview_costs_the_same_whatever_the_number_of_rows(
    client, branch_manager, relationship_manager, branch, customer, twin, django_assert_num_queries
):
    client.force_login(branch_manager)
    client.get(OVERVIEW)
    with django_assert_num_queries(REQUEST_OVERHEAD + 1):
        client.get(OVERVIEW)
    for _index in range(5):
        make_individual(relationship_manager=relationship_manager, branch=branch, email=customer.email)
    with django_assert_num_queries(REQUEST_OVERHEAD + 1):
        response = client.get(OVERVIEW)
    assert len(response.context["page"].rows) == 7


# ---------------------------------------------------------------------------------------------
# The notice on a customer's page


def test_the_customer_page_loads_the_notice(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    body = body_of(detail(client, customer))

    assert f'hx-get="{notice_url(customer)}"' in body


def test_the_notice_links_to_the_duplicates_page_when_some_are_suspected(
    client, relationship_manager, customer, twin
):
    client.force_login(relationship_manager)

    response = client.get(notice_url(customer))

    assert response.status_code == 200
    assert 'data-testid="duplicates-notice"' in body_of(response)
    assert reverse("customer-duplicates", args=[customer.pk]) in body_of(response)


def test_a_similar_name_and_the_same_birth_date_are_suspected(client, relationship_manager, branch, customer):
    make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Wei",
                    family_name="Zhang", phone="", email="", id_number="",
                    date_of_birth=customer.individual.date_of_birth)
    client.force_login(relationship_manager)

    assert client.get(notice_url(customer)).status_code == 200


def test_no_notice_without_duplicates(client, relationship_manager, branch, customer):
    make_individual(relationship_manager=relationship_manager, branch=branch)
    client.force_login(relationship_manager)

    response = client.get(notice_url(customer))

    assert response.status_code == 204
    assert response.content == b""


def test_records_without_identifiers_are_not_each_others_duplicates(client, relationship_manager, branch):
    first = make_corporate(relationship_manager=relationship_manager, branch=branch, phone="", email="",
                           id_number="")
    make_corporate(relationship_manager=relationship_manager, branch=branch, phone="", email="", id_number="")
    client.force_login(relationship_manager)

    assert client.get(notice_url(first)).status_code == 204


def test_a_duplicate_the_viewer_may_not_see_raises_no_notice(
    client, relationship_manager, customer, other_branch, other_relationship_manager
):
    make_individual(relationship_manager=other_relationship_manager, branch=other_branch,
                    phone=customer.phone)
    client.force_login(relationship_manager)

    assert client.get(notice_url(customer)).status_code == 204


def test_the_notice_of_a_customer_the_viewer_may_not_see_is_a_404(
    client, other_relationship_manager, customer, twin
):
    client.force_login(other_relationship_manager)

    assert client.get(notice_url(customer)).status_code == 404


def test_the_notice_costs_two_queries_beyond_the_request(
    client, branch_manager, customer, twin, django_assert_num_queries
):
    client.force_login(branch_manager)
    client.get(notice_url(customer))
    # The customer, then whether any visible customer may be the same party.
    with django_assert_num_queries(REQUEST_OVERHEAD + 2):
        assert client.get(notice_url(customer)).status_code == 200
