"""The API's edges: over-deep and over-large bodies, other media types, and 404/405/500
answered in the one error format, never as HTML."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import RequestDataTooBig
from django.test import Client, RequestFactory

from crm.api.parsers import nested_deeper_than
from crm.errors import bad_request
from customers.api.views import CustomerViewSet
from tests.customers.api.helpers import client_for

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def _assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"]["status"] == status
    assert body["error"]["code"] == code
    assert body["request_id"] == response["X-Request-ID"]
    return body


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("{}", 1, False),
        ('{"a": [1, {"b": []}]}', 4, False),
        ('{"a": [1, {"b": []}]}', 3, True),
        ('{"a": "[[[[[[[[[[[["}', 1, False),  # brackets inside strings do not nest
        ('{"a": "\\"[[[["}', 1, False),  # nor after an escaped quote
        ("[[]", 5, False),  # unbalanced: left for the decoder to report
        (_deep(1000), 32, True),
        (_deep(32), 32, False),
        (_deep(33), 32, True),
    ],
)
def test_nesting_depth(text, limit, expected):
    assert nested_deeper_than(text, limit) is expected


def test_a_body_nested_a_thousand_deep_is_400_on_the_token_endpoint(api_client):
    response = api_client.post(TOKEN_URL, data=_deep(1000), content_type="application/json")

    body = _assert_error(response, 400, "parse_error")
    assert "32" in body["error"]["message"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/customers/"),
        ("post", "/api/v1/customers/search/"),
        ("post", "/api/v1/imports/"),
        ("patch", "/api/v1/customers/{pk}/"),
        ("post", "/api/v1/customers/{pk}/interactions/"),
    ],
)
def test_a_body_nested_a_thousand_deep_is_400_on_every_json_endpoint(
    service_account, branch, method, path
):
    from tests.customers.factories import make_individual

    customer = make_individual(branch=branch)
    client = client_for(service_account)
    body = '{"records": ' + _deep(1000) + "}"

    response = getattr(client, method)(path.format(pk=customer.pk), data=body,
                                       content_type="application/json")

    _assert_error(response, 400, "parse_error")


def test_depth_up_to_the_limit_reaches_the_serializer(api_client, settings):
    settings.API_MAX_JSON_DEPTH = 3
    within = json.dumps({"username": [[1]], "password": "x"})
    beyond = json.dumps({"username": [[[1]]], "password": "x"})

    accepted = api_client.post(TOKEN_URL, data=within, content_type="application/json")
    refused = api_client.post(TOKEN_URL, data=beyond, content_type="application/json")

    assert set(_assert_error(accepted, 400, "invalid")["error"]["fields"]) == {"username"}
    _assert_error(refused, 400, "parse_error")


def test_a_body_over_the_limit_is_413(api_client, settings):
    settings.API_MAX_BODY_BYTES = 1000
    body = json.dumps({"username": "x" * 2000, "password": "y"})

    response = api_client.post(TOKEN_URL, data=body, content_type="application/json")

    _assert_error(response, 413, "too_large")


def test_a_body_just_under_the_limit_is_parsed(api_client, settings):
    body = json.dumps({"username": "x" * 100, "password": "y"})
    settings.API_MAX_BODY_BYTES = len(body)

    response = api_client.post(TOKEN_URL, data=body, content_type="application/json")

    assert response.status_code == 401


def test_invalid_json_is_400_without_echoing_the_body(api_client):
    response = api_client.post(TOKEN_URL, data='{"username": "secret-name", ',
                               content_type="application/json")

    body = _assert_error(response, 400, "parse_error")
    assert "secret-name" not in json.dumps(body)


def test_a_form_body_is_415_in_the_error_format(api_client):
    response = api_client.post(TOKEN_URL, data="username=a&password=b",
                               content_type="application/x-www-form-urlencoded")

    _assert_error(response, 415, "unsupported_media_type")


def test_a_session_form_post_over_the_upload_limit_is_json_not_the_html_400(relationship_manager, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = Client(enforce_csrf_checks=True)
    client.force_login(relationship_manager)
    # A CSRF cookie, so that the check goes on to read the form's token from the body.
    client.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32

    response = client.post("/api/v1/customers/", data="a=" + "x" * 5000,
                           content_type="application/x-www-form-urlencoded")

    _assert_error(response, 415, "unsupported_media_type")


def test_django_refusing_an_over_large_body_in_a_view_is_413_json(relationship_manager, monkeypatch):
    def reads_too_much(self, request, *args, **kwargs):
        raise RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")

    monkeypatch.setattr(CustomerViewSet, "list", reads_too_much)

    _assert_error(client_for(relationship_manager).get("/api/v1/customers/"), 413, "too_large")


def test_the_400_handler_answers_413_for_an_over_large_api_body():
    request = RequestFactory().post("/api/v1/customers/")

    response = bad_request(request, RequestDataTooBig("too big"))

    assert response.status_code == 413
    assert json.loads(response.content)["error"]["code"] == "too_large"


def test_unknown_api_route_is_404_json(service_account):
    _assert_error(client_for(service_account).get("/api/v1/no-such-thing/"), 404, "not_found")


def test_unknown_api_route_is_404_json_for_anonymous_callers():
    _assert_error(Client().get("/api/v2/"), 404, "not_found")


def test_method_not_allowed_is_405_json(service_account):
    _assert_error(client_for(service_account).delete("/api/v1/customers/"), 405, "method_not_allowed")


def test_a_server_error_under_the_api_is_500_json(relationship_manager, monkeypatch):
    def broken(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(CustomerViewSet, "list", broken)
    client = Client(raise_request_exception=False)
    client.force_login(relationship_manager)

    body = _assert_error(client.get("/api/v1/customers/"), 500, "server_error")
    assert "boom" not in body["error"]["message"]
