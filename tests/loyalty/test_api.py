"""The loyalty API: points and history, product activity with idempotency, rewards and
redemptions, and who may call each."""

from __future__ import annotations

import datetime

import pytest

from loyalty.models import EarningRule, PointsEntry, Redemption, Reward
from tests.customers.api.helpers import client_for
from tests.loyalty.conftest import NOON, balance_agrees

pytestmark = pytest.mark.django_db

ACTIVITIES = "/api/v1/loyalty/activities/"


def points_url(customer) -> str:
    return f"/api/v1/loyalty/customers/{customer.pk}/points/"


@pytest.fixture
def deposit_rule(db):
    return EarningRule.objects.create(activity="product:term_deposit", name="Term deposit", points=0,
                                      points_per_unit=1, unit_amount=100, validity_days=730)


def _report(client, customer, reference="TX-1", amount="10000.00", key=None, **extra):
    body = {"customer": customer.pk, "activity": "product:term_deposit", "reference": reference,
            "occurred_at": NOON.isoformat(), "amount": amount, **extra}
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(ACTIVITIES, body, format="json", **headers)


def test_a_service_account_reports_activity_and_a_retry_returns_the_first_result(
        customer, service_account, deposit_rule, clock):
    client = client_for(service_account)

    first = _report(client, customer)
    again = _report(client, customer)

    assert first.status_code == 201
    assert first.json() == {"customer": customer.pk, "points": 100, "outcome": "earned",
                            "entry": PointsEntry.objects.get().pk}
    assert again.status_code == 200 and again.json() == first.json()
    assert balance_agrees(customer) == 100


def test_the_same_reference_with_other_content_is_refused_with_422(customer, service_account,
                                                                   deposit_rule, clock):
    client = client_for(service_account)
    _report(client, customer)

    conflict = _report(client, customer, amount="99999.00")

    assert conflict.status_code == 422
    assert conflict.json()["error"]["code"] == "idempotency_key_reused"
    assert balance_agrees(customer) == 100


def test_an_idempotency_key_replays_and_refuses_another_body(customer, service_account, deposit_rule, clock):
    client = client_for(service_account)

    first = _report(client, customer, key="K-42")
    replay = _report(client, customer, key="K-42")
    reused = _report(client, customer, reference="TX-2", key="K-42")

    assert first.status_code == 201
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert reused.status_code == 422
    assert PointsEntry.objects.count() == 1


def test_bad_activity_input_answers_400_by_field(customer, service_account, deposit_rule, clock):
    response = _report(client_for(service_account), customer, amount="-1", reference="has space")

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"amount", "reference"}
    assert not PointsEntry.objects.exists()


def test_a_person_may_not_report_activity(customer, relationship_manager, deposit_rule, clock):
    response = _report(client_for(relationship_manager), customer)

    assert response.status_code == 403
    assert not PointsEntry.objects.exists()


def test_points_and_history(customer, relationship_manager, service_account, deposit_rule, clock):
    _report(client_for(service_account), customer)
    client = client_for(relationship_manager)

    summary = client.get(points_url(customer))
    history = client.get(points_url(customer) + "history/")

    assert summary.status_code == 200
    assert summary.json() == {"customer": customer.pk, "balance": 100, "available": 100, "earned_12m": 100,
                              "expiring_soon": 0, "next_expiry": None, "tier": None}
    assert history.status_code == 200
    assert [(row["kind"], row["points"], row["reference"]) for row in history.json()["results"]] == [
        ("earn", 100, "TX-1")]


def test_redeeming_through_the_api(customer, relationship_manager, service_account, deposit_rule, clock):
    _report(client_for(service_account), customer, amount="50000")
    reward = Reward.objects.create(code="coffee", name="Coffee", points_cost=200)
    client = client_for(relationship_manager)
    url = f"/api/v1/loyalty/customers/{customer.pk}/redemptions/"

    listed = client.get(f"/api/v1/loyalty/customers/{customer.pk}/rewards/")
    created = client.post(url, {"reward": reward.pk}, format="json", HTTP_IDEMPOTENCY_KEY="R-1")
    replay = client.post(url, {"reward": reward.pk}, format="json", HTTP_IDEMPOTENCY_KEY="R-1")
    too_many = [client.post(url, {"reward": reward.pk}, format="json") for _ in range(2)]

    assert [row["code"] for row in listed.json()] == ["coffee"]
    assert created.status_code == 201 and created.json()["status"] == "requested"
    assert replay.json() == created.json()
    assert [response.status_code for response in too_many] == [201, 400]
    assert set(too_many[1].json()["error"]["fields"]) == {"points"}
    assert Redemption.objects.count() == 2
    assert balance_agrees(customer) == 100


@pytest.mark.parametrize(("who", "points_status", "redeem_status"), [
    ("relationship_manager", 200, 201),
    ("other_relationship_manager", 404, 404),
    ("branch_manager", 200, 201),
    ("branch_staff", 200, 403),
    ("compliance_officer", 200, 403),
    ("service_account", 200, 201),
    ("anonymous", 401, 401),
])
def test_access_matrix(request, customer, who, points_status, redeem_status, clock):
    from django.db import transaction

    from loyalty.points import ledger
    with transaction.atomic():
        ledger.credit(account=ledger.account_lock(customer.pk), kind="earn", points=100, occurred_at=NOON,
                      expires_at=NOON + datetime.timedelta(days=10))
    reward = Reward.objects.create(code="coffee", name="Coffee", points_cost=10)
    if who == "anonymous":
        from rest_framework.test import APIClient
        client = APIClient()
    else:
        client = client_for(request.getfixturevalue(who))

    assert client.get(points_url(customer)).status_code == points_status
    assert client.get(points_url(customer) + "history/").status_code == points_status
    assert client.get(f"/api/v1/loyalty/customers/{customer.pk}/rewards/").status_code == points_status
    response = client.post(f"/api/v1/loyalty/customers/{customer.pk}/redemptions/", {"reward": reward.pk},
                           format="json")
    assert response.status_code == redeem_status
    assert Redemption.objects.count() == (1 if redeem_status == 201 else 0)


def test_cancelling_through_the_api_refunds_and_a_second_cancel_is_refused(customer, relationship_manager,
                                                                           other_relationship_manager, clock):
    from django.db import transaction

    from loyalty.points import ledger
    with transaction.atomic():
        ledger.credit(account=ledger.account_lock(customer.pk), kind="earn", points=100, occurred_at=NOON,
                      expires_at=NOON + datetime.timedelta(days=10))
    reward = Reward.objects.create(code="coffee", name="Coffee", points_cost=40, stock=1)
    client = client_for(relationship_manager)
    created = client.post(f"/api/v1/loyalty/customers/{customer.pk}/redemptions/", {"reward": reward.pk},
                          format="json").json()
    url = f"/api/v1/loyalty/customers/{customer.pk}/redemptions/{created['id']}/cancel/"

    assert client_for(other_relationship_manager).post(url).status_code == 404
    cancelled = client.post(url)
    again = client.post(url)

    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert again.status_code == 400 and set(again.json()["error"]["fields"]) == {"status"}
    reward.refresh_from_db()
    assert reward.stock == 1
    assert balance_agrees(customer) == 100
