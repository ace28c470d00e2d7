"""/api/v1/list-views/: the caller's saved views of the customer list, and nobody else's."""

from __future__ import annotations

import pytest

from customers import services
from customers.models import SavedListView
from tests.customers.api.helpers import client_for, field_errors

pytestmark = pytest.mark.django_db

URL = "/api/v1/list-views/"


def _detail(view) -> str:
    return f"{URL}{view.pk}/"


@pytest.fixture
def view(relationship_manager):
    return services.list_view_create(actor=relationship_manager, name="VIP", filters={"segment": ["vip"]})


def test_list_and_read_the_callers_own(relationship_manager, branch_manager, view):
    services.list_view_create(actor=branch_manager, name="Branch", filters={})
    client = client_for(relationship_manager)

    listed = client.get(URL)
    read = client.get(_detail(view))

    assert listed.status_code == 200
    assert [(item["id"], item["name"], item["filters"]) for item in listed.json()["results"]] == [
        (view.pk, "VIP", {"segment": ["vip"]})]
    assert read.json()["name"] == "VIP"
    assert set(read.json()) == {"id", "name", "filters", "created_at", "updated_at"}


def test_create_saves_a_view(relationship_manager, branch):
    body = {"name": " Open needs ", "filters": {"open_needs": True, "home_branch": branch.pk}}
    response = client_for(relationship_manager).post(URL, body, format="json")

    assert response.status_code == 201
    stored = SavedListView.objects.get()
    assert response.json()["id"] == stored.pk
    assert (stored.owner, stored.name, stored.filters) == (
        relationship_manager, "Open needs", {"open_needs": True, "home_branch": branch.pk})


@pytest.mark.parametrize(("body", "fields"), [
    ({"name": "", "filters": {}}, {"name": ["Enter a name for the view."]}),
    ({"name": "x" * 61}, {"name": ["Keep the name to at most 60 characters."]}),
    ({"name": "vip"}, {"name": ["You already have a view named “vip”."]}),
    ({"filters": {}}, {"name": ["This field is required."]}),
    ({"name": "Phone", "filters": {"q": "+86 138 0013 8000"}}, {"filters": [
        "A view keeps a name search only, never an exact phone, e-mail, ID, card or customer number."]}),
    ({"name": "Odd", "filters": {"segment": "vip"}}, {"filters": [
        "Filters with a value that is not valid: segment."]}),
    ({"name": "Odd", "filters": ["vip"]},
     {"filters": ['Expected a dictionary of items but got type "list".']}),
])
def test_bad_input_answers_400_with_field_errors(relationship_manager, view, body, fields):
    response = client_for(relationship_manager).post(URL, body, format="json")

    assert field_errors(response) == fields
    assert "8000" not in response.content.decode()
    assert list(SavedListView.objects.values_list("name", flat=True)) == ["VIP"]


def test_patch_renames_and_refills(relationship_manager, view):
    client = client_for(relationship_manager)

    renamed = client.patch(_detail(view), {"name": "Top clients"}, format="json")
    refilled = client.patch(_detail(view), {"filters": {"kind": "corporate"}}, format="json")

    assert renamed.status_code == refilled.status_code == 200
    assert refilled.json()["name"] == "Top clients" and refilled.json()["filters"] == {"kind": "corporate"}
    stored = SavedListView.objects.get()
    assert (stored.name, stored.filters) == ("Top clients", {"kind": "corporate"})


def test_a_refused_patch_changes_nothing(relationship_manager, view):
    response = client_for(relationship_manager).patch(
        _detail(view), {"name": "New", "filters": {"size": "big"}}, format="json")

    assert field_errors(response) == {"filters": ["Filters with a value that is not valid: size."]}
    stored = SavedListView.objects.get()
    assert (stored.name, stored.filters) == ("VIP", {"segment": ["vip"]})


def test_delete_removes_the_view(relationship_manager, view):
    response = client_for(relationship_manager).delete(_detail(view))

    assert response.status_code == 204
    assert not SavedListView.objects.exists()


def test_put_is_not_offered(relationship_manager, view):
    response = client_for(relationship_manager).put(_detail(view), {"name": "x"}, format="json")

    assert response.status_code == 405


@pytest.mark.parametrize("intruder", ["other_relationship_manager", "branch_manager", "compliance_officer",
                                      "service_account"])
def test_another_users_view_is_404_for_every_method(request, view, intruder):
    client = client_for(request.getfixturevalue(intruder))

    answers = [client.get(_detail(view)).status_code,
               client.patch(_detail(view), {"name": "Mine"}, format="json").status_code,
               client.delete(_detail(view)).status_code,
               client.options(_detail(view)).status_code]

    assert answers == [404, 404, 404, 404]
    assert client.get(URL).json()["results"] == []
    stored = SavedListView.objects.get()
    assert (stored.name, stored.filters) == ("VIP", {"segment": ["vip"]})


def test_anonymous_callers_are_refused(client, view):
    assert client.get(URL).status_code in (401, 403)
    assert client.post(URL, {"name": "x"}).status_code in (401, 403)
