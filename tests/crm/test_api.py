"""API foundations: tokens, the error format, schema and docs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from crm.models import ApiToken
from crm.services import api_token_issue, token_digest
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def test_token_is_issued_for_valid_credentials_and_only_its_digest_is_stored(
    api_client, service_account
):
    response = api_client.post(TOKEN_URL, {"username": "svc.core", "password": PASSWORD})

    assert response.status_code == 201
    raw = response.json()["token"]
    stored = ApiToken.objects.get(user=service_account)
    assert stored.digest == token_digest(raw)
    assert raw not in (stored.digest, stored.prefix)
    assert stored.prefix == raw[:8]


def test_token_authenticates_api_requests(api_client, service_account):
    raw = api_client.post(TOKEN_URL, {"username": "svc.core", "password": PASSWORD}).json()["token"]

    anonymous = api_client.get("/api/v1/")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    authenticated = api_client.get("/api/v1/")

    assert anonymous.status_code == 401
    assert authenticated.status_code == 200


def test_wrong_password_is_401_in_the_error_format(api_client, service_account):
    response = api_client.post(TOKEN_URL, {"username": "svc.core", "password": "nope-nope-nope"})

    assert response.status_code == 401
    body = response.json()
    assert body["error"]["status"] == 401
    assert body["error"]["code"] == "authentication_failed"
    assert body["request_id"] == response["X-Request-ID"]
    assert ApiToken.objects.count() == 0


def test_missing_fields_answer_400_with_field_errors(api_client):
    response = api_client.post(TOKEN_URL, {"username": ""})

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"username", "password"}
    assert response.json()["error"]["code"] == "invalid"


def test_locked_account_gets_403_even_with_right_password(api_client, service_account, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK}
    for _attempt in range(10):
        api_client.post(TOKEN_URL, {"username": "svc.core", "password": "wrong-password-1"})

    response = api_client.post(TOKEN_URL, {"username": "svc.core", "password": PASSWORD})

    assert response.status_code in (403, 429)
    assert ApiToken.objects.count() == 0


def test_revoked_and_expired_tokens_are_refused(api_client, service_account):
    revoked, revoked_raw = api_token_issue(user=service_account)
    ApiToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    expired, expired_raw = api_token_issue(user=service_account)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    for raw in (revoked_raw, expired_raw, "made-up-token"):
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        response = api_client.get("/api/v1/")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "authentication_failed"


def test_inactive_user_token_is_refused(api_client, service_account):
    _token, raw = api_token_issue(user=service_account)
    service_account.is_active = False
    service_account.save(update_fields=["is_active"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")

    assert api_client.get("/api/v1/").status_code == 401


def test_schema_is_openapi_3(client, relationship_manager):
    client.force_login(relationship_manager)

    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/auth/token/" in schema["paths"]


def test_docs_page_serves_its_assets_locally(client, relationship_manager):
    client.force_login(relationship_manager)

    response = client.get("/api/docs/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "swagger-ui" in body
    assert "http://" not in body.replace("http://testserver", "")
    assert "https://" not in body


def test_session_authenticated_browser_can_use_the_api(client, relationship_manager):
    client.force_login(relationship_manager)

    assert client.get("/api/v1/").status_code == 200
