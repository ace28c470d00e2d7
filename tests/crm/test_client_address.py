"""One client-address rule (TRUSTED_PROXY_COUNT) for the API throttles, the lock-out and the
audit trail; a per-address lock-out on top of the per-account one."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.throttling import SimpleRateThrottle

from compliance.models import AuditAction, AuditEvent
from crm.client_address import client_ip
from crm.models import ApiToken
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def _meta(remote: str, forwarded: str | None = None) -> dict:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return meta


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "10.0.0.9", "203.0.113.7", "10.0.0.9"),  # no proxy: the header is the client's word
        (1, "10.0.0.9", "203.0.113.7", "203.0.113.7"),
        (1, "10.0.0.9", "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # forged left entries ignored
        (2, "10.0.0.9", "6.6.6.6, 203.0.113.7, 10.0.0.8", "203.0.113.7"),
        (2, "10.0.0.9", "203.0.113.7", "203.0.113.7"),  # fewer hops than proxies
        (1, "10.0.0.9", None, "10.0.0.9"),
        (1, "10.0.0.9", "not-an-address", "10.0.0.9"),
        (1, "10.0.0.9", "::ffff:203.0.113.7", "203.0.113.7"),
    ],
)
def test_client_address_rule(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies

    request = RequestFactory().get("/", **_meta(remote, forwarded))

    assert client_ip(request) == expected


def test_token_endpoint_throttle_is_not_bypassed_by_changing_forwarded_headers(api_client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    answers = [
        api_client.post(TOKEN_URL, {"username": f"nobody.{attempt}", "password": "x"},
                        **_meta("198.51.100.5", f"203.0.113.{attempt}")).status_code
        for attempt in range(11)
    ]

    assert answers[:10] == [401] * 10
    assert answers[10] == 429


def test_behind_one_trusted_proxy_the_proxy_header_names_the_client(api_client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    first = [
        api_client.post(TOKEN_URL, {"username": f"nobody.{attempt}", "password": "x"},
                        **_meta("10.0.0.1", f"6.6.6.{attempt}, 203.0.113.1")).status_code
        for attempt in range(11)
    ]
    other_client = api_client.post(TOKEN_URL, {"username": "nobody.other", "password": "x"},
                                   **_meta("10.0.0.1", "203.0.113.2"))

    assert first[10] == 429  # the forged left-hand entries did not make new clients
    assert other_client.status_code == 401  # another client behind the same proxy


@pytest.fixture
def unthrottled(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None, "token": None})


def _sign_in(client, username, password, **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def test_spraying_many_accounts_from_one_address_locks_the_address(
    client, relationship_manager, branch_staff, settings
):
    settings.LOCKOUT_ADDRESS_FAILURE_LIMIT = 5
    for attempt in range(5):
        # A different account each time (and a different forged header): no account reaches 10.
        _sign_in(client, f"someone.{attempt}", "Spray-Password-1",
                 **_meta("198.51.100.7", f"1.2.3.{attempt}"))

    refused = _sign_in(client, "rm.one", PASSWORD, **_meta("198.51.100.7", "9.9.9.9"))
    elsewhere = _sign_in(client, "staff.one", PASSWORD, **_meta("198.51.100.8"))

    assert refused.status_code == 429
    assert "_auth_user_id" not in dict(refused.wsgi_request.session)
    assert elsewhere.status_code == 302  # only that address is locked, not the accounts
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}


def test_below_the_address_limit_the_address_signs_in(client, relationship_manager, settings):
    settings.LOCKOUT_ADDRESS_FAILURE_LIMIT = 5
    for attempt in range(4):
        _sign_in(client, f"someone.{attempt}", "Spray-Password-1", **_meta("198.51.100.7"))

    response = _sign_in(client, "rm.one", PASSWORD, **_meta("198.51.100.7"))

    assert response.status_code == 302
    # The success cleared only its own account's failures, not the address's.
    assert AccessAttempt.objects.filter(ip_address="198.51.100.7").count() == 4


def test_api_address_lock_out_answers_in_the_error_format(
    api_client, service_account, settings, unthrottled
):
    settings.LOCKOUT_ADDRESS_FAILURE_LIMIT = 3
    for attempt in range(3):
        api_client.post(TOKEN_URL, {"username": f"svc.{attempt}", "password": "wrong-password-1"},
                        **_meta("198.51.100.9"))

    response = api_client.post(TOKEN_URL, {"username": "svc.core", "password": PASSWORD},
                               **_meta("198.51.100.9"))

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "account_locked"
    assert response.json()["request_id"] == response["X-Request-ID"]
    assert ApiToken.objects.count() == 0


def test_api_account_lock_out_answers_json_not_the_lock_out_page(
    api_client, service_account, unthrottled
):
    answers = [
        api_client.post(TOKEN_URL, {"username": "svc.core", "password": "wrong-password-1"})
        for _attempt in range(10)
    ]

    assert [answer.status_code for answer in answers[:9]] == [401] * 9
    # The tenth failure locks the account: the answer says so in the API's format.
    assert answers[9].status_code == 403
    assert answers[9].json()["error"]["code"] == "account_locked"
    again = api_client.post(TOKEN_URL, {"username": "svc.core", "password": PASSWORD})
    assert again.status_code == 403
    assert again.json()["error"]["code"] == "account_locked"


@pytest.mark.parametrize(("proxies", "expected"), [(0, "10.0.0.1"), (1, "203.0.113.4")])
def test_the_audit_trail_records_the_same_address(client, relationship_manager, settings, proxies, expected):
    settings.TRUSTED_PROXY_COUNT = proxies

    _sign_in(client, "rm.one", PASSWORD, **_meta("10.0.0.1", "6.6.6.6, 203.0.113.4"))

    assert AuditEvent.objects.get(action=AuditAction.AUTH_LOGIN).ip_address == expected
