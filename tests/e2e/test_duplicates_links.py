"""Reaching the duplicates page in a real browser: from the navigation and from the notice on a
customer's page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.customers.factories import make_individual
from tests.e2e.portal import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_branch_manager_finds_duplicates_from_the_navigation_and_the_customer_page(
    offline_page, live_server, branch_manager, relationship_manager, branch
):
    first = make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Wei",
                            family_name="Zhang", phone="+86 138 0013 8000")
    second = make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Min",
                             family_name="Wang", phone="+86 138 0013 8000")
    alone = make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Xiu",
                            family_name="Liu")
    page = offline_page
    sign_in(page, live_server, "manager.one")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Duplicates").click()
    table = page.get_by_test_id("customers-with-duplicates")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).not_to_contain_text(alone.number)
    row = table.locator(f'tr[data-customer="{first.number}"]')
    row.get_by_role("link", name="Review possible duplicates").click()
    expect(page).to_have_url(f"{live_server.url}/customers/{first.pk}/duplicates/")
    expect(page.get_by_test_id("duplicate-candidates")).to_contain_text(second.number)

    page.goto(f"{live_server.url}/customers/{second.pk}/")
    notice = page.get_by_test_id("duplicates-notice")
    expect(notice).to_be_visible()
    notice.get_by_role("link", name="Review possible duplicates").click()
    expect(page).to_have_url(f"{live_server.url}/customers/{second.pk}/duplicates/")
    expect(page.get_by_test_id("duplicate-candidates")).to_contain_text(first.number)

    page.goto(f"{live_server.url}/customers/{alone.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Liu Xiu")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("duplicates-notice")).to_have_count(0)
