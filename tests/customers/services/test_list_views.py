"""customers.services.list_views: a user's named filters of the customer list, theirs alone."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from crm.roles import Role
from customers import permissions, selectors, services
from customers.models import LIST_VIEW_NAME_MAX_LENGTH, LIST_VIEWS_PER_USER, SavedListView
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VIP_ACTIVE = {"segment": ["vip"], "status": ["active"], "size": 25}


@pytest.fixture
def colleague_rm(branch):
    return UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=branch, username="rm.colleague")


def _messages(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


def test_create_keeps_the_name_tidied_and_the_filters(relationship_manager, branch):
    view = services.list_view_create(actor=relationship_manager, name="  VIP   to call ",
                                     filters={**VIP_ACTIVE, "home_branch": branch.pk, "kind": ""})

    stored = SavedListView.objects.get()
    assert (stored.pk, stored.owner, stored.name) == (view.pk, relationship_manager, "VIP to call")
    assert stored.filters == {**VIP_ACTIVE, "home_branch": branch.pk}
    assert stored.created_at is not None and stored.updated_at >= stored.created_at


@pytest.mark.parametrize(("name", "message"), [
    ("", "Enter a name for the view."),
    ("   ", "Enter a name for the view."),
    ("x" * (LIST_VIEW_NAME_MAX_LENGTH + 1), "Keep the name to at most 60 characters."),
])
def test_create_refuses_an_empty_or_long_name(relationship_manager, name, message):
    with pytest.raises(ValidationError) as refused:
        services.list_view_create(actor=relationship_manager, name=name, filters=VIP_ACTIVE)

    assert _messages(refused.value) == {"name": [message]}
    assert not SavedListView.objects.exists()


def test_a_name_of_exactly_the_limit_is_kept(relationship_manager):
    view = services.list_view_create(actor=relationship_manager, name="x" * LIST_VIEW_NAME_MAX_LENGTH,
                                     filters={})

    assert len(view.name) == LIST_VIEW_NAME_MAX_LENGTH


def test_names_are_unique_per_user_whatever_the_case(relationship_manager, colleague_rm):
    services.list_view_create(actor=relationship_manager, name="VIP", filters=VIP_ACTIVE)

    with pytest.raises(ValidationError) as refused:
        services.list_view_create(actor=relationship_manager, name="vip", filters={})

    assert _messages(refused.value) == {"name": ["You already have a view named “vip”."]}
    # Another user may use the same name.
    services.list_view_create(actor=colleague_rm, name="vip", filters={})
    assert SavedListView.objects.filter(name__iexact="vip").count() == 2


@pytest.mark.parametrize("term", [
    "+86 138 0013 8000", "13800138000", "wei.zhang@example.cn", "110105198001011234",
    "6225 8812 3456 7890", "6225881234567890", "C0000101006",
])
def test_an_exact_lookup_search_is_never_stored(relationship_manager, term):
    with pytest.raises(ValidationError) as refused:
        services.list_view_create(actor=relationship_manager, name="One", filters={"q": term})

    assert list(_messages(refused.value)) == ["filters"]
    assert term not in str(refused.value)
    assert not SavedListView.objects.exists()


def test_a_name_search_is_kept(relationship_manager):
    view = services.list_view_create(actor=relationship_manager, name="Zhangs", filters={"q": " zhang "})

    assert view.filters == {"q": "zhang"}


@pytest.mark.parametrize("filters", [
    {"unknown": "x"},
    {"segment": "vip"},
    {"segment": ["gold"]},
    {"kind": "robot"},
    {"home_branch": "3"},
    {"home_branch": True},
    {"not_contacted_days": 0},
    {"open_needs": "yes"},
    {"size": 10_000},
    {"sort": "name; drop"},
    {"search": "token"},
])
def test_filters_of_the_wrong_shape_are_refused(relationship_manager, filters):
    with pytest.raises(ValidationError) as refused:
        services.list_view_create(actor=relationship_manager, name="Odd", filters=filters)

    assert list(_messages(refused.value)) == ["filters"]
    assert not SavedListView.objects.exists()


def test_the_refusal_names_the_filters_not_their_values(relationship_manager):
    with pytest.raises(ValidationError) as refused:
        services.list_view_create(actor=relationship_manager, name="Odd",
                                  filters={"kind": "robot", "size": 0, "secret": "x"})

    assert _messages(refused.value) == {"filters": ["Unknown filters: secret."]}
    with pytest.raises(ValidationError) as refused:
        services.list_view_create(actor=relationship_manager, name="Odd",
                                  filters={"kind": "robot", "size": 0})
    assert _messages(refused.value) == {"filters": ["Filters with a value that is not valid: kind, size."]}


def test_filters_must_be_an_object(relationship_manager):
    with pytest.raises(ValidationError) as refused:
        services.list_view_create(actor=relationship_manager, name="Odd", filters=["vip"])

    assert _messages(refused.value) == {"filters": ["The filters must be an object."]}


def test_a_user_has_at_most_the_limit_of_views(relationship_manager):
    SavedListView.objects.bulk_create(
        [SavedListView(owner=relationship_manager, name=f"View {index}")
         for index in range(LIST_VIEWS_PER_USER)]
    )

    with pytest.raises(ValidationError) as refused:
        services.list_view_create(actor=relationship_manager, name="One more", filters={})

    assert list(_messages(refused.value)) == ["name"]
    assert SavedListView.objects.count() == LIST_VIEWS_PER_USER


def test_a_user_who_may_not_see_customers_saves_nothing(relationship_manager):
    relationship_manager.is_active = False

    with pytest.raises(PermissionDenied):
        services.list_view_create(actor=relationship_manager, name="VIP", filters={})
    assert not SavedListView.objects.exists()


def test_rename_changes_only_the_name(relationship_manager):
    view = services.list_view_create(actor=relationship_manager, name="VIP", filters=VIP_ACTIVE)
    before = SavedListView.objects.get().updated_at

    renamed = services.list_view_rename(actor=relationship_manager, list_view=view, name="Top clients")

    stored = SavedListView.objects.get()
    assert (renamed.name, stored.name, stored.filters) == ("Top clients", "Top clients", VIP_ACTIVE)
    assert stored.updated_at > before


def test_rename_to_another_case_of_its_own_name_is_allowed(relationship_manager):
    view = services.list_view_create(actor=relationship_manager, name="vip", filters={})

    services.list_view_rename(actor=relationship_manager, list_view=view, name="VIP")

    assert SavedListView.objects.get().name == "VIP"


@pytest.mark.parametrize(("name", "message"), [
    ("", "Enter a name for the view."),
    ("x" * 61, "Keep the name to at most 60 characters."),
    ("OTHER", "You already have a view named “OTHER”."),
])
def test_a_refused_rename_changes_nothing(relationship_manager, name, message):
    view = services.list_view_create(actor=relationship_manager, name="VIP", filters={})
    services.list_view_create(actor=relationship_manager, name="Other", filters={})

    with pytest.raises(ValidationError) as refused:
        services.list_view_rename(actor=relationship_manager, list_view=view, name=name)

    assert _messages(refused.value) == {"name": [message]}
    assert sorted(SavedListView.objects.values_list("name", flat=True)) == ["Other", "VIP"]


def test_update_filters_replaces_them(relationship_manager):
    view = services.list_view_create(actor=relationship_manager, name="VIP", filters=VIP_ACTIVE)

    services.list_view_update_filters(actor=relationship_manager, list_view=view,
                                      filters={"kind": "corporate", "open_needs": False})

    assert SavedListView.objects.get().filters == {"kind": "corporate", "open_needs": False}


def test_update_filters_refuses_an_exact_search_and_keeps_the_old_ones(relationship_manager):
    view = services.list_view_create(actor=relationship_manager, name="VIP", filters=VIP_ACTIVE)

    with pytest.raises(ValidationError):
        services.list_view_update_filters(actor=relationship_manager, list_view=view,
                                          filters={"q": "wei.zhang@example.cn"})

    assert SavedListView.objects.get().filters == VIP_ACTIVE


def test_delete_removes_the_view(relationship_manager):
    view = services.list_view_create(actor=relationship_manager, name="VIP", filters={})

    services.list_view_delete(actor=relationship_manager, list_view=view)

    assert not SavedListView.objects.exists()


@pytest.mark.parametrize("intruder",
                         ["colleague_rm", "branch_manager", "administrator", "compliance_officer"])
def test_another_users_view_is_absent_for_every_service(request, relationship_manager, intruder):
    other = request.getfixturevalue(intruder)
    view = services.list_view_create(actor=relationship_manager, name="VIP", filters=VIP_ACTIVE)

    with pytest.raises(Http404):
        services.list_view_rename(actor=other, list_view=view, name="Mine now")
    with pytest.raises(Http404):
        services.list_view_update_filters(actor=other, list_view=view, filters={})
    with pytest.raises(Http404):
        services.list_view_delete(actor=other, list_view=view)
    with pytest.raises(Http404):
        selectors.list_view_get(actor=other, pk=view.pk)

    stored = SavedListView.objects.get()
    assert (stored.owner, stored.name, stored.filters) == (relationship_manager, "VIP", VIP_ACTIVE)
    assert list(selectors.list_view_list(actor=other)) == []


def test_the_list_is_the_users_own_in_name_order(relationship_manager, colleague_rm):
    for name in ("beta", "Alpha", "gamma"):
        services.list_view_create(actor=relationship_manager, name=name, filters={})
    services.list_view_create(actor=colleague_rm, name="Aardvark", filters={})

    names = [view.name for view in selectors.list_view_list(actor=relationship_manager)]

    assert names == ["Alpha", "beta", "gamma"]


def test_unknown_or_malformed_ids_are_404(relationship_manager):
    for pk in (999_999, "abc", None):
        with pytest.raises(Http404):
            selectors.list_view_get(actor=relationship_manager, pk=pk)


def test_views_loaded_with_the_actor_are_the_ones_the_selector_reads(relationship_manager, colleague_rm,
                                                                     django_assert_num_queries):
    for name in ("beta", "Alpha"):
        services.list_view_create(actor=relationship_manager, name=name, filters={"size": 25})
    services.list_view_create(actor=colleague_rm, name="Aardvark", filters={})
    expected = [(view.pk, view.name, view.filters)
                for view in selectors.list_view_list(actor=relationship_manager)]
    actor = type(relationship_manager).objects.get(pk=relationship_manager.pk)

    with django_assert_num_queries(1):
        selectors.actor_load(actor, list_views=True)
        loaded = selectors.list_view_list(actor=actor)
        assert [(view.pk, view.name, view.filters) for view in loaded] == expected
    assert [name for _pk, name, _filters in expected] == ["Alpha", "beta"]


def test_an_inactive_user_has_no_views(relationship_manager):
    services.list_view_create(actor=relationship_manager, name="VIP", filters={})
    relationship_manager.is_active = False

    assert list(permissions.list_views_restrict(SavedListView.objects.all(), relationship_manager)) == []
    selectors.actor_load(relationship_manager, list_views=True)
    assert selectors.list_view_list(actor=relationship_manager) == []
