"""What the browser tests of several pages share: signing in, the language, other origins refused."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.factories import PASSWORD


def keep_at_home(target, base_url: str) -> list[str]:
    """Refuse every request of `target` (a page or a browser context) to another origin than
    `base_url`; return the list the refused addresses are recorded in."""
    foreign: list[str] = []

    def guard(route):
        url = route.request.url
        if url.startswith(base_url) or url.startswith("data:"):
            route.continue_()
        else:
            foreign.append(url)
            route.abort()

    target.route("**/*", guard)
    return foreign


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("user-name")).to_be_visible()


def choose_language(page, code: str) -> None:
    """Pick a language in the header's selector, as a user does (the page reloads in it)."""
    with page.expect_navigation():
        page.locator("#language-select").select_option(code)
    expect(page.locator("html")).to_have_attribute("lang", code)
