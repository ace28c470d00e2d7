"""Idempotency-Key replays re-check access: a stored answer is shown again only to a caller
who may still see what it shows, and otherwise answers 404 as any unseen record does."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from compliance.models import AuditEvent
from crm.api import idempotency
from crm.models import IdempotencyRecord
from crm.roles import Role
from customers.models import Customer, ImportJob, Interaction, Need
from customers.services import customer_reassign
from tests.customers.api.helpers import LIST_URL, client_for, individual_body
from tests.customers.factories import make_individual
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOT_FOUND = {"status": 404, "code": "not_found", "message": "Not found."}


@pytest.fixture
def colleague(branch):
    return UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=branch, username="rm.two")


def _interactions(customer) -> str:
    return f"/api/v1/customers/{customer.pk}/interactions/"


def _needs(customer) -> str:
    return f"/api/v1/customers/{customer.pk}/needs/"


def _reassign_away(branch_manager, customer, colleague) -> None:
    customer_reassign(actor=branch_manager, customer=customer, relationship_manager=colleague)


def _assert_not_found(response) -> None:
    assert response.status_code == 404, response.content
    assert response.json()["error"] == NOT_FOUND
    assert "Idempotent-Replayed" not in response


def test_an_interaction_replay_after_reassignment_answers_404(
    rm, customer, branch_manager, colleague
):
    body = {"channel": "phone", "summary": "Called about the deposit"}
    first = rm.post(_interactions(customer), body, format="json", HTTP_IDEMPOTENCY_KEY="call-1")
    assert first.status_code == 201
    assert first.json()["summary"] == "Called about the deposit"

    _reassign_away(branch_manager, customer, colleague)
    revealed_before = AuditEvent.objects.filter(action="pii.revealed").count()
    replay = rm.post(_interactions(customer), body, format="json", HTTP_IDEMPOTENCY_KEY="call-1")

    _assert_not_found(replay)
    assert "Called about the deposit" not in replay.content.decode()
    assert Interaction.objects.count() == 1
    # Nothing was shown, so nothing is accounted as shown; the stored answer is kept.
    assert AuditEvent.objects.filter(action="pii.revealed").count() == revealed_before
    assert IdempotencyRecord.objects.count() == 1


def test_an_interaction_replay_while_still_visible_replays(rm, customer):
    body = {"channel": "phone", "summary": "Called about the deposit"}
    first = rm.post(_interactions(customer), body, format="json", HTTP_IDEMPOTENCY_KEY="call-1")
    replay = rm.post(_interactions(customer), body, format="json", HTTP_IDEMPOTENCY_KEY="call-1")

    assert (replay.status_code, replay["Idempotent-Replayed"]) == (201, "true")
    assert replay.json() == first.json()


def test_a_need_replay_after_reassignment_answers_404(rm, customer, branch_manager, colleague):
    body = {"need_type": "wealth_growth", "note": "Wants a fund for the daughter's studies"}
    first = rm.post(_needs(customer), body, format="json", HTTP_IDEMPOTENCY_KEY="need-1")
    assert first.status_code == 201, first.content

    _reassign_away(branch_manager, customer, colleague)
    replay = rm.post(_needs(customer), body, format="json", HTTP_IDEMPOTENCY_KEY="need-1")

    _assert_not_found(replay)
    assert Need.objects.count() == 1


def test_a_masked_answer_is_not_replayed_once_the_customer_left_the_branch(
    branch_staff, relationship_manager, branch, other_branch, service_account
):
    # Branch staff see their branch's customers masked: nothing in the answer is in clear,
    # so only the customer the view named keeps the replay from showing it.
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    staff = client_for(branch_staff)
    body = {"channel": "branch", "summary": "Came in about a card"}
    first = staff.post(_interactions(customer), body, format="json", HTTP_IDEMPOTENCY_KEY="counter-1")
    assert first.status_code == 201, first.content
    assert first.json()["summary"] != "Came in about a card"  # masked for branch staff

    Customer.objects.filter(pk=customer.pk).update(home_branch=other_branch)
    replay = staff.post(_interactions(customer), body, format="json", HTTP_IDEMPOTENCY_KEY="counter-1")

    _assert_not_found(replay)


def test_a_customer_create_replay_after_reassignment_answers_404(
    rm, relationship_manager, branch, branch_manager, colleague
):
    body = individual_body(branch)
    first = rm.post(LIST_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="create-li-na")
    assert first.status_code == 201, first.content
    assert first.json()["email"] == "li.na@example.cn"
    customer = Customer.objects.get()
    assert customer.relationship_manager_id == relationship_manager.pk

    _reassign_away(branch_manager, customer, colleague)
    replay = rm.post(LIST_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="create-li-na")

    _assert_not_found(replay)
    assert "li.na@example.cn" not in replay.content.decode()
    assert Customer.objects.count() == 1


def test_an_import_replay_after_the_import_right_is_withdrawn_answers_404(branch, branch_manager):
    client = client_for(branch_manager)
    body = {"kind": "customers", "records": [{
        "external_reference": "CB-0001", "kind": "individual", "given_name": "Given",
        "family_name": "Family", "date_of_birth": "1980-02-03", "branch_code": "SH01",
    }]}
    first = client.post("/api/v1/imports/", body, format="json", HTTP_IDEMPOTENCY_KEY="import-1")
    assert first.status_code == 202, first.content

    branch_manager.groups.remove(Group.objects.get(name=Role.BRANCH_MANAGER))
    branch_manager.groups.add(Group.objects.get(name=Role.RELATIONSHIP_MANAGER))
    replay = client.post("/api/v1/imports/", body, format="json", HTTP_IDEMPOTENCY_KEY="import-1")

    _assert_not_found(replay)
    assert ImportJob.objects.count() == 1


def test_an_import_replay_while_still_allowed_replays(branch, branch_manager):
    client = client_for(branch_manager)
    body = {"kind": "customers", "records": [{
        "external_reference": "CB-0001", "kind": "individual", "given_name": "Given",
        "family_name": "Family", "date_of_birth": "1980-02-03", "branch_code": "SH01",
    }]}
    first = client.post("/api/v1/imports/", body, format="json", HTTP_IDEMPOTENCY_KEY="import-1")
    replay = client.post("/api/v1/imports/", body, format="json", HTTP_IDEMPOTENCY_KEY="import-1")

    assert (replay.status_code, replay["Idempotent-Replayed"]) == (202, "true")
    assert replay.json() == first.json()


def test_a_replay_of_records_no_app_answers_for_is_refused(rm, customer, monkeypatch):
    body = {"channel": "phone", "summary": "Called about the deposit"}
    rm.post(_interactions(customer), body, format="json", HTTP_IDEMPOTENCY_KEY="call-1")
    monkeypatch.setattr(idempotency, "_replay_checks", {})

    _assert_not_found(rm.post(_interactions(customer), body, format="json", HTTP_IDEMPOTENCY_KEY="call-1"))


def test_the_customers_app_registers_its_replay_checks():
    assert {
        "customers.customer", "customers.holding", "customers.interaction", "customers.need",
        "customers.segmentoverride", "customers.importjob",
    } <= set(idempotency._replay_checks)
