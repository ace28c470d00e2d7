"""The loyalty issue's "done when", in a real browser on the demo bank: an RM sees a customer's
points, tier and path to the next tier, registers them for a lecture and checks them in at the
door; a survey sent after a visit comes back through the public page and shows in the branch's
NPS."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm.demo import seed_organisation
from customers import outreach
from customers.care import services as care
from customers.demo import seed_customers
from customers.models import FollowUp, FollowUpStatus
from loyalty.demo import seed_engagement, seed_loyalty
from loyalty.models import Event, EventRegistration, PointsAccount, SurveyInvitation, SurveyResponse
from loyalty.surveys import delivery
from loyalty.surveys.tasks import send_surveys
from tests.e2e.portal import sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# 10:00 in Shanghai on a weekday.
MORNING = datetime.datetime(2026, 12, 8, 2, 0, tzinfo=datetime.UTC)


@pytest.fixture
def bank(monkeypatch, settings):
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    monkeypatch.setattr(timezone, "now", lambda: MORNING)
    settings.LOYALTY_SURVEY_DELIVERY = "loyalty.surveys.delivery.memory_delivery"
    delivery.OUTBOX.clear()
    seed_organisation()
    for seeder in (seed_customers, seed_loyalty, seed_engagement):
        list(seeder(customers=300, seed=2026, as_of=MORNING.date()))
    yield
    delivery.OUTBOX.clear()


def _staff(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def test_points_tier_a_lecture_and_a_survey_that_reaches_the_branch_nps(offline_page, live_server, bank):
    page = offline_page
    rm = _staff("rm.chen")
    recently_surveyed = SurveyInvitation.objects.filter(sent_at__gt=MORNING - datetime.timedelta(days=90))
    account = (PointsAccount.objects.filter(customer__relationship_manager=rm, balance__gt=0,
                                            customer__kind="individual", customer__do_not_contact=False,
                                            customer__is_vulnerable=False,
                                            customer__time_zone="Asia/Shanghai")
               .exclude(customer_id__in=recently_surveyed.values("customer_id"))
               .select_related("customer").order_by("-balance").first())
    assert account is not None, "the demo bank gives rm.chen's customers points"
    customer = account.customer

    # -- points, tier and the path to the next tier on the customer page -----------------------
    sign_in(page, live_server, "rm.chen")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.get_by_test_id("loyalty-balance")).to_contain_text(str(account.balance))
    expect(page.get_by_test_id("loyalty-tier")).to_be_visible()
    expect(page.get_by_test_id("loyalty-next-tier")).to_be_visible()

    # -- registers them for the lecture and checks them in --------------------------------------
    lecture = Event.objects.get(kind="lecture")
    panel = page.get_by_test_id("events-panel")
    panel.locator("li", has_text=lecture.title).get_by_test_id("register").click()
    code = page.get_by_test_id("events-panel").get_by_test_id("check-in-code").first
    expect(code).to_be_visible()
    registration = EventRegistration.objects.get(event=lecture, customer=customer)
    assert code.inner_text() == registration.check_in_code
    page.goto(f"{live_server.url}/loyalty/events/{lecture.pk}/")
    page.get_by_label("Check-in code").fill(registration.check_in_code.lower())
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_test_id("registrations")).to_contain_text(customer.display_name)
    registration.refresh_from_db()
    assert registration.status == "attended"

    # -- a visit, then the survey that follows it -----------------------------------------------
    manager = _staff("manager.sun")
    outreach.consent_grant(actor=manager, customer=customer, channel="sms", purpose="surveys",
                           source="branch_form", evidence_reference="FORM-SURVEY-1")
    follow_up = FollowUp.objects.create(customer=customer, assigned_to=rm, cycle_key="visit:e2e",
                                        reason="plan", reason_data={"months": 3}, due_on=MORNING.date(),
                                        channel="branch")
    care.follow_up_complete(actor=rm, follow_up=follow_up, outcome="reached", channel="branch",
                            notes="Reviewed the portfolio in branch")
    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUpStatus.DONE
    send_surveys()
    invitation = SurveyInvitation.objects.get(customer=customer, reference=f"follow-up:{follow_up.pk}")
    [url] = [link for invitation_id, link in delivery.OUTBOX if invitation_id == invitation.pk]

    page.context.clear_cookies()  # the customer answers on their own phone, signed in nowhere
    sign_in(page, live_server, "manager.sun")
    page.goto(f"{live_server.url}/loyalty/satisfaction/")
    answers_before = SurveyResponse.objects.filter(invitation__customer__home_branch__code="SH01").count()
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{urlsplit(url).path}")
    expect(page.get_by_test_id("survey-form")).to_be_visible()
    page.locator('input[type="radio"][value="10"]').first.check()
    for group in page.locator("fieldset").all():
        radios = group.locator('input[type="radio"]')
        if radios.count() and not group.locator("input:checked").count():
            radios.last.check()
    page.get_by_test_id("survey-form").locator("button[type=submit]").click()  # in the customer's language
    expect(page.get_by_test_id("survey-thanks")).to_be_visible()
    assert SurveyResponse.objects.filter(invitation=invitation).count() == 1

    sign_in(page, live_server, "manager.sun")
    page.goto(f"{live_server.url}/loyalty/satisfaction/")
    answers = SurveyResponse.objects.filter(invitation__customer__home_branch__code="SH01").count()
    assert answers == answers_before + 1
    expect(page.get_by_test_id("totals")).to_contain_text(str(answers_before + 1))
    assert page.get_by_test_id("total-nps").inner_text() not in ("", "–")
