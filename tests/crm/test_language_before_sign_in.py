"""The language is chosen on the sign-in page, before signing in; nothing else opens."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_switches_the_sign_in_page_to_chinese(client):
    response = client.post(reverse("set_language"),
                           {"language": "zh-hans", "next": reverse("login")})
    page = client.get(reverse("login"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert response.cookies["django_language"].value == "zh-hans"
    assert '<html lang="zh-hans">' in page.content.decode()
    assert "登录" in page.content.decode()


def test_the_language_switch_sends_no_one_to_another_site(client):
    response = client.post(reverse("set_language"),
                           {"language": "zh-hant", "next": "https://elsewhere.example/"})

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("path", ["/", "/customers/", "/customers/books/", "/compliance/audit/", "/admin/"])
def test_pages_still_need_a_sign_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert "/login/?next=" in response["Location"]


def test_the_javascript_catalogue_of_django_i18n_is_not_served(client):
    assert client.get("/i18n/js/").status_code == 404
