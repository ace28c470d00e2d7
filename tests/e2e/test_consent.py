"""Consent on the 360° page in a real browser: the RM records a consent with its evidence, a
grant without evidence is shown again with its error, and the RM withdraws the consent."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from customers.models import Consent, ConsentEvent
from tests.customers.factories import make_individual
from tests.e2e.portal import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL_MARKETING = 'tr[data-purpose="marketing"] td[data-channel="email"]'


def test_rm_records_and_withdraws_a_consent(offline_page, live_server, relationship_manager, branch):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Wei",
                               family_name="Zhang")
    page = offline_page
    sign_in(page, live_server, "rm.one")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    form = page.get_by_test_id("consent-form")
    cell = page.get_by_test_id("consent-grid").locator(EMAIL_MARKETING)
    expect(cell).to_have_attribute("data-status", "none")

    # A grant without evidence comes back with the error and the choices kept.
    form.get_by_label("Purpose").select_option("marketing")
    form.get_by_label("Channel").select_option("email")
    form.get_by_role("button", name="Record").click()
    form = page.get_by_test_id("consent-form")
    expect(form.locator(".field-invalid")).to_contain_text("needs its evidence")
    expect(form.get_by_label("Channel")).to_have_value("email")
    assert not ConsentEvent.objects.exists()

    form.get_by_label("Evidence reference").fill("FORM-2026-0042")
    form.get_by_role("button", name="Record").click()
    expect(page.get_by_text("Consent recorded.")).to_be_visible()
    cell = page.get_by_test_id("consent-grid").locator(EMAIL_MARKETING)
    expect(cell).to_have_attribute("data-status", "granted")

    form = page.get_by_test_id("consent-form")
    form.get_by_label("Consent").select_option("withdrawn")
    form.get_by_label("Purpose").select_option("marketing")
    form.get_by_label("Channel").select_option("email")
    form.get_by_label("Given through").select_option("call_centre")
    form.get_by_role("button", name="Record").click()
    expect(page.get_by_text("Consent withdrawn: no further contacts of this kind.")).to_be_visible()
    cell = page.get_by_test_id("consent-grid").locator(EMAIL_MARKETING)
    expect(cell).to_have_attribute("data-status", "withdrawn")

    assert Consent.objects.get(customer=customer).status == "withdrawn"
    events = ConsentEvent.objects.order_by("pk")
    assert [(event.status, event.evidence_reference) for event in events] == [
        ("granted", "FORM-2026-0042"), ("withdrawn", None)]
