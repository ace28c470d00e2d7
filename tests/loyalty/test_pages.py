"""The loyalty pages and the customer page's panel: what each role sees and may do."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from loyalty.models import PointsAdjustment, Redemption, Reward, Tier, TierMembership
from loyalty.points import ledger
from tests.loyalty.conftest import balance_agrees

pytestmark = pytest.mark.django_db

ROLES = ["relationship_manager", "other_relationship_manager", "branch_manager", "branch_staff",
         "compliance_officer", "anonymous"]


def _client(client, request, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    return client


@pytest.fixture
def funded(customer, clock):
    with transaction.atomic():
        ledger.credit(account=ledger.account_lock(customer.pk), kind="earn", points=300,
                      occurred_at=clock.current, expires_at=clock.current + datetime.timedelta(days=20),
                      activity="event_attendance", reference="EV-1")
    return customer


@pytest.mark.parametrize(("who", "status"), [
    ("relationship_manager", 200), ("other_relationship_manager", 404), ("branch_manager", 200),
    ("branch_staff", 200), ("compliance_officer", 200), ("anonymous", 302),
])
def test_points_history_page_access(client, request, funded, who, status):
    response = _client(client, request, who).get(reverse("loyalty:customer-points", args=[funded.pk]))

    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert 'data-testid="points-entry"' in body and "EV-1" in body
        assert ('data-testid="adjustment-form"' in body) == (who in ("relationship_manager",
                                                                     "branch_manager"))


@pytest.mark.parametrize(("who", "status"), [
    ("relationship_manager", 200), ("other_relationship_manager", 404), ("branch_manager", 200),
    ("branch_staff", 200), ("compliance_officer", 200), ("anonymous", 302),
])
def test_rewards_page_access(client, request, funded, who, status):
    Reward.objects.create(code="coffee", name="Coffee", points_cost=10)
    response = _client(client, request, who).get(reverse("loyalty:customer-rewards", args=[funded.pk]))

    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert 'data-code="coffee"' in body
        assert ("Redeem</button>" in body) == (who in ("relationship_manager", "branch_manager"))


def test_the_customer_page_shows_the_panel_to_who_may_see_points(client, funded, relationship_manager,
                                                                 other_relationship_manager):
    gold = Tier.objects.create(code="gold", name="Gold", rank=2)
    Tier.objects.create(code="platinum", name="Platinum", rank=3, min_points=10000)
    TierMembership.objects.create(customer=funded, tier=gold, since=datetime.date(2026, 1, 1),
                                  reviewed_on=datetime.date(2026, 6, 1), points_12m=300)
    client.force_login(relationship_manager)

    page = client.get(reverse("customer-detail", args=[funded.pk])).content.decode()
    body = client.get(reverse("loyalty:customer-panel", args=[funded.pk])).content.decode()

    panel_url = reverse("loyalty:customer-panel", args=[funded.pk])
    assert 'data-testid="loyalty-panel"' in page and f'hx-get="{panel_url}"' in page
    assert 'data-testid="loyalty-tier">Gold<' in body
    assert 'data-testid="loyalty-balance">300<' in body
    assert "Platinum" in body and 'data-testid="loyalty-milestones"' in body and "<svg" in body
    client.force_login(other_relationship_manager)
    assert client.get(reverse("customer-detail", args=[funded.pk])).status_code == 404
    assert client.get(panel_url).status_code == 404


@pytest.mark.parametrize(("who", "status"), [
    ("relationship_manager", 200), ("other_relationship_manager", 404), ("branch_manager", 200),
    ("branch_staff", 200), ("compliance_officer", 200), ("anonymous", 302),
])
def test_panel_fragment_access(client, request, funded, who, status):
    response = _client(client, request, who).get(reverse("loyalty:customer-panel", args=[funded.pk]))

    assert response.status_code == status
    if status == 200:
        assert 'data-testid="loyalty-balance">300<' in response.content.decode()


def test_the_panel_reads_a_constant_number_of_queries(client, funded, relationship_manager, clock,
                                                    django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(relationship_manager)
    url = reverse("loyalty:customer-panel", args=[funded.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    with transaction.atomic():
        account = ledger.account_lock(funded.pk)
        for index in range(20):
            ledger.credit(account=account, kind="earn", points=10 + index, occurred_at=clock.current,
                          expires_at=clock.current + datetime.timedelta(days=5 + index))
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


@pytest.mark.parametrize(("who", "status", "redeemed"), [
    ("relationship_manager", 302, 1), ("other_relationship_manager", 404, 0), ("branch_manager", 302, 1),
    ("branch_staff", 403, 0), ("compliance_officer", 403, 0), ("anonymous", 302, 0),
])
def test_redeeming_from_the_page(client, request, funded, who, status, redeemed):
    reward = Reward.objects.create(code="coffee", name="Coffee", points_cost=10)
    response = _client(client, request, who).post(reverse("loyalty:customer-redeem", args=[funded.pk]),
                                                  {"reward": reward.pk})

    assert response.status_code == status
    assert Redemption.objects.count() == redeemed


def test_a_refused_redemption_shows_why_and_changes_nothing(client, funded, relationship_manager):
    reward = Reward.objects.create(code="car", name="Car", points_cost=10_000)
    client.force_login(relationship_manager)

    response = client.post(reverse("loyalty:customer-redeem", args=[funded.pk]), {"reward": reward.pk})

    assert response.status_code == 400
    assert "Not enough points: 300 available, 10000 needed." in response.content.decode()
    assert not Redemption.objects.exists()


def test_cancelling_from_the_page_refunds(client, funded, relationship_manager):
    reward = Reward.objects.create(code="coffee", name="Coffee", points_cost=10)
    client.force_login(relationship_manager)
    client.post(reverse("loyalty:customer-redeem", args=[funded.pk]), {"reward": reward.pk})
    redemption = Redemption.objects.get()

    response = client.post(reverse("loyalty:redemption-decide", args=[funded.pk, redemption.pk]),
                           {"decision": "cancel"})

    assert response.status_code == 302
    assert Redemption.objects.get().status == "cancelled"
    assert balance_agrees(funded) == 300


def test_an_adjustment_form_error_is_shown_again(client, funded, relationship_manager):
    client.force_login(relationship_manager)

    response = client.post(reverse("loyalty:customer-points-adjust", args=[funded.pk]),
                           {"points": "-5000", "reason": "correction", "reference": "T-1"})

    assert response.status_code == 400
    assert "Not enough points" in response.content.decode()
    assert not PointsAdjustment.objects.exists()


def test_the_approval_queue_and_deciding(client, funded, relationship_manager, branch_manager, settings):
    settings.LOYALTY_ADJUSTMENT_APPROVAL_ABOVE = 100
    client.force_login(relationship_manager)
    client.post(reverse("loyalty:customer-points-adjust", args=[funded.pk]),
                {"points": "500", "reason": "goodwill", "reference": "T-1"})
    adjustment = PointsAdjustment.objects.get()
    assert adjustment.status == "pending"
    assert client.get(reverse("loyalty:adjustment-queue")).status_code == 403  # an RM approves nothing

    client.force_login(branch_manager)
    queue = client.get(reverse("loyalty:adjustment-queue"))
    assert queue.status_code == 200 and queue.content.decode().count('data-testid="pending-adjustment"') == 1
    response = client.post(reverse("loyalty:adjustment-decide", args=[adjustment.pk]),
                           {"decision": "approve"})

    assert response.status_code == 302
    assert PointsAdjustment.objects.get().status == "applied"
    assert balance_agrees(funded) == 800


def test_the_queue_query_count_does_not_grow_with_rows(client, customer, relationship_manager, branch_manager,
                                                      settings, django_assert_max_num_queries, clock):
    from loyalty import points

    settings.LOYALTY_ADJUSTMENT_APPROVAL_ABOVE = 0
    client.force_login(branch_manager)
    points.adjustment_propose(actor=relationship_manager, customer=customer, points=5, reason="goodwill")
    client.get(reverse("loyalty:adjustment-queue"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("loyalty:adjustment-queue"))
    for _ in range(5):
        points.adjustment_propose(actor=relationship_manager, customer=customer, points=5, reason="goodwill")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("loyalty:adjustment-queue"))
    assert response.content.decode().count('data-testid="pending-adjustment"') == 6




@pytest.mark.parametrize(("language", "heading"), [("en", "Points history"), ("zh-hans", "积分明细"),
                                                   ("zh-hant", "積分明細")])
def test_the_points_page_speaks_the_three_languages(client, funded, relationship_manager, language, heading):
    from django.conf import settings

    client.force_login(relationship_manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    body = client.get(reverse("loyalty:customer-points", args=[funded.pk])).content.decode()

    assert f"<h1>{heading}</h1>" in body
