"""The OpenAPI schema of the customers API."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


# --- schema ---------------------------------------------------------------------------------


def test_schema_documents_the_customer_endpoints_without_warnings(client, relationship_manager):
    from drf_spectacular.drainage import GENERATOR_STATS

    GENERATOR_STATS.reset()
    client.force_login(relationship_manager)

    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    own = [
        message
        for message in (*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache)
        if "Customer" in message or "customers" in message
    ]
    assert own == []
    schema = response.json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/customers/"])
    assert {"get", "patch"} <= set(paths["/api/v1/customers/{id}/"])
    assert "put" in paths["/api/v1/customers/by-reference/{external_reference}/"]
    for nested in ("holdings", "needs", "interactions"):
        assert {"get", "post"} <= set(paths[f"/api/v1/customers/{{id}}/{nested}/"])
    create = paths["/api/v1/customers/"]["post"]
    assert "Idempotency-Key" in [parameter["name"] for parameter in create["parameters"]]
    assert {"201", "400", "403", "409", "422"} <= set(create["responses"])
    customer_schema = schema["components"]["schemas"]["CustomerOutput"]
    assert "masked_fields" in customer_schema["properties"]
    assert customer_schema["properties"]["phone"]["type"] == "string"
