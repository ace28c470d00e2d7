"""A relationship manager signs in with a real browser and sees the home page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_relationship_manager_signs_in_and_sees_home(offline_page, live_server, relationship_manager):
    page = offline_page
    page.goto(f"{live_server.url}/")

    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("Username").fill("rm.one")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_test_id("user-name")).to_have_text("Test " + relationship_manager.last_name)
    expect(page.get_by_test_id("user-summary")).to_contain_text("Relationship manager")
    expect(page.get_by_test_id("user-summary")).to_contain_text("Shanghai Lujiazui")
    # htmx is served by the portal itself and loads with the page (deferred): wait for it, fail if
    # it never comes.
    page.wait_for_function("typeof htmx === 'object'", timeout=10_000)
    assert page.evaluate("typeof htmx") == "object"


def test_wrong_password_shows_the_message(offline_page, live_server, relationship_manager):
    page = offline_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("rm.one")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page.get_by_label("Username")).to_have_value("rm.one")
