"""Every role walks through the pages its navigation offers, on a desktop and a phone, in each
language: no console error, no Content-Security-Policy violation, no request to another
origin, and no sideways scrolling.

One browser context per role, width and language; each signs in once through the form and
visits every page. All problems of a role at a width are gathered and reported together,
language by language and page by page.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.customers.factories import make_individual, make_interaction
from tests.e2e.portal import keep_at_home
from tests.factories import PASSWORD, BranchFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROLES = {
    "relationship_manager": "rm.one",
    "branch_staff": "staff.one",
    "branch_manager": "manager.one",
    "compliance_officer": "compliance.one",
    "administrator": "admin.one",
    "service_account": "svc.core",
}
VIEWPORTS = {"1440x900": {"width": 1440, "height": 900}, "390x844": {"width": 390, "height": 844}}
LANGUAGES = ["en", "zh-hans", "zh-hant"]

# Collected before any page script runs; init scripts are not subject to the page's CSP.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture
def bank(transactional_db):
    """A user per role (their permissions come from conftest's autouse fixture), and one
    customer of the branch with an interaction on its timeline."""
    branch = BranchFactory(code="SH01", name="Shanghai Lujiazui", region="East China")
    users = {}
    for role, username in ROLES.items():
        head_office = role in {"compliance_officer", "administrator", "service_account"}
        users[role] = UserFactory(
            role=role, username=username, branch=None if head_office else branch,
            is_staff=role == "administrator", is_superuser=role == "administrator",
        )
    customer = make_individual(relationship_manager=users["relationship_manager"], branch=branch,
                               given_name="Wei", family_name="Zhang", phone="+86 138 0013 8000")
    make_interaction(customer, actor=users["relationship_manager"])
    return customer


def _extra_pages(role: str, customer) -> list[str]:
    """Pages reached from the navigated ones (a customer's 360 page, saved views, calendar,
    notifications, books, audit detail)."""
    pages = [reverse("password_change")]
    if role in {"relationship_manager", "branch_staff", "branch_manager", "compliance_officer"}:
        pages += [reverse("customer-detail", args=[customer.pk]), reverse("customer-list-views"),
                  reverse("appointment-calendar"), reverse("notification-list")]
    if role == "branch_manager":
        pages += [reverse("customer-books"), reverse("importjob-create")]
    if role == "compliance_officer":
        pages.append(reverse("audit-customer-access", args=[customer.number]))
    if role == "administrator":
        pages += [reverse("admin:auth_user_changelist"), reverse("admin:customers_customer_changelist")]
    return pages


def _walk(browser, live_server, customer, role: str, viewport: str, language: str) -> list[str]:
    """Sign in as `role` in a fresh context and visit every page; return the problems found."""
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale=language)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    context.add_init_script(WATCH_CSP)
    foreign = keep_at_home(context, live_server.url)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: message.type == "error" and console.append(message.text))
    page.on("pageerror", lambda error: console.append(f"uncaught: {error}"))
    problems: list[str] = []
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.locator("#id_username").fill(ROLES[role])
        page.locator("#id_password").fill(PASSWORD)
        page.locator("form[action='/accounts/login/'] button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/")
        if page.locator("html").get_attribute("lang") != language:
            problems.append(f"/: not in {language}")

        navigation = page.locator("#main-nav a").evaluate_all("links => links.map(a => a.pathname)")
        pages = list(dict.fromkeys(["/", *navigation, *_extra_pages(role, customer)]))
        for path in pages:
            console.clear()
            foreign.clear()
            response = page.goto(live_server.url + path)
            found = []
            if response is None or response.status != 200:
                found.append(f"status {response.status if response else 'none'}")
            violations = page.evaluate("window.__cspViolations")
            if violations:
                found.append(f"CSP violations {violations}")
            if console:
                found.append(f"console errors {list(console)}")
            if foreign:
                found.append(f"requests to other origins {list(foreign)}")
            widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if widths[0] > widths[1]:
                found.append(f"scrolls sideways (scrollWidth {widths[0]} > {widths[1]})")
            problems += [f"{language} {path}: {problem}" for problem in found]
    finally:
        context.close()
    return problems


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("role", list(ROLES))
def test_every_reachable_page_is_clean(browser, live_server, bank, role, viewport):
    # The bank is built once per role and width (emptying the tables after a transactional
    # test is the slow part); each language still gets its own context and sign-in.
    problems = [problem for language in LANGUAGES
                for problem in _walk(browser, live_server, bank, role, viewport, language)]

    assert problems == [], f"{role} at {viewport}:\n" + "\n".join(problems)
