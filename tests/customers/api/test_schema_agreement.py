"""The OpenAPI document says what the server does: the sorts it accepts, the Idempotency-Key
format, that unknown fields are refused, the 403 of the audit trail and the page sizes."""

from __future__ import annotations

import re

import pytest

from tests.customers.api.helpers import LIST_URL, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client, relationship_manager) -> dict:
    client.force_login(relationship_manager)
    return client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def _parameter(operation: dict, name: str) -> dict:
    return next(parameter for parameter in operation["parameters"] if parameter["name"] == name)


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def test_every_documented_sort_is_served_and_no_other(schema, service_account):
    sort = _resolve(schema, _parameter(schema["paths"]["/api/v1/customers/"]["get"], "sort")["schema"])
    client = client_for(service_account)

    answers = {value: client.get(LIST_URL, {"sort": value}).status_code for value in sort["enum"]}

    assert answers == dict.fromkeys(sort["enum"], 200)
    assert "-last_contact" not in sort["enum"]
    refused = client.get(LIST_URL, {"sort": "-last_contact"})
    assert refused.status_code == 400
    assert set(refused.json()["error"]["fields"]) == {"sort"}


def test_the_idempotency_key_format_is_documented_as_the_server_checks_it(schema, service_account, branch):
    key = _parameter(schema["paths"]["/api/v1/customers/"]["post"], "Idempotency-Key")
    pattern = re.compile(key["schema"]["pattern"])
    client = client_for(service_account)

    for value, accepted in (("order-2026-0001", True), ("x" * 256, False), ("é-key", False)):
        assert bool(pattern.match(value)) is accepted
    response = client.post(LIST_URL, {}, format="json", HTTP_IDEMPOTENCY_KEY="x" * 256)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"Idempotency-Key"}


@pytest.mark.parametrize("component", [
    "CustomerCreateInputRequest", "PatchedCustomerUpdateInputRequest", "HoldingInputRequest",
    "InteractionInputRequest", "NeedInputRequest",
])
def test_strict_inputs_are_documented_as_refusing_unknown_fields(schema, component):
    body = schema["components"]["schemas"][component]

    assert body["additionalProperties"] is False
    assert "refused" in body["description"]


def test_an_unknown_field_is_refused_as_documented(schema, relationship_manager, customer):
    response = client_for(relationship_manager).patch(
        f"/api/v1/customers/{customer.pk}/", {"favourite_colour": "blue"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"favourite_colour"}


@pytest.mark.parametrize("path", ["/api/v1/audit-events/", "/api/v1/audit-events/customer-access/"])
def test_the_audit_trail_documents_its_403(schema, path):
    responses = schema["paths"][path]["get"]["responses"]

    assert {"200", "400", "403"} <= set(responses)
    assert responses["403"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOutput")


def test_page_size_is_documented_with_its_bounds_on_every_list(schema):
    lists = [
        (path, operation) for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method == "get"
        and any(parameter["name"] == "cursor" for parameter in operation.get("parameters", []))
    ]

    assert len(lists) >= 7
    bounded = {"type": "integer", "minimum": 1, "maximum": 200}
    for path, operation in lists:
        assert _parameter(operation, "page_size")["schema"] == bounded, path


def test_every_operation_documents_the_errors_every_view_shares(schema):
    operations = {
        (path, method): operation for path, item in schema["paths"].items()
        for method, operation in item.items() if method in {"get", "post", "put", "patch"}
    }

    for (path, method), operation in operations.items():
        responses = operation["responses"]
        assert "429" in responses, (path, method)
        if "{" in path:
            assert "404" in responses, (path, method)
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= set(responses), (path, method)
        if path != "/api/v1/auth/token/":
            assert {"401", "403"} <= set(responses), (path, method)
    token = operations["/api/v1/auth/token/", "post"]["responses"]
    assert "401" in token  # its own: a wrong password
    nested = operations["/api/v1/customers/{id}/holdings/", "get"]["responses"]
    assert nested["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOutput")


@pytest.mark.parametrize("path", ["/api/v1/customers/", "/api/v1/customers/{pk}/interactions/"])
def test_a_cursor_not_from_a_page_link_is_400_on_the_cursor(service_account, customer, path):
    response = client_for(service_account).get(path.format(pk=customer.pk), {"cursor": "not-a-cursor"})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"cursor"}
