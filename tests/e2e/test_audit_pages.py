"""The audit pages, the list's filter errors and the API docs in a real browser: customer
numbers and translated labels, never internal ids or codes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.customers.factories import make_individual
from tests.e2e.portal import choose_language, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_compliance_officer_follows_who_saw_this_customer_from_the_360_page(
    offline_page, live_server, relationship_manager, compliance_officer, branch
):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    page = offline_page
    sign_in(page, live_server, "compliance.one")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")

    page.get_by_role("link", name="Who saw this customer").click()

    expect(page).to_have_url(f"{live_server.url}/compliance/audit/customers/{customer.number}/access/")
    heading = f"Who saw the data of customer {customer.number}"
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    report = page.get_by_test_id("access-report")
    expect(report).to_contain_text("Customer created")
    expect(report).to_contain_text("annual income")
    expect(report).not_to_contain_text("customer.created")
    expect(report).not_to_contain_text("annual_income")

    page.get_by_role("link", name="All events for this customer in the audit trail").click()

    expect(page.get_by_label("Customer number")).to_have_value(customer.number)
    events = page.get_by_test_id("audit-events")
    expect(events.get_by_role("link", name=f"Customer {customer.number}")).to_be_visible()
    expect(events).not_to_contain_text(f"customers.customer {customer.pk}")

    choose_language(page, "zh-hans")

    headers = page.get_by_test_id("audit-events").locator("thead")
    expect(headers).to_contain_text("来源地址")
    expect(headers).not_to_contain_text("开始日期")
    expect(page.get_by_test_id("audit-events")).to_contain_text("已创建客户")

    page.get_by_label("客户号").fill(str(customer.pk))
    page.get_by_role("button", name="搜索").click()

    expect(page.get_by_test_id("filter-errors")).to_contain_text("客户号：没有客户使用此客户号。")


def test_the_360_page_has_no_audit_link_for_those_who_may_not_see_the_trail(
    offline_page, live_server, relationship_manager, branch
):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    page = offline_page
    sign_in(page, live_server, "rm.one")

    page.goto(f"{live_server.url}/customers/{customer.pk}/")

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Who saw this customer")).to_have_count(0)


def test_list_filter_errors_name_the_field_by_its_translated_label(
    offline_page, live_server, relationship_manager
):
    page = offline_page
    sign_in(page, live_server, "rm.one")
    page.goto(f"{live_server.url}/customers/")
    choose_language(page, "zh-hans")

    page.goto(f"{live_server.url}/customers/?not_contacted_days=abc")

    errors = page.get_by_test_id("filter-errors")
    expect(errors).to_contain_text("未联系天数：")
    expect(errors).not_to_contain_text("not_contacted_days")


def test_the_api_docs_lead_back_to_the_portal(offline_page, live_server, relationship_manager):
    page = offline_page
    sign_in(page, live_server, "rm.one")
    page.goto(f"{live_server.url}/api/docs/")

    page.get_by_role("link", name="Back to the portal").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/$"))
    expect(page.get_by_test_id("user-name")).to_be_visible()
