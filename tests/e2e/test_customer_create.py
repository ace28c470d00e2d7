"""Adding customers in a real browser: a walk-in individual, a corporate, a possible duplicate
decided on, and a field entered wrongly."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from compliance.models import AuditEvent
from customers.models import Customer
from tests.customers.factories import make_individual
from tests.e2e.portal import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _open_the_form(page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    page.get_by_test_id("new-customer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New customer")


def _fill_individual(page, *, phone: str) -> None:
    page.get_by_label("Family name").fill("Li")
    page.get_by_label("Given name").fill("Na")
    page.get_by_label("Date of birth").fill("1990-01-01")
    page.get_by_label("ID number").fill("110105199001011234")
    page.get_by_label("Phone").fill(phone)
    page.get_by_label("E-mail").fill("li.na@example.cn")
    page.get_by_label("Address").fill("1 Zhongshan East Road, Shanghai")


def test_branch_staff_onboard_a_walk_in_individual(offline_page, live_server, branch_staff, branch):
    page = offline_page
    sign_in(page, live_server, "staff.one")
    _open_the_form(page)

    _fill_individual(page, phone="+86 139 1111 2222")
    page.get_by_test_id("create-submit").click()

    customer = Customer.objects.get()
    expect(page).to_have_url(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Li Na")
    # Branch staff see their branch masked, the customer they just added too.
    expect(page.get_by_test_id("contact")).to_contain_text("139****2222")
    assert customer.home_branch_id == branch.pk
    assert customer.individual.date_of_birth == datetime.date(1990, 1, 1)


def test_a_relationship_manager_adds_a_corporate_on_a_phone(offline_page, live_server, relationship_manager,
                                                            branch):
    page = offline_page
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "rm.one")
    page.goto(f"{live_server.url}/customers/new/")

    page.get_by_test_id("customer-kinds").get_by_role("link", name="Corporate").click()
    expect(page).to_have_url(re.compile(r"\?kind=corporate$"))
    expect(page.get_by_label("Date of birth")).to_have_count(0)
    page.get_by_label("Legal name").fill("Donghai Shipping Co., Ltd.")
    page.get_by_label("Industry").fill("Shipping")
    page.get_by_label("Registration number").fill("91310000MA1K000042")
    page.get_by_label("Phone").fill("+86 21 6000 1234")
    page.get_by_test_id("create-submit").click()

    customer = Customer.objects.get()
    expect(page).to_have_url(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Donghai Shipping Co., Ltd.")
    # The relationship manager's new customer joins their book, so they see it in clear.
    expect(page.get_by_test_id("contact")).to_contain_text("021 6000 1234")
    assert customer.relationship_manager_id == relationship_manager.pk


def test_a_possible_duplicate_is_shown_then_created_anyway_with_a_reason(
    offline_page, live_server, branch_staff, relationship_manager, branch
):
    existing = make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Min",
                               family_name="Wang", phone="+86 139 1111 2222")
    page = offline_page
    sign_in(page, live_server, "staff.one")
    _open_the_form(page)

    _fill_individual(page, phone="139 1111 2222")
    page.get_by_test_id("create-submit").click()

    duplicates = page.get_by_test_id("possible-duplicates")
    expect(duplicates).to_contain_text(existing.number)
    expect(duplicates).to_contain_text("same phone")
    expect(duplicates).to_contain_text("139****2222")
    assert Customer.objects.count() == 1
    # Everything entered is still there.
    expect(page.get_by_label("Given name")).to_have_value("Na")
    expect(page.get_by_label("Address")).to_have_value("1 Zhongshan East Road, Shanghai")
    expect(duplicates.get_by_role("link", name="Open this customer")).to_have_attribute(
        "href", f"/customers/{existing.pk}/")

    page.get_by_label("Why this is not the same customer").fill("Daughter of Wang Min, shares the phone")
    page.get_by_role("button", name="Create anyway").click()

    created = Customer.objects.exclude(pk=existing.pk).get()
    expect(page).to_have_url(f"{live_server.url}/customers/{created.pk}/")
    event = AuditEvent.objects.filter(action="customer.created", object_id=str(created.pk)).get()
    assert event.purpose == "Daughter of Wang Min, shares the phone"
    assert event.extra == {"possible_duplicates": [existing.pk]}


def test_a_mistyped_e_mail_is_explained_and_nothing_is_lost(offline_page, live_server, branch_staff, branch):
    page = offline_page
    sign_in(page, live_server, "staff.one")
    _open_the_form(page)

    _fill_individual(page, phone="+86 139 1111 2222")
    page.get_by_label("E-mail").fill("li.na at example.cn")
    page.get_by_test_id("create-submit").click()

    expect(page.locator(".field-invalid")).to_have_count(1)
    expect(page.locator(".field-invalid")).to_contain_text("E-mail")
    expect(page.get_by_label("Family name")).to_have_value("Li")
    expect(page.get_by_label("Phone")).to_have_value("+86 139 1111 2222")
    expect(page.get_by_label("E-mail")).to_have_value("li.na at example.cn")
    assert Customer.objects.count() == 0

    page.get_by_label("E-mail").fill("li.na@example.cn")
    page.get_by_test_id("create-submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Li Na")
    assert Customer.objects.count() == 1
