"""The home page: who the user is, real figures, navigation by role, languages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import BranchFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_home_shows_name_role_branch_and_counted_figures(client, relationship_manager, branch):
    UserFactory(username="colleague.a", branch=branch)
    UserFactory(username="colleague.b", branch=branch)
    UserFactory(username="elsewhere", branch=BranchFactory(code="BJ01", region="North China"))
    client.force_login(relationship_manager)

    response = client.get(reverse("home"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Relationship manager" in body
    assert "Shanghai Lujiazui" in body
    assert response.context["figures"]["colleagues_in_branch"] == 2
    assert response.context["figures"]["active_branches"] == 2
    assert response.context["figures"]["regions"] == 2


def test_navigation_follows_role(client, relationship_manager, administrator):
    client.force_login(relationship_manager)
    labels = [str(entry["label"]) for entry in client.get(reverse("home")).context["navigation"]]
    assert "Administration" not in labels
    assert "Home" in labels

    client.force_login(administrator)
    labels = [str(entry["label"]) for entry in client.get(reverse("home")).context["navigation"]]
    assert "Administration" in labels


def test_home_query_count_does_not_grow_with_staff(client, relationship_manager, branch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(relationship_manager)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for index in range(30):
        UserFactory(username=f"many{index}", branch=branch)

    with CaptureQueriesContext(connection) as many:
        client.get(reverse("home"))

    assert len(many) == len(few)


def test_language_switch_to_simplified_chinese(client, relationship_manager):
    client.force_login(relationship_manager)

    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    page = client.get(reverse("home"))

    assert response.status_code == 302
    assert page.context["LANGUAGE_CODE"] == "zh-hans"
    assert '<html lang="zh-hans">' in page.content.decode()
    assert "客户经理" in page.content.decode()  # "Relationship manager", from the compiled catalogue


def test_traditional_chinese_is_translated_too(client, relationship_manager):
    client.force_login(relationship_manager)

    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})
    body = client.get(reverse("home")).content.decode()

    assert "客戶經理" in body


def test_pages_load_nothing_from_other_origins(client, relationship_manager):
    client.force_login(relationship_manager)

    body = client.get(reverse("home")).content.decode()

    assert "src=\"http" not in body
    assert "href=\"http" not in body
    assert "/static/django-htmx/" in body or "htmx" in body


def test_security_headers(client, relationship_manager):
    client.force_login(relationship_manager)

    response = client.get(reverse("home"))

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "default-src 'self'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert len(response["X-Request-ID"]) == 32


def test_unknown_page_is_html_404_and_unknown_api_path_is_json_404(client, relationship_manager):
    client.force_login(relationship_manager)

    page = client.get("/no-such-page/")
    api = client.get("/api/v1/no-such-endpoint/")

    assert page.status_code == 404
    assert "text/html" in page["Content-Type"]
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "not_found"


def test_every_book_figure_links_to_the_customers_it_counts(client, relationship_manager, branch):
    from customers.models import Need, NeedStatus
    from tests.customers.factories import make_individual

    with_need = make_individual(relationship_manager=relationship_manager, branch=branch)
    done = make_individual(relationship_manager=relationship_manager, branch=branch)
    make_individual(relationship_manager=relationship_manager, branch=branch)
    Need.objects.create(customer=with_need, need_type="wealth_growth", status=NeedStatus.OPEN,
                        recorded_at=timezone.now())
    Need.objects.create(customer=done, need_type="wealth_growth", status=NeedStatus.MET,
                        recorded_at=timezone.now())
    client.force_login(relationship_manager)

    home = client.get(reverse("home")).content.decode()
    link = f'{reverse("customer-list")}?open_needs=true'
    assert f'<a href="{link}">1</a>' in home
    listed = client.get(link)
    assert [row["customer"].pk for row in listed.context["rows"]] == [with_need.pk]
    without = client.get(f'{reverse("customer-list")}?open_needs=false')
    assert with_need.pk not in [row["customer"].pk for row in without.context["rows"]]
