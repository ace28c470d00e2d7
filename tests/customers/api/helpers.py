"""Helpers of the customers API tests: clients, URLs, request bodies, error fields."""

from __future__ import annotations

import copy

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

LIST_URL = "/api/v1/customers/"
SEARCH_URL = "/api/v1/customers/search/"


class _FreshUserClient(APIClient):
    """Authenticates each request as a fresh copy of the user, with nothing the previous
    request read cached on it: what a token-authenticated request sees, without the token's
    own lookup."""

    def request(self, **kwargs):
        user = getattr(self, "_lasting_user", None)
        if user is not None:
            fresh = copy.copy(user)
            fresh._state = copy.copy(user._state)
            fresh._state.fields_cache = {}
            for name in [name for name in fresh.__dict__ if name.startswith(("_customer", "_crm", "_perm"))]:
                del fresh.__dict__[name]
            super().force_authenticate(fresh)
        return super().request(**kwargs)


def client_for(user) -> APIClient:
    client = _FreshUserClient()
    client._lasting_user = user
    client.force_authenticate(user)
    return client


def detail_url(customer) -> str:
    return f"/api/v1/customers/{customer.pk}/"


def field_errors(response) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"]["code"] == "invalid"
    return body["error"]["fields"]


def individual_body(branch, **overrides) -> dict:
    body = {
        "kind": "individual",
        "home_branch": branch.pk,
        "phone": "138 0013 8000",
        "email": " Li.Na@Example.CN ",
        "id_number": "110105-19900101-1234",
        "address": "1 Zhongshan East Road, Shanghai",
        "individual": {
            "given_name": "Na",
            "family_name": "Li",
            "gender": "female",
            "date_of_birth": "1990-01-01",
            "annual_income": "350000.00",
        },
    }
    body.update(overrides)
    return body


def corporate_body(branch, **overrides) -> dict:
    body = {
        "kind": "corporate",
        "home_branch": branch.pk,
        "phone": "+86 21 6000 1234",
        "email": "treasury@donghai.example.cn",
        "id_number": "91310000MA1K000042",
        "corporate": {
            "legal_name": "Donghai Shipping Co., Ltd.",
            "industry": "Shipping",
            "employees": 800,
            "annual_revenue": "250000000.00",
            "countries_of_operation": ["CN", "SG"],
        },
    }
    body.update(overrides)
    return body


def count_queries(client, url, data=None) -> int:
    client.get(url, data)  # warm process-wide caches (permission ids, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data)
    assert response.status_code == 200
    return len(queries)
