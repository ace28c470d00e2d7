"""Saved views of the customer list in a real browser, on a desktop and a phone: save the
current filters, apply them in one click, rename (a bad name is shown again with its error)
and delete, with no sideways scrolling and no console error."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from customers.models import SavedListView
from tests.customers.factories import make_individual
from tests.e2e.portal import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
LONG_NAME = "VIP customers of the Lujiazui branch to call back before the quarter ends"[:60]


def _no_sideways_scroll(page, where: str) -> None:
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, f"{where}: the page is {scroll_width}px wide at {inner_width}px"


def _rows(page):
    return page.get_by_test_id("customer-table").locator("tbody tr")


def _open_filters(page) -> None:
    fold = page.locator("details.filters-fold")
    if fold.get_attribute("open") is None:
        page.get_by_test_id("filters-toggle").click()


def _open_tools(page) -> None:
    tools = page.get_by_test_id("saved-view-tools")
    if tools.get_attribute("open") is None:
        tools.locator("summary").click()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_save_apply_rename_and_delete_a_view(offline_page, live_server, relationship_manager, branch,
                                             viewport):
    make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Wei",
                    family_name="Zhang")
    make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Xiu",
                    family_name="Liu", segment="vip")
    page = offline_page
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())
    page.set_viewport_size(VIEWPORTS[viewport])
    sign_in(page, live_server, "rm.one")
    page.goto(f"{live_server.url}{reverse('customer-list')}")
    expect(_rows(page)).to_have_count(2)
    expect(page.get_by_test_id("saved-views")).to_contain_text("None yet.")

    # Save: filter the list (htmx swaps the results and the panel), then name the view.
    _open_filters(page)
    page.get_by_test_id("customer-filters").get_by_label("VIP").check()
    expect(_rows(page)).to_have_count(1)
    _open_tools(page)
    page.get_by_label("Name of the view").fill(LONG_NAME)
    page.get_by_test_id("save-view-form").get_by_role("button", name="Save this view").click()

    expect(page.get_by_role("status")).to_contain_text(f"View “{LONG_NAME}” saved.")
    link = page.get_by_test_id("saved-views").get_by_role("link", name=LONG_NAME)
    expect(link).to_have_attribute("aria-current", "true")
    _no_sideways_scroll(page, "list with a saved view")
    view = SavedListView.objects.get()
    assert (view.owner_id, view.filters) == (relationship_manager.pk, {"segment": ["vip"]})

    # Apply in one click from the whole list.
    _open_filters(page)
    page.get_by_test_id("clear-filters").click()
    expect(_rows(page)).to_have_count(2)
    expect(link).not_to_have_attribute("aria-current", "true")
    link.click()
    expect(page).to_have_url(re.compile(r"/customers/\?segment=vip$"))
    expect(_rows(page)).to_have_count(1)
    expect(_rows(page)).to_contain_text("Liu Xiu")

    # Rename: an empty name comes back with its error, then a good one is kept.
    _open_tools(page)
    rename = page.get_by_label(f"Rename “{LONG_NAME}”")
    rename.fill("")
    page.get_by_test_id("saved-view-edit").get_by_role("button", name="Rename").click()
    expect(page.get_by_role("alert")).to_have_text("Enter a name for the view.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Saved views")
    _no_sideways_scroll(page, "rename refused")
    page.get_by_label(f"Rename “{LONG_NAME}”").fill("Top clients")
    page.get_by_role("button", name="Rename").click()
    expect(page.get_by_role("status")).to_contain_text("View renamed to “Top clients”.")
    assert SavedListView.objects.get().name == "Top clients"

    # Delete from the list.
    page.goto(f"{live_server.url}{reverse('customer-list')}")
    _open_tools(page)
    page.get_by_test_id("saved-view-edit").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_contain_text("View “Top clients” deleted.")
    expect(page.get_by_test_id("saved-views")).to_contain_text("None yet.")
    _no_sideways_scroll(page, "list after deleting")
    assert not SavedListView.objects.exists()
    assert errors == []
