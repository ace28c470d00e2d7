"""The customer page's "Suitable offers" panel and what it posts, the acceptance report page,
the API, the worklist rows on the home page (without an N+1) and the admin."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from customers.models import FollowUp, OfferRule, Product, Suggestion
from customers.outreach import offers
from tests.customers.api.helpers import client_for
from tests.customers.factories import make_holding, make_individual
from tests.customers.offers.conftest import years_ago

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def suggestion(saver, relationship_manager):
    offers.suggestions_refresh(actor=relationship_manager, customer=saver)
    return Suggestion.objects.get(customer=saver)


def test_the_customer_page_shows_open_suggestions_with_their_reasons(suggestion, relationship_manager):
    response = _client(relationship_manager).get(reverse("customer-detail", args=[suggestion.customer_id]))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="offers"' in body
    assert "Steady Income Wealth Management Product" in body
    assert "deposits of at least 500,000" in body
    assert reverse("suggestion-accept", args=[suggestion.customer_id, suggestion.pk]) in body


def test_the_customer_page_says_which_products_were_withheld_and_why(relationship_manager, branch):
    customer = make_individual(
        relationship_manager=relationship_manager,
        branch=branch,
        risk_tolerance="moderate",
        date_of_birth=years_ago(40),
    )
    make_holding(customer, balance=Decimal("800000.00"))

    body = _client(relationship_manager).get(reverse("customer-detail", args=[customer.pk])).content.decode()

    assert "not offered: wealth management product risk R3 exceeds risk tolerance R2 (moderate)" in body
    assert not Suggestion.objects.filter(customer=customer).exists()


def test_only_those_who_work_the_offers_see_what_was_withheld(relationship_manager, branch, branch_staff):
    customer = make_individual(
        relationship_manager=relationship_manager,
        branch=branch,
        risk_tolerance="balanced",
        date_of_birth=years_ago(80),
    )
    make_holding(customer, balance=Decimal("800000.00"))
    url = reverse("customer-detail", args=[customer.pk])

    worker = _client(relationship_manager).get(url).content.decode()
    viewer = _client(branch_staff).get(url).content.decode()
    considered = client_for(branch_staff).get(f"/api/v1/customers/{customer.pk}/offers/considered/")

    assert "not offered: customer&#x27;s age is outside 18–75" in worker
    assert "Considered, not offered" not in viewer and "age is outside" not in viewer
    assert considered.status_code == 403


def test_the_panel_reads_in_chinese(suggestion, relationship_manager):
    client = _client(relationship_manager)
    with translation.override("zh-hans"):
        body = client.get(
            reverse("customer-detail", args=[suggestion.customer_id]), headers={"accept-language": "zh-hans"}
        ).content.decode()

    assert "适合的产品" in body


def test_a_viewer_who_may_not_work_offers_sees_no_buttons(suggestion, branch_staff):
    body = (
        _client(branch_staff).get(reverse("customer-detail", args=[suggestion.customer_id])).content.decode()
    )

    assert "Steady Income Wealth Management Product" in body
    assert reverse("suggestion-accept", args=[suggestion.customer_id, suggestion.pk]) not in body
    assert 'data-testid="refresh-suggestions"' not in body


def test_refresh_accept_and_dismiss_from_the_page(saver, relationship_manager):
    client = _client(relationship_manager)
    response = client.post(reverse("suggestion-refresh", args=[saver.pk]))
    assert response.status_code == 302
    suggestion = Suggestion.objects.get(customer=saver)

    response = client.post(
        reverse("suggestion-accept", args=[saver.pk, suggestion.pk]), {"channel": "branch", "note": ""}
    )

    assert response.status_code == 302
    assert response["Location"].endswith("#offers")
    assert Suggestion.objects.get(pk=suggestion.pk).status == "accepted"


def test_a_dismissal_without_a_reason_shows_the_form_again(suggestion, relationship_manager):
    client = _client(relationship_manager)
    url = reverse("suggestion-dismiss", args=[suggestion.customer_id, suggestion.pk])

    response = client.post(url, {"reason": "", "note": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    response = client.post(url, {"reason": "other", "note": ""})
    assert response.status_code == 200
    assert "Say why, in at least 3 characters." in response.content.decode()
    assert Suggestion.objects.get(pk=suggestion.pk).status == "open"

    response = client.post(url, {"reason": "not_interested", "note": ""})
    assert response.status_code == 302
    assert Suggestion.objects.get(pk=suggestion.pk).decision_reason == "not_interested"


def test_another_rm_gets_404_and_changes_nothing(suggestion, other_relationship_manager):
    client = _client(other_relationship_manager)
    for url in (
        reverse("suggestion-accept", args=[suggestion.customer_id, suggestion.pk]),
        reverse("suggestion-refresh", args=[suggestion.customer_id]),
    ):
        assert client.post(url, {"channel": "branch"}).status_code == 404
    assert Suggestion.objects.get(pk=suggestion.pk).status == "open"


def test_a_suggestion_of_another_customer_is_not_found(suggestion, relationship_manager, branch):
    other = make_individual(relationship_manager=relationship_manager, branch=branch)

    response = _client(relationship_manager).post(
        reverse("suggestion-accept", args=[other.pk, suggestion.pk]), {"channel": "branch"}
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("relationship_manager", 403),
        ("branch_staff", 403),
        ("branch_manager", 200),
        ("compliance_officer", 200),
        ("service_account", 403),
        ("administrator", 403),
    ],
)
def test_the_acceptance_report_is_for_managers_and_head_office(request, suggestion, who, status):
    response = _client(request.getfixturevalue(who)).get(reverse("offer-report"))

    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "Large deposits, no wealth product" in body
        assert "<svg" in body and 'data-testid="acceptance-table"' in body


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("branch_manager", True),
        ("compliance_officer", True),
        ("relationship_manager", False),
    ],
)
def test_the_navigation_links_the_report_for_those_who_may_read_it(request, who, shown):
    body = _client(request.getfixturevalue(who)).get(reverse("home")).content.decode()

    assert (f'href="{reverse("offer-report")}"' in body) is shown


def test_the_report_page_redirects_anonymous_users_to_sign_in(client):
    response = client.get(reverse("offer-report"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_api_lists_considers_refreshes_and_decides(saver, relationship_manager):
    api = client_for(relationship_manager)
    base = f"/api/v1/customers/{saver.pk}/offers/"

    refreshed = api.post(f"{base}refresh/", headers={"Idempotency-Key": "refresh-1"})
    listed = api.get(base)
    considered = api.get(f"{base}considered/")

    assert refreshed.status_code == 200 and refreshed.json() == {"created": 1, "expired": 0}
    assert listed.status_code == 200
    row = listed.json()["results"][0]
    assert row["product"]["code"] == "wmp-steady" and row["status"] == "open"
    assert row["reasons_text"].endswith("deposits of at least 500,000")
    assert considered.json()[0]["suitable"] is True
    dismissed = api.post(
        f"{base}{row['id']}/dismiss/",
        {"reason": "not_now", "note": "After the holidays"},
        format="json",
        headers={"Idempotency-Key": "dismiss-1"},
    )
    assert dismissed.status_code == 200
    assert dismissed.json()["decision_note"] == "After the holidays"
    again = api.post(f"{base}{row['id']}/accept/", {}, format="json")
    assert again.status_code == 400
    assert "status" in again.json()["error"]["fields"]


def test_the_api_refuses_a_bad_reason_by_field(suggestion, relationship_manager):
    response = client_for(relationship_manager).post(
        f"/api/v1/customers/{suggestion.customer_id}/offers/{suggestion.pk}/dismiss/",
        {"reason": "meh"},
        format="json",
    )

    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    assert Suggestion.objects.get(pk=suggestion.pk).status == "open"


def test_the_api_masks_the_decision_note_for_the_branch_manager(
    suggestion, relationship_manager, branch_manager
):
    offers.suggestion_dismiss(
        actor=relationship_manager, suggestion=suggestion, reason="other", note="Divorce in progress"
    )

    row = (
        client_for(branch_manager)
        .get(f"/api/v1/customers/{suggestion.customer_id}/offers/")
        .json()["results"][0]
    )

    assert row["decision_note"] != "Divorce in progress"
    assert row["masked_fields"] == ["decision_note"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("relationship_manager", 403),
        ("other_relationship_manager", 404),
        ("branch_manager", 200),
        ("compliance_officer", 200),
    ],
)
def test_the_api_offers_answer_by_the_policy(request, suggestion, who, status):
    api = client_for(request.getfixturevalue(who))

    listed = api.get(f"/api/v1/customers/{suggestion.customer_id}/offers/")
    accepted = api.post(
        f"/api/v1/customers/{suggestion.customer_id}/offers/{suggestion.pk}/accept/", {}, format="json"
    )
    report = api.get("/api/v1/offer-acceptance-rates/")

    assert listed.status_code == (404 if status == 404 else 200)
    expected_accept = {
        "relationship_manager": 200,
        "other_relationship_manager": 404,
        "branch_manager": 200,
        "compliance_officer": 403,
    }[who]
    assert accepted.status_code == expected_accept
    assert report.status_code == (200 if who in ("branch_manager", "compliance_officer") else 403)


def test_the_api_answers_anonymous_callers_401(api_client, suggestion):
    assert api_client.get(f"/api/v1/customers/{suggestion.customer_id}/offers/").status_code == 401
    assert api_client.get("/api/v1/offer-acceptance-rates/").status_code == 401


def _worklist_book(rm, branch, count: int) -> None:
    for _n in range(count):
        customer = make_individual(
            relationship_manager=rm, branch=branch, risk_tolerance="balanced", date_of_birth=years_ago(40)
        )
        make_holding(customer, balance=Decimal("800000.00"))
        FollowUp.objects.create(
            customer=customer,
            assigned_to=rm,
            cycle_key="plan:test",
            reason="plan",
            reason_data={"months": 1},
            due_on=timezone.localdate(),
        )
    offers.suggestions_generate()


def test_the_worklist_rows_show_open_offers_without_a_query_per_row(relationship_manager, branch):
    client = _client(relationship_manager)
    _worklist_book(relationship_manager, branch, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    _worklist_book(relationship_manager, branch, 8)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("home"))

    today = response.context["worklist"].today
    assert len(today) == 10
    assert {(item.open_offers, item.top_offer) for item in today} == {
        (1, "Steady Income Wealth Management Product")
    }
    assert 'data-testid="open-offers"' in response.content.decode()
    assert len(many) == len(few)


def test_the_worklist_shows_no_offers_where_there_are_none(relationship_manager, branch):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    FollowUp.objects.create(
        customer=customer,
        assigned_to=relationship_manager,
        cycle_key="plan:x",
        reason="plan",
        reason_data={"months": 1},
        due_on=timezone.localdate(),
    )

    response = _client(relationship_manager).get(reverse("home"))

    assert [item.open_offers for item in response.context["worklist"].today] == [0]
    assert 'data-testid="open-offers"' not in response.content.decode()


def test_the_admin_edits_the_catalogue_through_the_service(administrator):
    client = _client(administrator)
    product = Product.objects.get(code="mmf-daily")

    response = client.post(
        f"/admin/customers/product/{product.pk}/change/",
        {
            "code": "mmf-daily",
            "name": "Daily Money Market Fund",
            "product_type": "fund",
            "risk_level": 1,
            "segments": "",
            "kinds": "",
            "min_age": 70,
            "max_age": 60,
            "min_credit_rating": "",
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert "The maximum age must not be below the minimum age." in response.content.decode()
    assert Product.objects.get(pk=product.pk).min_age == 18


def test_the_admin_refuses_a_rule_that_cannot_work_with_its_message(administrator):
    rule = OfferRule.objects.get(name="Large deposits, no wealth product")

    response = _client(administrator).post(
        f"/admin/customers/offerrule/{rule.pk}/change/",
        {
            "name": rule.name,
            "product": rule.product_id,
            "priority": 10,
            "is_active": "on",
            "kinds": "individual",
            "segments": "",
            "need_type": "international_business",
            "holds_product_types": "",
            "lacks_product_types": "",
            "min_deposits": "",
            "min_aum": "",
        },
    )

    assert response.status_code == 200
    assert (
        "This need is not in the catalogue of the customers this rule reaches." in response.content.decode()
    )
    assert OfferRule.objects.get(pk=rule.pk).version == 1


def test_the_admin_lists_suggestions_with_the_note_masked(suggestion, relationship_manager, branch_manager):
    from django.contrib.auth.models import Permission

    offers.suggestion_dismiss(
        actor=relationship_manager, suggestion=suggestion, reason="other", note="Divorce in progress"
    )
    for user in (branch_manager, relationship_manager):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.user_permissions.add(Permission.objects.get(codename="view_suggestion"))

    masked = _client(branch_manager).get(f"/admin/customers/suggestion/{suggestion.pk}/change/")
    shown = _client(relationship_manager).get(f"/admin/customers/suggestion/{suggestion.pk}/change/")

    assert masked.status_code == 200 and "Divorce in progress" not in masked.content.decode()
    assert shown.status_code == 200 and "Divorce in progress" in shown.content.decode()


def test_the_admin_saves_a_rule_through_the_service_and_raises_its_version(administrator):
    rule = OfferRule.objects.get(name="Large deposits, no wealth product")

    response = _client(administrator).post(
        f"/admin/customers/offerrule/{rule.pk}/change/",
        {
            "name": rule.name,
            "product": rule.product_id,
            "priority": 11,
            "is_active": "on",
            "kinds": "individual",
            "segments": "",
            "need_type": "",
            "holds_product_types": "",
            "lacks_product_types": "wealth_product",
            "min_deposits": "500000",
            "min_aum": "",
        },
    )

    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.priority, rule.version) == (11, 2)


def test_expired_suggestions_keep_their_decision_time(saver, relationship_manager):
    offers.suggestions_refresh(actor=relationship_manager, customer=saver)
    make_holding(saver, product_type="wealth_product", product_name="WMP", balance=Decimal("1.00"))
    offers.suggestions_refresh(actor=relationship_manager, customer=saver)

    expired = Suggestion.objects.get(customer=saver)
    assert expired.status == "expired"
    assert expired.decided_at is not None and expired.decided_at <= timezone.now() + datetime.timedelta(
        seconds=1
    )


def test_the_follow_ups_api_gives_each_row_its_customers_open_offers(saver, relationship_manager):
    follow_up = FollowUp.objects.create(
        customer=saver,
        assigned_to=relationship_manager,
        cycle_key="plan:api",
        reason="plan",
        reason_data={"months": 1},
        due_on=timezone.localdate(),
    )
    offers.suggestions_refresh(actor=relationship_manager, customer=saver)
    api = client_for(relationship_manager)

    listed = api.get("/api/v1/follow-ups/?when=today").json()["results"]
    one = api.get(f"/api/v1/follow-ups/{follow_up.pk}/").json()
    completed = api.post(
        f"/api/v1/follow-ups/{follow_up.pk}/complete/", {"outcome": "reached"}, format="json"
    )

    expected = (1, "Steady Income Wealth Management Product")
    assert [(row["open_offers"], row["top_offer"]) for row in listed] == [expected]
    assert (one["open_offers"], one["top_offer"]) == expected
    assert completed.status_code == 200
    assert (completed.json()["open_offers"], completed.json()["status"]) == (1, "done")


def test_a_dismissed_product_is_not_shown_as_suitable_again(suggestion, relationship_manager):
    offers.suggestion_dismiss(actor=relationship_manager, suggestion=suggestion, reason="not_interested")

    body = _client(relationship_manager).get(reverse("customer-detail", args=[suggestion.customer_id]))

    assert 'data-testid="pending-suggestions"' not in body.content.decode()
    assert body.context["panels"]["main"][0]["context"]["pending"] == []
