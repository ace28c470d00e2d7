"""Every route under /api/ answers OPTIONS, HEAD and GET without a server error, for a
customer the caller may see and for one they may not, and OPTIONS tells nothing about a
customer the caller may not see."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.customers.api.helpers import client_for
from tests.customers.factories import make_individual

GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")
REFERENCE = "REF-0001"
PARAMETER = re.compile(r"\{(\w+)\}")


def _api_routes() -> list[str]:
    """Every URL pattern under api/, as a template with {name} for each path parameter."""
    found: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            text = prefix + str(pattern.pattern).lstrip("^").rstrip("$").replace("\\Z", "")
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, text)
            elif isinstance(pattern, URLPattern) and text.startswith("api/"):
                found.append(GROUP.sub(lambda match: "{" + match["name"] + "}", text))

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


ROUTES = _api_routes()


def test_the_walk_reaches_the_customer_routes():
    # The walk itself must find the routes it is meant to check, nested ones included.
    assert "api/v1/customers/" in ROUTES
    assert "api/v1/customers/search/" in ROUTES
    assert "api/v1/customers/{pk}/holdings/" in ROUTES
    assert "api/v1/customers/by-reference/{external_reference}/" in ROUTES
    assert "api/v1/customers/{pk}/holdings/{holding_reference}/" in ROUTES
    assert "api/v1/audit-events/" in ROUTES


def _urls(route: str, pk: int) -> str:
    """The route with `pk` for the customer id and a reference for any other parameter."""
    return "/" + PARAMETER.sub(lambda match: str(pk) if match[1] == "pk" else REFERENCE, route)


@pytest.fixture
def hidden(other_relationship_manager, other_branch):
    """A customer in another branch's book: the relationship manager may not see it."""
    return make_individual(relationship_manager=other_relationship_manager, branch=other_branch,
                           phone="+86 139 0000 0001")


@pytest.fixture
def callers(relationship_manager, service_account):
    return {"relationship_manager": relationship_manager, "service_account": service_account}


@pytest.mark.parametrize("caller", ["relationship_manager", "service_account"])
@pytest.mark.parametrize("method", ["options", "head", "get"])
def test_no_route_answers_a_server_error(caller, method, callers, customer, hidden):
    client = client_for(callers[caller])
    failures = []
    for route in ROUTES:
        for pk in (customer.pk, hidden.pk, 999_999_999):
            url = _urls(route, pk)
            response = getattr(client, method)(url)
            if response.status_code >= 500:
                failures.append((url, response.status_code))
    assert failures == []


def _detail_routes() -> list[str]:
    return [route for route in ROUTES if "{pk}" in route]


def test_options_on_a_customer_the_caller_may_not_see_is_a_404_like_a_missing_one(rm, customer, hidden):
    for route in [route for route in _detail_routes() if route.startswith("api/v1/customers/")]:
        missing = rm.options(_urls(route, 999_999_999))
        unseen = rm.options(_urls(route, hidden.pk))
        assert (route, unseen.status_code) == (route, 404)
        assert unseen.json()["error"] == missing.json()["error"]  # the request ids differ
        assert hidden.number not in unseen.content.decode()


def test_options_describes_what_the_caller_may_send(rm, service, customer):
    listing = rm.options("/api/v1/customers/")
    assert listing.status_code == 200
    body = listing.json()
    assert body["name"]
    assert "kind" in body["actions"]["POST"]
    assert "home_branch" in body["actions"]["POST"]

    search = rm.options("/api/v1/customers/search/")
    assert search.status_code == 200
    assert set(search.json()["actions"]["POST"]) >= {"q"}

    detail = rm.options(f"/api/v1/customers/{customer.pk}/")
    assert detail.status_code == 200
    assert "PATCH" in detail.json()["actions"]
    assert "individual" in detail.json()["actions"]["PATCH"]

    needs = rm.options(f"/api/v1/customers/{customer.pk}/needs/")
    assert needs.status_code == 200
    assert "need_type" in needs.json()["actions"]["POST"]

    upsert = service.options(f"/api/v1/customers/by-reference/{REFERENCE}/")
    assert upsert.status_code == 200
    assert "kind" in upsert.json()["actions"]["PUT"]


def test_options_leaves_out_writes_the_caller_may_not_make(compliance_officer, customer):
    client = client_for(compliance_officer)
    listing = client.options("/api/v1/customers/")
    assert listing.status_code == 200
    assert "POST" not in listing.json().get("actions", {})
    detail = client.options(f"/api/v1/customers/{customer.pk}/")
    assert detail.status_code == 200
    assert "PATCH" not in detail.json().get("actions", {})
