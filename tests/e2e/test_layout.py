"""Layout as a user meets it: phone width (390x844) and a desktop (1440x900).

At phone width no page scrolls sideways (tables become cards or scroll inside their own box),
the customer list shows results in the first screen and the 360° page's quick actions are
reachable from the top. On a desktop every holdings column stays inside its panel, even with
full account numbers.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from crm.roles import Role
from customers.models import Customer, HoldingStatus, ProductType, Relationship, RelationshipKind
from tests.customers.factories import make_corporate, make_holding, make_individual, make_interaction
from tests.e2e.portal import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
LONG_NAME = "Shanghai Anguang Catering Management Consulting Co., Ltd."


def _page_width(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def _assert_no_sideways_scroll(page, where: str) -> None:
    scroll_width, inner_width = _page_width(page)
    assert scroll_width <= inner_width, f"{where}: the page is {scroll_width}px wide at {inner_width}px"


@pytest.fixture
def bank(relationship_manager, branch):
    """A book with a corporate customer that has long names around it, holdings with full
    account numbers, interactions and relationships."""
    customer = make_corporate(relationship_manager=relationship_manager, branch=branch, legal_name=LONG_NAME)
    for index in range(3):
        make_holding(customer, product_type=ProductType.TERM_DEPOSIT, product_name="Three-year term deposit",
                     account_number=f"62220210010012340{index:02d}", balance=Decimal("12345678.90"),
                     status=HoldingStatus.ACTIVE, opened_on=datetime.date(2021, 3, 1),
                     matures_on=datetime.date(2029, 3, 1))
    for _index in range(3):
        make_interaction(customer)
    director = make_individual(relationship_manager=relationship_manager, branch=branch,
                               given_name="Guangming", family_name="Ouyang")
    parent = make_corporate(relationship_manager=relationship_manager, branch=branch,
                            legal_name="Zhejiang Jiahua International Holdings Group Co., Ltd.")
    Relationship.objects.create(from_customer=director, to_customer=customer, kind=RelationshipKind.DIRECTOR,
                                role="Chairman of the board")
    Relationship.objects.create(from_customer=parent, to_customer=customer,
                                kind=RelationshipKind.PARENT_COMPANY)
    for index in range(30):
        make_individual(relationship_manager=relationship_manager, branch=branch,
                        given_name=f"Xiaoming{index}", family_name="Wang")
    return customer


def test_customer_list_fits_a_phone_and_shows_results_first(offline_page, live_server, bank):
    page = offline_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "rm.one")
    page.goto(f"{live_server.url}{reverse('customer-list')}")

    _assert_no_sideways_scroll(page, "customer list")
    first_row = page.get_by_test_id("customer-table").locator("tbody tr").first
    expect(first_row).to_be_visible()
    box = first_row.bounding_box()
    assert box["y"] < PHONE["height"], f"the first result starts {box['y']}px down"
    # The filters are folded away and open with a tap.
    filters = page.get_by_test_id("customer-filters")
    expect(filters.get_by_label("Kind")).to_be_hidden()
    page.get_by_test_id("filters-toggle").click()
    expect(filters.get_by_label("Kind")).to_be_visible()
    _assert_no_sideways_scroll(page, "customer list, filters open")


def test_filters_are_open_on_a_desktop(offline_page, live_server, bank):
    page = offline_page
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, "rm.one")
    page.goto(f"{live_server.url}{reverse('customer-list')}")

    expect(page.get_by_test_id("customer-filters").get_by_label("Kind")).to_be_visible()


def test_customer_360_fits_a_phone_and_reaches_quick_actions_from_the_top(offline_page, live_server, bank):
    page = offline_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "rm.one")
    page.goto(f"{live_server.url}{reverse('customer-detail', args=[bank.pk])}")

    _assert_no_sideways_scroll(page, "customer 360")
    jump = page.get_by_test_id("jump-to-quick-actions")
    expect(jump).to_be_visible()
    assert jump.bounding_box()["y"] < PHONE["height"]
    jump.click()
    expect(page.get_by_test_id("quick-actions")).to_be_in_viewport()


@pytest.mark.parametrize("username", ["rm.one", "manager.one", "compliance.one"])
def test_every_page_fits_a_phone(offline_page, live_server, bank, branch, username):
    UserFactory(role=Role.BRANCH_MANAGER, branch=branch, username="manager.one")
    UserFactory(role=Role.COMPLIANCE_OFFICER, branch=None, username="compliance.one")
    page = offline_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, username)
    other = Customer.objects.exclude(pk=bank.pk).order_by("pk").first()
    paths = [reverse("home"), reverse("customer-list"), reverse("customer-detail", args=[bank.pk]),
             reverse("password_change"), reverse("customer-detail", args=[bank.pk + 10_000])]
    if username == "rm.one":
        paths.append(reverse("customer-edit", args=[bank.pk]))
    if username == "manager.one":
        paths += [reverse("customer-books"), reverse("importjob-list"), reverse("importjob-create"),
                  reverse("merge-list"), reverse("customer-duplicates", args=[bank.pk]),
                  reverse("customer-merge", args=[bank.pk, other.pk])]
    if username == "compliance.one":
        paths += [reverse("audit-event-list"), reverse("audit-customer-access", args=[bank.number])]
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        assert page.locator("main").count() == 1, path
        assert page.locator("h1").count() >= 1, path
        _assert_no_sideways_scroll(page, f"{path} as {username}")


def test_sign_in_page_fits_a_phone(offline_page, live_server):
    page = offline_page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    _assert_no_sideways_scroll(page, "sign-in")


def test_holdings_columns_stay_inside_their_panel_on_a_desktop(offline_page, live_server, bank):
    page = offline_page
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, "rm.one")
    page.goto(f"{live_server.url}{reverse('customer-detail', args=[bank.pk])}")

    panel = page.get_by_test_id("holdings")
    expect(panel).to_contain_text("6222021001001234000")
    right = panel.bounding_box()["x"] + panel.bounding_box()["width"]
    headers = panel.locator("thead th")
    expect(headers.last).to_have_text("Matures")
    for index in range(headers.count()):
        box = headers.nth(index).bounding_box()
        assert box["x"] + box["width"] <= right, f"column {index + 1} ends past the panel"
    for cell in panel.locator("tbody td").all():
        box = cell.bounding_box()
        assert box["x"] + box["width"] <= right
    _assert_no_sideways_scroll(page, "customer 360 at 1440")


def test_relationship_graph_labels_hold_their_names_and_no_arrow_crosses_one(offline_page, live_server, bank):
    page = offline_page
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, "rm.one")
    page.goto(f"{live_server.url}{reverse('customer-detail', args=[bank.pk])}")

    graph = page.get_by_test_id("relationship-graph")
    expect(graph.get_by_test_id("graph-node")).to_have_count(3)
    centre = graph.locator(".graph-centre")
    # The full name is the node's title (tooltip, accessible name), the label is shortened.
    assert centre.locator("title").text_content() == LONG_NAME
    assert centre.locator(".graph-label").text_content().endswith("…")
    geometry = page.evaluate("""() => {
      const box = (el) => { const b = el.getBBox(); return {x: b.x, y: b.y, w: b.width, h: b.height}; };
      const nodes = [...document.querySelectorAll('[data-testid=graph-node]')].map(
        (node) => ({rect: box(node.querySelector('rect')), text: box(node.querySelector('text'))}));
      const lines = [...document.querySelectorAll('.graph-line')].map((line) => ['x1', 'y1', 'x2', 'y2'].map(
        (name) => line[name].baseVal.value));
      return {nodes, lines};
    }""")
    for node in geometry["nodes"]:
        rect, text = node["rect"], node["text"]
        assert rect["x"] <= text["x"] and text["x"] + text["w"] <= rect["x"] + rect["w"], node
        assert rect["y"] <= text["y"] and text["y"] + text["h"] <= rect["y"] + rect["h"], node

    def crosses(line, rect, steps=200):
        x1, y1, x2, y2 = line
        for step in range(1, steps):  # the end points touch the boxes' edges by design
            t = step / steps
            x, y = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
            inside_x = rect["x"] + 1 < x < rect["x"] + rect["w"] - 1
            if inside_x and rect["y"] + 1 < y < rect["y"] + rect["h"] - 1:
                return True
        return False

    assert geometry["lines"]
    for line in geometry["lines"]:
        for node in geometry["nodes"]:
            assert not crosses(line, node["rect"]), (line, node)
