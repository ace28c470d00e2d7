"""Responses that may show customer data are never stored by a cache; static files are."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.customers.factories import make_individual
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(relationship_manager, branch):
    return make_individual(relationship_manager=relationship_manager, branch=branch)


@pytest.mark.parametrize("url", ["home", "customer-list", "customer-detail", "customer-interactions",
                                 "customer-export"])
def test_pages_fragments_and_exports_to_a_signed_in_user_are_no_store(
    client, relationship_manager, customer, url
):
    client.force_login(relationship_manager)
    arguments = [customer.pk] if url.startswith("customer-") and url not in {
        "customer-list", "customer-export"} else []

    response = client.get(reverse(url, args=arguments), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_api_responses_to_a_token_client_are_no_store(api_client, service_account):
    raw = api_client.post("/api/v1/auth/token/",
                          {"username": "svc.core", "password": PASSWORD}).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")

    listing = api_client.get("/api/v1/customers/")

    assert listing.status_code == 200
    assert listing["Cache-Control"] == "no-store"


def test_api_responses_to_a_browser_session_are_no_store(client, relationship_manager):
    client.force_login(relationship_manager)

    response = client.get("/api/v1/customers/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_static_files_stay_cacheable_for_a_signed_in_user(client, relationship_manager):
    client.force_login(relationship_manager)

    response = client.get("/static/crm/css/portal.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")

