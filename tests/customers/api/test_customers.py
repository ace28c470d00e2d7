"""The customer list and detail of the API: what each caller sees, sorting, filters, the
query budget, and the audit of clear reads."""

from __future__ import annotations

import pytest

from compliance.models import AuditEvent
from customers.models import Customer
from tests.customers.api.helpers import (
    LIST_URL,
    client_for,
    detail_url,
    field_errors,
)
from tests.customers.factories import make_corporate, make_individual

pytestmark = pytest.mark.django_db


# --- list -----------------------------------------------------------------------------------


def test_list_shows_the_book_in_clear_and_nothing_else(
    rm, customer, other_relationship_manager, other_branch
):
    make_individual(relationship_manager=other_relationship_manager, branch=other_branch)

    response = rm.get(LIST_URL)

    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body["results"]] == [customer.pk]
    row = body["results"][0]
    assert row["number"] == customer.number
    assert row["phone"] == "138 0013 5678"
    assert row["email"] == "zhang.wei@example.cn"
    assert row["aum"] == "0.00"
    assert row["masked_fields"] == []
    assert row["home_branch"] == {"id": customer.home_branch_id, "code": "SH01", "name": "Shanghai Lujiazui"}
    assert row["relationship_manager"]["username"] == "rm.one"
    assert set(body) == {"next", "previous", "results"}


def test_list_masks_for_branch_staff(branch_staff, customer):
    response = client_for(branch_staff).get(LIST_URL)

    row = response.json()["results"][0]
    assert row["phone"] == "138****5678"
    assert row["email"] == "z***@example.cn"
    assert row["aum"] == "******"
    assert row["masked_fields"] == ["phone", "email", "aum"]


def test_list_filters_with_the_customer_filterset(rm, relationship_manager, branch, customer):
    company = make_corporate(relationship_manager=relationship_manager, branch=branch)
    make_individual(relationship_manager=relationship_manager, branch=branch, status="dormant")

    corporate = rm.get(LIST_URL, {"kind": "corporate"}).json()["results"]
    dormant = rm.get(LIST_URL, {"status": "dormant"}).json()["results"]

    assert [row["id"] for row in corporate] == [company.pk]
    assert [row["status"] for row in dormant] == ["dormant"]


def test_list_refuses_an_unknown_filter_value_with_a_field_error(rm, customer):
    fields = field_errors(rm.get(LIST_URL, {"segment": "platinum", "kind": "robot"}))

    assert set(fields) == {"segment", "kind"}


def test_list_sorts_by_name_with_cursor_pagination(rm, relationship_manager, branch):
    for given in ("Cheng", "An", "Bo"):
        make_individual(
            relationship_manager=relationship_manager, branch=branch, given_name=given, family_name="Wu"
        )

    first = rm.get(LIST_URL, {"sort": "name", "page_size": 2}).json()
    second = rm.get(first["next"]).json()

    assert [row["display_name"] for row in first["results"]] == ["Wu An", "Wu Bo"]
    assert [row["display_name"] for row in second["results"]] == ["Wu Cheng"]
    assert second["next"] is None


def test_list_refuses_an_ordering_cursors_cannot_follow(rm, customer):
    assert list(field_errors(rm.get(LIST_URL, {"sort": "last_contact"}))) == ["sort"]


# Queries per request of the customer list, by caller (process-wide caches warm, nothing
# cached on the user from an earlier request): at most LIST_BUDGET and the same for a page of
# 25 as for 100 rows, and for a book of 3 as for 30 customers. A list that shows values in
# clear (the service account's, the relationship manager's) appends one pii.revealed event,
# one statement.
LIST_BUDGET = 10
LIST_QUERIES = {
    "service_account": 3,
    "relationship_manager": 5,
    "branch_manager": 4,
    "branch_staff": 4,
    "compliance_officer": 4,
}


def test_the_list_query_counts_fit_the_budget():
    assert max(LIST_QUERIES.values()) <= LIST_BUDGET


@pytest.mark.parametrize("caller", list(LIST_QUERIES))
def test_list_queries_are_constant_in_page_size_and_book_size(
    request, django_assert_num_queries, caller, branch, relationship_manager
):
    client = client_for(request.getfixturevalue(caller))
    for book_size in (3, 30):
        while Customer.objects.count() < book_size:
            make_individual(relationship_manager=relationship_manager, branch=branch)
        for page_size in (25, 100):
            client.get(LIST_URL, {"page_size": page_size})  # warm process-wide caches

            with django_assert_num_queries(LIST_QUERIES[caller]):
                response = client.get(LIST_URL, {"page_size": page_size})

            assert len(response.json()["results"]) == min(book_size, page_size)


# --- detail ---------------------------------------------------------------------------------


def test_detail_of_an_individual(rm, customer):
    response = rm.get(detail_url(customer))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == customer.pk
    assert body["kind"] == "individual"
    assert body["id_number"] == "110105198001011234"
    assert body["address"].endswith("Shanghai")
    assert body["corporate"] is None
    assert body["individual"]["given_name"] == customer.individual.given_name
    assert body["individual"]["date_of_birth"] == customer.individual.date_of_birth.isoformat()
    assert body["individual"]["annual_income"] == "250000.00"
    assert body["masked_fields"] == []


def test_detail_of_a_corporate_customer_masked_for_the_branch_manager(
    branch_manager, relationship_manager, branch
):
    company = make_corporate(relationship_manager=relationship_manager, branch=branch)

    body = client_for(branch_manager).get(detail_url(company)).json()

    assert body["individual"] is None
    assert body["corporate"]["legal_name"] == company.corporate.legal_name
    assert body["corporate"]["annual_revenue"] == "******"
    assert body["id_number"].startswith("****")
    assert body["masked_fields"] == ["id_number", "phone", "email", "address", "aum", "annual_revenue"]


def test_detail_of_a_missing_customer_is_404_in_the_error_format(rm):
    response = rm.get("/api/v1/customers/999999999/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_reading_in_clear_is_audited_once_per_request(rm, relationship_manager, customer):
    before = AuditEvent.objects.filter(action="pii.revealed").count()

    rm.get(detail_url(customer))

    event = AuditEvent.objects.filter(action="pii.revealed").latest("sequence")
    assert AuditEvent.objects.filter(action="pii.revealed").count() == before + 1
    assert event.actor_id == relationship_manager.pk
    assert event.extra["objects"] == {"customers.customer": [customer.pk]}
    assert {"phone", "email", "id_number", "date_of_birth"} <= set(event.fields)
