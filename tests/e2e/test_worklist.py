"""The RM's morning in a real browser: the worklist with reasons, completing a follow-up,
booking an appointment and downloading the calendar file."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from customers.care import generation
from customers.models import (
    Appointment,
    ContactPlan,
    FollowUp,
    Interaction,
    ProductType,
    TriggerKind,
    TriggerRule,
)
from tests.customers.factories import make_holding, make_individual
from tests.e2e.portal import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_rm_works_the_worklist(offline_page, live_server, relationship_manager, branch):
    TriggerRule.objects.exclude(kind=TriggerKind.MATURITY).update(is_active=False)
    ContactPlan.objects.update(is_active=False)
    customer = make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Min",
                               family_name="Zhou", segment="mass")
    matures = timezone.localdate() + datetime.timedelta(days=10)
    make_holding(customer, product_type=ProductType.TERM_DEPOSIT, product_name="Deposit",
                 account_number="6222 0210 0100 4321", matures_on=matures)
    generation.follow_ups_generate()
    follow_up = FollowUp.objects.get(customer=customer, reason=TriggerKind.MATURITY)
    page = offline_page
    sign_in(page, live_server, "rm.one")

    today = page.get_by_test_id("worklist-today")
    expect(today.get_by_test_id("follow-up")).to_have_count(1)
    expect(today.get_by_test_id("reason")).to_have_text(
        f"Term deposit ****4321 matures on {matures.strftime('%B')} {matures.day}")

    today.get_by_test_id("complete").click()
    page.get_by_label("Outcome").select_option("reached")
    page.get_by_label("Notes").fill("Will renew for another year")
    page.get_by_label("Investment").check()
    page.get_by_label("Next step").fill("Send the renewal form")
    page.get_by_role("button", name="Complete").click()

    expect(page.get_by_test_id("worklist-today")).to_have_count(0)
    follow_up.refresh_from_db()
    assert follow_up.status == "done"
    assert Interaction.objects.filter(customer=customer, interaction_type="follow_up").count() == 1

    page.goto(f"{live_server.url}/customers/{customer.pk}/appointments/new/")
    day = timezone.localdate() + datetime.timedelta(days=1)
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Time").fill("10:30")
    page.get_by_label("Place").fill("Lujiazui branch, room 2")
    page.get_by_role("button", name="Book").click()

    expect(page.get_by_test_id("appointment")).to_contain_text("Zhou Min")
    assert Appointment.objects.filter(customer=customer).count() == 1
    with page.expect_download() as download_info:
        page.get_by_test_id("ics-download").click()
    content = Path(download_info.value.path()).read_bytes().decode("utf-8")
    assert content.startswith("BEGIN:VCALENDAR\r\n")
    assert "LOCATION:Lujiazui branch\\, room 2" in content
    assert customer.number in content
