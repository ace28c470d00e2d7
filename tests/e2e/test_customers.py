"""Customer pages in a real browser: search by phone, the 360° page, htmx actions, reassignment."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from crm.roles import Role
from customers.models import Customer, Interaction
from tests.customers.factories import make_individual
from tests.e2e.portal import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = "+86 138 0013 8000"
PHONE_SHOWN = "138 0013 8000"  # PHONE in clear, as every surface shows it


def test_rm_finds_a_customer_by_phone_and_sees_it_in_clear(offline_page, live_server, relationship_manager,
                                                             branch):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Wei",
                               family_name="Zhang", phone=PHONE)
    make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Xiu",
                    family_name="Liu")
    page = offline_page
    sign_in(page, live_server, "rm.one")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    page.get_by_role("searchbox").fill("138 0013 8000")
    page.get_by_role("button", name="Search", exact=True).click()

    expect(page).to_have_url(re.compile(r"/customers/\?search="))
    assert "8000" not in page.url
    rows = page.get_by_test_id("customer-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name="Zhang Wei").click()

    expect(page).to_have_url(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zhang Wei")
    expect(page.get_by_test_id("contact")).to_contain_text(PHONE_SHOWN)
    expect(page.get_by_test_id("contact").locator(".masked")).to_have_count(0)

    # Logging an interaction with htmx adds it to the timeline without leaving the page.
    page.get_by_label("Summary").fill("Explained the new savings plan")
    page.get_by_role("button", name="Log interaction").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("Explained the new savings plan")
    expect(page.get_by_test_id("quick-actions")).to_contain_text("Interaction logged.")
    expect(page).to_have_url(f"{live_server.url}/customers/{customer.pk}/")
    assert Interaction.objects.filter(customer=customer, staff=relationship_manager).count() == 1


def test_filter_form_swaps_results_and_updates_the_address(offline_page, live_server, relationship_manager,
                                                           branch):
    make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Wei",
                    family_name="Zhang")
    make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Xiu",
                    family_name="Liu", segment="vip")
    page = offline_page
    sign_in(page, live_server, "rm.one")
    page.goto(f"{live_server.url}/customers/")
    expect(page.get_by_test_id("customer-table").locator("tbody tr")).to_have_count(2)

    page.get_by_test_id("customer-filters").get_by_label("VIP").check()

    expect(page.get_by_test_id("customer-table").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("customer-table")).to_contain_text("Liu Xiu")
    expect(page).to_have_url(re.compile(r"segment=vip"))


def test_branch_manager_reassigns_a_customer_to_the_other_rm(offline_page, live_server, branch_manager,
                                                             relationship_manager, branch):
    colleague = UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=branch, username="rm.two",
                            first_name="Mei", last_name="Lin")
    customer = make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Wei",
                               family_name="Zhang", phone=PHONE)
    page = offline_page
    sign_in(page, live_server, "manager.one")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.get_by_test_id("contact")).not_to_contain_text(PHONE_SHOWN)

    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_label("New relationship manager").select_option(label="Mei Lin")
    page.get_by_role("button", name="Reassign").click()

    expect(page.get_by_role("status")).to_contain_text("The customer now belongs to Mei Lin's book.")
    expect(page.get_by_test_id("customer-rm")).to_have_text("Mei Lin")
    assert Customer.objects.get(pk=customer.pk).relationship_manager == colleague
