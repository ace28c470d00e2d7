"""customers/{id}/consents/, contacts/ and holds/: lists with evidence and reasons through
the trust layer, writes with field errors, Idempotency-Key, 403 for a caller who may see but
not act, 404 for a customer the caller may not see."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from customers import outreach
from customers.models import ConsentEvent, ContactHold
from tests.customers.api.helpers import client_for, field_errors
from tests.customers.factories import make_individual

pytestmark = pytest.mark.django_db

NOON_SHANGHAI = datetime.datetime(2026, 6, 10, 4, 0, tzinfo=datetime.UTC)
GRANT = {"status": "granted", "channel": "email", "purpose": "marketing", "source": "api",
         "evidence_reference": "WEB-FORM-991"}


@pytest.fixture
def customer(relationship_manager, branch):
    return make_individual(relationship_manager=relationship_manager, branch=branch)


def _url(customer, tail: str) -> str:
    return f"/api/v1/customers/{customer.pk}/{tail}"


def test_a_consent_is_granted_then_listed_with_its_evidence_for_the_rm(relationship_manager, customer):
    client = client_for(relationship_manager)

    created = client.post(_url(customer, "consents/"), GRANT, format="json")
    listed = client.get(_url(customer, "consents/"))

    assert created.status_code == 201
    body = created.json()
    assert (body["channel"], body["purpose"], body["status"], body["source"]) == (
        "email", "marketing", "granted", "api")
    assert body["evidence_reference"] == "WEB-FORM-991" and body["masked_fields"] == []
    assert listed.json() == [body]


def test_branch_staff_see_the_evidence_masked(relationship_manager, branch_staff, customer):
    client_for(relationship_manager).post(_url(customer, "consents/"), GRANT, format="json")

    [row] = client_for(branch_staff).get(_url(customer, "consents/")).json()

    assert row["evidence_reference"] == "****"
    assert row["masked_fields"] == ["evidence_reference"]


def test_a_retry_with_the_same_idempotency_key_records_once(service_account, customer):
    client = client_for(service_account)

    first = client.post(_url(customer, "consents/"), GRANT, format="json", HTTP_IDEMPOTENCY_KEY="consent-1")
    again = client.post(_url(customer, "consents/"), GRANT, format="json", HTTP_IDEMPOTENCY_KEY="consent-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert ConsentEvent.objects.count() == 1


def test_bad_consent_input_answers_400_by_field(relationship_manager, customer):
    response = client_for(relationship_manager).post(
        _url(customer, "consents/"),
        {"status": "maybe", "channel": "fax", "purpose": "marketing", "source": "api", "colour": "red"},
        format="json")

    assert sorted(field_errors(response)) == ["colour"]
    response = client_for(relationship_manager).post(
        _url(customer, "consents/"), {"status": "maybe", "channel": "fax", "purpose": "marketing",
                                      "source": "api"}, format="json")
    assert sorted(field_errors(response)) == ["channel", "status"]
    response = client_for(relationship_manager).post(
        _url(customer, "consents/"), {**GRANT, "evidence_reference": ""}, format="json")
    assert sorted(field_errors(response)) == ["evidence_reference"]
    assert not ConsentEvent.objects.exists()


def test_a_compliance_officer_reads_but_may_not_record(compliance_officer, customer):
    client = client_for(compliance_officer)

    assert client.get(_url(customer, "consents/")).status_code == 200
    refused = client.post(_url(customer, "consents/"), GRANT, format="json")

    assert refused.status_code == 403
    assert not ConsentEvent.objects.exists()


@pytest.mark.parametrize("tail", ["consents/", "contacts/", "holds/"])
def test_a_customer_the_caller_may_not_see_is_404_on_every_route(other_relationship_manager, customer, tail):
    client = client_for(other_relationship_manager)

    assert client.get(_url(customer, tail)).status_code == 404
    if tail != "contacts/":  # the log is read-only: POST is not allowed there for anyone
        assert client.post(_url(customer, tail), {}, format="json").status_code == 404


def test_the_contact_log_lists_sends_and_refusals_in_words(relationship_manager, customer, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOON_SHANGHAI)
    sender = outreach.ContactSender(kind="survey", id="NPS-3")
    outreach.contact_request(actor=relationship_manager, customer=customer, channel="sms", purpose="surveys",
                             reason="Branch satisfaction survey", sender=sender)
    client = client_for(relationship_manager)

    everything = client.get(_url(customer, "contacts/")).json()["results"]
    sent = client.get(_url(customer, "contacts/?outcome=sent")).json()["results"]
    bad = client.get(_url(customer, "contacts/?outcome=maybe"))

    assert [(row["outcome"], row["refusal_code"], row["refusal"]) for row in everything] == [
        ("refused", "no_consent", "not contacted: no consent to survey contacts by SMS")]
    assert everything[0]["sender_kind"] == "survey" and everything[0]["sender_id"] == "NPS-3"
    assert sent == []
    assert list(field_errors(bad)) == ["outcome"]


def test_holds_are_placed_once_per_reference_listed_and_lifted(branch_staff, relationship_manager, customer):
    client = client_for(branch_staff)
    body = {"kind": "open_complaint", "reason": "Disputed card fee", "reference": "CMP-12"}

    placed = client.post(_url(customer, "holds/"), body, format="json")
    again = client.post(_url(customer, "holds/"), body, format="json")
    hold_id = placed.json()["id"]
    listed = client_for(relationship_manager).get(_url(customer, "holds/")).json()["results"]
    lifted = client.post(_url(customer, f"holds/{hold_id}/lift/"), {"reason": "Refunded"}, format="json")

    assert (placed.status_code, again.status_code, again.json()["id"]) == (201, 200, hold_id)
    assert placed.json()["reason"] == "****" and placed.json()["masked_fields"] == ["reason"]
    assert listed[0]["reason"] == "Disputed card fee" and listed[0]["is_open"] is True
    assert lifted.status_code == 200 and lifted.json()["is_open"] is False
    assert ContactHold.objects.get().lift_reason == "Refunded"


def test_hold_input_errors_and_unknown_holds(branch_staff, branch, customer):
    client = client_for(branch_staff)
    other = make_individual(branch=branch)
    foreign, _created = outreach.contact_hold_place(actor=branch_staff, customer=other, kind="other",
                                                    reason="Asked for a pause")

    invalid = client.post(_url(customer, "holds/"), {"kind": "holiday"}, format="json")
    assert sorted(field_errors(invalid)) == ["kind", "reason"]
    # Another customer's hold is not this customer's: 404, and it stays open.
    assert client.post(_url(customer, f"holds/{foreign.pk}/lift/"), {}, format="json").status_code == 404
    assert ContactHold.objects.get(pk=foreign.pk).is_open


def test_options_offers_the_writes_the_caller_may_make(relationship_manager, compliance_officer, customer):
    rm = client_for(relationship_manager).options(_url(customer, "consents/")).json()
    compliance = client_for(compliance_officer).options(_url(customer, "holds/")).json()

    assert {"status", "channel", "purpose", "source", "evidence_reference"} <= set(rm["actions"]["POST"])
    assert "POST" not in compliance.get("actions", {})


def test_a_customers_time_zone_is_read_and_changed_with_its_details(relationship_manager, customer):
    client = client_for(relationship_manager)

    assert client.get(f"/api/v1/customers/{customer.pk}/").json()["time_zone"] == "Asia/Shanghai"
    changed = client.patch(f"/api/v1/customers/{customer.pk}/", {"time_zone": "Europe/London"}, format="json")
    refused = client.patch(f"/api/v1/customers/{customer.pk}/", {"time_zone": "Moon/Base"}, format="json")

    assert changed.status_code == 200 and changed.json()["time_zone"] == "Europe/London"
    assert list(field_errors(refused)) == ["time_zone"]
