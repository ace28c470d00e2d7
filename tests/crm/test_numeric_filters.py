"""Every numeric filter and page size has bounds: a value out of them, however large, small
or oddly written, answers 400 with a field error naming the parameter (the API) or a form
error (the list page), never a 500; values inside them are served."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies
from hypothesis import example as hypothesis_example

from crm.filters import MAX_BIGINT
from customers.filtersets import MAX_NOT_CONTACTED_DAYS
from tests.customers.api.helpers import client_for
from tests.customers.factories import make_individual

pytestmark = pytest.mark.django_db

# (path, parameter, lowest valid value, highest valid value, who asks)
NUMERIC_PARAMETERS = [
    ("/api/v1/customers/", "home_branch", 1, MAX_BIGINT, "service_account"),
    ("/api/v1/customers/", "relationship_manager", 1, MAX_BIGINT, "service_account"),
    ("/api/v1/customers/", "not_contacted_days", 0, MAX_NOT_CONTACTED_DAYS, "service_account"),
    ("/api/v1/customers/", "page_size", 1, 200, "service_account"),
    ("/api/v1/customers/{pk}/holdings/", "page_size", 1, 200, "service_account"),
    ("/api/v1/customers/{pk}/needs/", "page_size", 1, 200, "service_account"),
    ("/api/v1/customers/{pk}/relationships/", "page_size", 1, 200, "service_account"),
    ("/api/v1/customers/{pk}/interactions/", "page_size", 1, 200, "service_account"),
    ("/api/v1/imports/", "page_size", 1, 200, "service_account"),
    ("/api/v1/audit-events/", "customer", 1, MAX_BIGINT, "compliance_officer"),
    ("/api/v1/audit-events/", "page_size", 1, 200, "compliance_officer"),
    ("/api/v1/audit-events/customer-access/", "customer", 1, MAX_BIGINT, "compliance_officer"),
]
IDS = [f"{path}?{name}" for path, name, *_rest in NUMERIC_PARAMETERS]


def _out_of_bounds(low: int, high: int):
    """Text a client might send that is not a whole number from `low` to `high`."""
    return strategies.one_of(
        strategies.integers(max_value=low - 1).map(str),
        strategies.integers(min_value=high + 1).map(str),
        strategies.sampled_from(["1.5", "1e400", "-0.1", "NaN", "Infinity", "0x10", "", " ", "12abc"]),
        strategies.decimals(allow_nan=False, allow_infinity=False, places=2).filter(
            lambda value: value != value.to_integral_value()
        ).map(str),
    )


def _caller(request, role: str, branch):
    return client_for(request.getfixturevalue(role))


@pytest.fixture
def customer_id(branch):
    return make_individual(branch=branch).pk


@pytest.mark.parametrize(("path", "name", "low", "high", "role"), NUMERIC_PARAMETERS, ids=IDS)
def test_out_of_bounds_values_answer_400_with_a_field_error(request, branch, customer_id, path, name,
                                                            low, high, role):
    client = _caller(request, role, branch)
    url = path.format(pk=customer_id)

    @settings(max_examples=25, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(value=_out_of_bounds(low, high))
    @hypothesis_example(value="99999999")
    @hypothesis_example(value=str(2**64))
    @hypothesis_example(value="-1")
    def check(value):
        if low <= 99999999 <= high and value == "99999999":
            return  # in bounds here (an id or a large count); the other examples cover this filter
        if value.strip() == "" and name != "page_size":
            return  # an empty filter means "no filter"
        response = client.get(url, {name: value})
        assert response.status_code == 400, (value, response.content[:300])
        body = response.json()
        assert body["error"]["code"] == "invalid"
        assert name in body["error"]["fields"]

    check()


@pytest.mark.parametrize(("path", "name", "low", "high", "role"), NUMERIC_PARAMETERS, ids=IDS)
def test_the_bounds_themselves_are_served(request, branch, customer_id, path, name, low, high, role):
    client = _caller(request, role, branch)
    url = path.format(pk=customer_id)

    for value in (low, high):
        response = client.get(url, {name: str(value)})
        # customer-access for an id nobody has: an empty report, still a 200.
        assert response.status_code == 200, (value, response.content[:300])


def test_not_contacted_days_of_a_hundred_million_is_400_not_500(service_account):
    response = client_for(service_account).get("/api/v1/customers/", {"not_contacted_days": "99999999"})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"not_contacted_days"}


@pytest.mark.parametrize("query", [
    "not_contacted_days=99999999", "not_contacted_days=-1", "not_contacted_days=1e400",
    "home_branch=99999999999999999999", "relationship_manager=-5", "size=1000000000000",
])
def test_the_list_page_reports_out_of_bounds_numbers_as_form_errors(client, relationship_manager, query):
    client.force_login(relationship_manager)

    response = client.get(f"/customers/?{query}")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["rows"] == []


@pytest.mark.parametrize("size", [25, 50, 100, 200])
def test_the_list_page_accepts_every_page_size_it_offers_the_default_included(
    client, relationship_manager, size
):
    client.force_login(relationship_manager)

    response = client.get(f"/customers/?size={size}")

    assert response.status_code == 200
    assert not response.context["form"].errors
    assert response.context["filter"].size == size
    assert response.context["filter"].queryset is not None
