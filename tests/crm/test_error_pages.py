"""Error pages are the portal's own, in the visitor's language, never Django's debug pages."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from crm import errors

pytestmark = pytest.mark.django_db


def _in_chinese(client):
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})


def _looks_like_the_portal(body: str) -> None:
    assert "Harbour Bank" in body
    assert "/static/crm/css/portal.css" in body
    assert 'data-testid="error-page"' in body
    assert "Traceback" not in body
    assert "URLconf" not in body


def test_404_is_branded_and_translated(client, relationship_manager):
    client.force_login(relationship_manager)
    _in_chinese(client)

    response = client.get("/no-such-page/")

    body = response.content.decode()
    assert response.status_code == 404
    _looks_like_the_portal(body)
    assert "页面不存在" in body


def test_400_is_branded_and_translated(client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    _in_chinese(client)

    response = client.get("/accounts/login/", HTTP_HOST="evil.example")

    body = response.content.decode()
    assert response.status_code == 400
    _looks_like_the_portal(body)
    assert "请求有误" in body


def test_400_under_the_api_is_json(client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]

    response = client.get("/api/v1/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_a_stale_form_gets_the_portal_403_page_in_the_visitor_language(relationship_manager):
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "zh-hant"

    response = client.post(reverse("login"), {"username": "rm.one", "password": "x"})

    body = response.content.decode()
    assert response.status_code == 403
    _looks_like_the_portal(body)
    assert "表單已過期" in body


def test_403_is_branded_and_translated(rf_request_in_chinese):
    response = errors.forbidden(rf_request_in_chinese)

    body = response.content.decode()
    assert response.status_code == 403
    _looks_like_the_portal(body)
    assert "无权访问" in body


def test_500_is_branded_and_translated_without_the_database(rf_request_in_chinese,
                                                            django_assert_num_queries):
    with django_assert_num_queries(0):
        response = errors.server_error(rf_request_in_chinese)

    body = response.content.decode()
    assert response.status_code == 500
    _looks_like_the_portal(body)
    assert "出现错误" in body
    assert '<html lang="zh-hans">' in body


@pytest.fixture
def rf_request_in_chinese():
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()
    with translation.override("zh-hans"):
        yield request
