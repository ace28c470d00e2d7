"""Admin of saved list views: administrators list them per user, read-only, without the name
searches they keep."""

from __future__ import annotations

import pytest

from customers import services
from customers.models import SavedListView
from tests.customers.admin.helpers import admin_url, page

pytestmark = pytest.mark.django_db


@pytest.fixture
def views(relationship_manager, branch_manager):
    return [
        services.list_view_create(actor=relationship_manager, name="Zhangs to call",
                                  filters={"q": "zhang wei", "segment": ["vip"]}),
        services.list_view_create(actor=branch_manager, name="Branch VIP", filters={"segment": ["vip"]}),
    ]


def test_administrators_list_the_views_of_one_user(client, administrator, relationship_manager, views):
    client.force_login(administrator)

    listed = page(client, f"{admin_url(SavedListView)}?owner__id__exact={relationship_manager.pk}")

    assert "Zhangs to call" in listed and "Branch VIP" not in listed
    assert "q, segment" in listed
    assert "zhang wei" not in listed


def test_a_view_is_shown_read_only_without_its_name_search(client, administrator, views):
    client.force_login(administrator)

    shown = page(client, admin_url(SavedListView, "change", views[0].pk))

    assert "(a name search)" in shown and "zhang wei" not in shown
    assert "segment: [&#x27;vip&#x27;]" in shown
    assert 'name="_save"' not in shown
    assert client.get(admin_url(SavedListView, "add")).status_code == 403
    assert client.post(f"{admin_url(SavedListView)}{views[0].pk}/delete/", {"post": "yes"}).status_code == 403
    assert SavedListView.objects.count() == 2
