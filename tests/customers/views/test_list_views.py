"""Saved list views on the customer list: save, apply, rename, refill, delete; the user's own only."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from crm.models import StaffProfile
from customers import services
from customers.models import LIST_VIEW_NAME_MAX_LENGTH, SavedListView
from tests.customers.factories import make_individual
from tests.customers.views.pages import (
    HTMX,
    LIST_BUDGET,
    PHONE,
    PII_REVEALED_EVENT,
    REQUEST_OVERHEAD,
    body_of,
    list_page,
)

pytestmark = pytest.mark.django_db

LIST = reverse("customer-list")
SAVE = reverse("customer-list-view-save")
MANAGE = reverse("customer-list-views")


def _apply(view) -> str:
    return reverse("customer-list-view-apply", args=[view.pk])


def _rename(view) -> str:
    return reverse("customer-list-view-rename", args=[view.pk])


def _refill(view) -> str:
    return reverse("customer-list-view-filters", args=[view.pk])


def _delete(view) -> str:
    return reverse("customer-list-view-delete", args=[view.pk])


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _save(client, name: str, query: str, **extra):
    return client.post(SAVE, {"save-name": name, "save-query": query, "save-return_to": "list",
                              **{f"save-{key}": value for key, value in extra.items()}})


def _panel(response) -> list[tuple[SavedListView, bool]]:
    """The saved views the list shows, each with whether it is the one in effect."""
    return [(item["view"], item["current"]) for item in response.context["saved_views"]["views"]]


def _view(owner, name="VIP", **filters) -> SavedListView:
    return services.list_view_create(actor=owner, name=name, filters=filters)


# ---------------------------------------------------------------------------------------------
# Saving the current filters
# ---------------------------------------------------------------------------------------------


def test_the_list_offers_to_save_its_current_filters(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    response = list_page(client, "status=active&segment=vip&segment=mass&size=25&after=3")

    panel = response.context["saved_views"]
    assert panel["savable"] and not panel["left_out"]
    # The list's own parameters, in a canonical order; never the page cursor.
    assert panel["query"] == "segment=mass&segment=vip&status=active&size=25"
    assert 'data-testid="save-view-form"' in body_of(response)


def test_saving_keeps_the_filters_and_returns_to_the_list(client, relationship_manager, customer, branch):
    client.force_login(relationship_manager)
    query = f"segment=vip&status=active&home_branch={branch.pk}&open_needs=false&sort=-name&size=25"

    response = _save(client, "  VIP   in my branch ", query)

    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?{query}"
    view = SavedListView.objects.get()
    assert (view.owner, view.name) == (relationship_manager, "VIP in my branch")
    assert view.filters == {"segment": ["vip"], "status": ["active"], "home_branch": branch.pk,
                            "open_needs": False, "sort": "-name", "size": 25}
    shown = client.get(response["Location"])
    assert "View “VIP in my branch” saved." in _messages(shown)
    assert _panel(shown) == [(view, True)]


def test_an_exact_search_is_left_out_and_the_user_is_told(client, relationship_manager, customer):
    client.force_login(relationship_manager)
    location = client.post(reverse("customer-search"), {"q": PHONE})["Location"]
    listed = client.get(f"{location}&kind=individual")
    panel = listed.context["saved_views"]
    assert panel["left_out"] and panel["query"] == "kind=individual"
    assert "is not saved with a view" in body_of(listed)
    assert panel["save_form"].initial["left_out"] is True

    saved = _save(client, "Individuals", panel["query"], left_out="True")

    assert SavedListView.objects.get().filters == {"kind": "individual"}
    assert "is not saved with the view." in " ".join(_messages(client.get(saved["Location"])))


@pytest.mark.parametrize("term", ["wei.zhang%40example.cn", "110105198001011234", "C0000101006",
                                  "6225881234567890"])
def test_an_exact_term_in_the_address_is_never_saved(client, relationship_manager, customer, term):
    client.force_login(relationship_manager)

    # The list refuses such a term in its address (it never runs); a save that posts one
    # keeps the other filters only.
    _save(client, "Exact", f"q={term}&kind=individual")

    assert SavedListView.objects.get().filters == {"kind": "individual"}


def test_a_name_search_is_saved(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    _save(client, "Zhangs", list_page(client, "q=zhang").context["saved_views"]["query"])

    assert SavedListView.objects.get().filters == {"q": "zhang"}


@pytest.mark.parametrize(("name", "error"), [
    ("", "Enter a name for the view."),
    ("   ", "Enter a name for the view."),
    ("x" * (LIST_VIEW_NAME_MAX_LENGTH + 1), "Keep the name to at most 60 characters."),
    ("vip", "You already have a view named “vip”."),
])
def test_a_bad_name_shows_the_form_again_with_the_error(client, relationship_manager, name, error):
    _view(relationship_manager, "VIP", segment=["vip"])
    client.force_login(relationship_manager)

    response = _save(client, name, "kind=corporate&size=25")

    assert response.status_code == 200
    form = response.context["save_form"]
    assert form.errors["name"] == [error]
    body = body_of(response)
    assert f'role="alert">{error}</p>' in body
    # Nothing typed is lost: the name and the filters come back in the form.
    assert f'value="{name}"' in body
    assert 'value="kind=corporate&amp;size=25"' in body
    assert list(SavedListView.objects.values_list("name", flat=True)) == ["VIP"]


def test_invalid_filters_are_not_saved(client, relationship_manager):
    client.force_login(relationship_manager)

    response = _save(client, "Odd", "not_contacted_days=-4")

    assert response.status_code == 200
    assert response.context["save_form"].non_field_errors() == [
        "The list's filters are not valid any more; apply them again first."]
    assert not SavedListView.objects.exists()


def test_a_list_with_invalid_filters_offers_no_save(client, relationship_manager):
    client.force_login(relationship_manager)

    response = list_page(client, "not_contacted_days=abc")

    assert response.context["saved_views"]["savable"] is False
    assert 'data-testid="save-view-form"' not in body_of(response)


# ---------------------------------------------------------------------------------------------
# Applying
# ---------------------------------------------------------------------------------------------


def test_applying_a_view_shows_the_list_with_its_filters(client, relationship_manager, branch, customer):
    make_individual(relationship_manager=relationship_manager, branch=branch, segment="vip",
                    family_name="Liu", given_name="Xiu")
    view = _view(relationship_manager, "VIP", segment=["vip"], size=25)
    client.force_login(relationship_manager)

    response = client.get(_apply(view))

    assert response.status_code == 302 and response["Location"] == f"{LIST}?segment=vip&size=25"
    shown = client.get(response["Location"])
    assert [row["customer"].display_name for row in shown.context["rows"]] == ["Liu Xiu"]
    assert _panel(shown) == [(view, True)]
    assert 'aria-current="true"' in body_of(shown)


def test_a_view_without_filters_shows_the_whole_list(client, relationship_manager, customer):
    view = _view(relationship_manager, "Everyone")
    client.force_login(relationship_manager)
    list_page(client, "segment=vip")  # kept as the last filters

    response = client.get(_apply(view), follow=True)

    assert response.redirect_chain[0] == (f"{LIST}?clear=1", 302)
    assert response.context["filter"].used() == []
    assert len(response.context["rows"]) == 1


def test_a_view_on_a_closed_branch_shows_the_list_with_a_message(client, compliance_officer, branch,
                                                                 other_branch, customer):
    view = _view(compliance_officer, "Guangzhou VIP", home_branch=other_branch.pk, segment=["vip"])
    other_branch.is_active = False
    other_branch.save(update_fields=["is_active"])
    client.force_login(compliance_officer)

    response = client.get(_apply(view), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(f"{LIST}?segment=vip", 302)]
    assert _messages(response) == [
        "Some filters of the view “Guangzhou VIP” no longer apply and are left out: Branch. Save the "
        "filters to the view again to keep the list as it is now."]
    assert SavedListView.objects.get().filters == {"home_branch": other_branch.pk, "segment": ["vip"]}


def test_a_view_of_a_manager_who_moved_away_keeps_the_other_filters(
    client, branch_manager, relationship_manager, other_branch, customer
):
    view = _view(branch_manager, "Book of rm.one", relationship_manager=relationship_manager.pk,
                 kind="individual")
    StaffProfile.objects.filter(user=relationship_manager).update(branch=other_branch)
    client.force_login(branch_manager)

    response = client.get(_apply(view), follow=True)

    assert response.redirect_chain == [(f"{LIST}?kind=individual", 302)]
    assert "left out: Relationship manager." in _messages(response)[0]


def test_a_view_with_nothing_left_that_applies_shows_the_whole_list(client, compliance_officer, other_branch):
    view = _view(compliance_officer, "Closed", home_branch=other_branch.pk)
    other_branch.is_active = False
    other_branch.save(update_fields=["is_active"])
    client.force_login(compliance_officer)

    response = client.get(_apply(view), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[0] == (f"{LIST}?clear=1", 302)
    assert "left out: Branch." in _messages(response)[0]


# ---------------------------------------------------------------------------------------------
# Renaming, refilling, deleting
# ---------------------------------------------------------------------------------------------


def test_renaming_returns_to_the_list_the_user_was_on(client, relationship_manager):
    view = _view(relationship_manager, "VIP", segment=["vip"])
    client.force_login(relationship_manager)
    prefix = f"view-{view.pk}"

    response = client.post(_rename(view), {
        f"{prefix}-name": "Top clients", f"{prefix}-query": "kind=corporate", f"{prefix}-return_to": "list",
    })

    assert response["Location"] == f"{LIST}?kind=corporate"
    assert SavedListView.objects.get().name == "Top clients"
    assert "View renamed to “Top clients”." in _messages(client.get(response["Location"]))


@pytest.mark.parametrize(("name", "error"), [
    ("", "Enter a name for the view."),
    ("y" * 61, "Keep the name to at most 60 characters."),
    ("OTHER", "You already have a view named “OTHER”."),
])
def test_a_bad_rename_shows_the_form_again_with_the_error(client, relationship_manager, name, error):
    view = _view(relationship_manager, "VIP")
    _view(relationship_manager, "Other")
    client.force_login(relationship_manager)
    prefix = f"view-{view.pk}"

    response = client.post(_rename(view), {f"{prefix}-name": name, f"{prefix}-return_to": "list"})

    assert response.status_code == 200
    forms = {entry["view"].pk: entry["rename_form"] for entry in response.context["entries"]}
    failed = forms[view.pk]
    assert failed.errors["name"] == [error]
    assert f'value="{name}"' in body_of(response)
    assert sorted(SavedListView.objects.values_list("name", flat=True)) == ["Other", "VIP"]


def test_refilling_keeps_the_current_filters_in_the_view(client, relationship_manager):
    view = _view(relationship_manager, "VIP", segment=["vip"])
    client.force_login(relationship_manager)

    response = client.post(_refill(view), {"query": "kind=corporate&open_needs=true", "return_to": "list"})

    assert response["Location"] == f"{LIST}?kind=corporate&open_needs=true"
    assert SavedListView.objects.get().filters == {"kind": "corporate", "open_needs": True}


def test_deleting_removes_the_view(client, relationship_manager):
    view = _view(relationship_manager, "VIP")
    keep = _view(relationship_manager, "Keep")
    client.force_login(relationship_manager)

    response = client.post(_delete(view), {"query": "segment=vip", "return_to": "list"})

    assert response["Location"] == f"{LIST}?segment=vip"
    assert list(SavedListView.objects.all()) == [keep]
    assert "View “VIP” deleted." in _messages(client.get(response["Location"]))


def test_the_list_offers_to_rename_refill_and_delete_each_view(client, relationship_manager, customer):
    view = _view(relationship_manager, "VIP", segment=["vip"])
    other = _view(relationship_manager, "Corporates", kind="corporate")
    client.force_login(relationship_manager)

    response = list_page(client, "kind=corporate")

    assert _panel(response) == [(other, True), (view, False)]
    body = body_of(response)
    for saved in (view, other):
        assert (f'<input type="text" name="view-{saved.pk}-name" id="id_view-{saved.pk}-name" '
                f'value="{saved.name}"') in body
        assert f'action="{_refill(saved)}"' in body and f'action="{_delete(saved)}"' in body
    assert body.count('<input type="hidden" name="query" value="kind=corporate">') == 4


def test_the_page_of_saved_views_lists_the_users_own(client, relationship_manager, colleague):
    _view(relationship_manager, "<b>VIP</b>")
    _view(colleague, "Colleague's")
    client.force_login(relationship_manager)

    response = client.get(MANAGE)

    assert [entry["view"].name for entry in response.context["entries"]] == ["<b>VIP</b>"]
    body = body_of(response)
    assert "&lt;b&gt;VIP&lt;/b&gt;" in body and "<b>VIP</b>" not in body
    assert "Colleague" not in body


# ---------------------------------------------------------------------------------------------
# Another user's views
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("intruder", ["colleague", "branch_manager", "compliance_officer"])
def test_another_users_view_is_404_on_every_page(client, request, relationship_manager, intruder):
    view = _view(relationship_manager, "VIP", segment=["vip"])
    client.force_login(request.getfixturevalue(intruder))
    prefix = f"view-{view.pk}"

    answers = [
        client.get(_apply(view)).status_code,
        client.post(_rename(view), {f"{prefix}-name": "Mine"}).status_code,
        client.post(_refill(view), {"query": "kind=corporate"}).status_code,
        client.post(_delete(view), {}).status_code,
    ]

    assert answers == [404, 404, 404, 404]
    stored = SavedListView.objects.get()
    assert (stored.name, stored.filters) == ("VIP", {"segment": ["vip"]})
    assert list_page(client, "size=25").context["saved_views"]["views"] == []


def test_anonymous_users_are_sent_to_sign_in(client, relationship_manager):
    view = _view(relationship_manager, "VIP")

    for response in (client.get(_apply(view)), client.post(SAVE, {"save-name": "x"}), client.get(MANAGE)):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert SavedListView.objects.count() == 1


def test_saving_needs_a_post(client, relationship_manager):
    client.force_login(relationship_manager)

    assert client.get(SAVE).status_code == 405
    assert not SavedListView.objects.exists()


# ---------------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------------

# The list's own queries (tests/customers/views/test_list.py): the saved views come with the
# user's roles and permissions, in the same query.
LIST_QUERIES = REQUEST_OVERHEAD + 4
LIST_REVEALS = {"relationship_manager": PII_REVEALED_EVENT, "branch_manager": 0}


@pytest.mark.parametrize("viewer", ["relationship_manager", "branch_manager"])
def test_saved_views_cost_the_list_no_query(client, request, relationship_manager, branch, viewer,
                                            django_assert_num_queries):
    user = request.getfixturevalue(viewer)
    for _index in range(3):
        make_individual(relationship_manager=relationship_manager, branch=branch)
    client.force_login(user)
    list_page(client)
    expected = LIST_QUERIES + LIST_REVEALS[viewer]
    assert expected <= LIST_BUDGET

    _view(user, "One", segment=["vip"])
    with django_assert_num_queries(expected):
        few = list_page(client, "size=25")
    for index in range(12):
        _view(user, f"View {index}", size=25, not_contacted_days=index + 1)
    with django_assert_num_queries(expected):
        many = list_page(client, "size=25")
    with django_assert_num_queries(expected):
        fragment = list_page(client, "size=25", HTTP_HX_TARGET="customer-results", **HTMX)

    assert len(few.context["saved_views"]["views"]) == 1
    assert len(many.context["saved_views"]["views"]) == 13
    assert fragment.templates[0].name == "customers/_list_results.html"
    assert body_of(fragment).count('class="saved-view-link"') == 13


# ---------------------------------------------------------------------------------------------
# Languages
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "texts"), [
    ("zh-hans", ["已保存的视图", "保存此视图", "重命名“VIP”", "删除"]),
    ("zh-hant", ["已儲存的檢視", "儲存此檢視", "重新命名「VIP」", "刪除"]),
])
def test_the_saved_views_speak_the_users_language(client, relationship_manager, customer, language, texts):
    view = _view(relationship_manager, "VIP")
    client.force_login(relationship_manager)
    # Each request activates its language in this thread; the override puts back the one
    # before, so the tests after this one do not run in Chinese.
    with translation.override(translation.get_language()):
        client.post(reverse("set_language"), {"language": language, "next": "/"})
        body = body_of(list_page(client, "size=25"))
        refused = client.post(_rename(view), {f"view-{view.pk}-name": ""})
        errors = [str(error) for error in refused.context["entries"][0]["rename_form"].errors["name"]]

    assert all(text in body for text in texts), [text for text in texts if text not in body]
    assert "Save this view" not in body and "Saved views" not in body
    assert errors == [{"zh-hans": "请输入视图名称。", "zh-hant": "請輸入檢視名稱。"}[language]]


def test_a_view_whose_stored_filters_were_changed_by_hand_is_shown_not_a_500(client, relationship_manager,
                                                                              customer):
    odd = _view(relationship_manager, "Odd")
    unknown = _view(relationship_manager, "Unknown")
    SavedListView.objects.filter(pk=odd.pk).update(filters=["vip"])
    SavedListView.objects.filter(pk=unknown.pk).update(filters={"colour": "red", "kind": "individual"})
    client.force_login(relationship_manager)

    broken = client.get(_apply(odd), follow=True)
    partly = client.get(_apply(unknown), follow=True)

    assert broken.status_code == partly.status_code == 200
    assert broken.redirect_chain[0] == (f"{LIST}?clear=1", 302)
    assert "left out: Filters." in _messages(broken)[0]
    assert partly.redirect_chain == [(f"{LIST}?kind=individual", 302)]
    assert "left out: colour." in _messages(partly)[0]


def test_refilling_with_filters_that_are_not_valid_changes_nothing(client, relationship_manager):
    view = _view(relationship_manager, "VIP", segment=["vip"])
    client.force_login(relationship_manager)

    response = client.post(_refill(view), {"query": "not_contacted_days=-1"}, follow=True)

    assert response.status_code == 200
    assert _messages(response) == ["The list's filters are not valid any more; apply them again first."]
    assert SavedListView.objects.get().filters == {"segment": ["vip"]}
