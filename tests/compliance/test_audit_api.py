"""The audit trail API: compliance officers only, filtered like the page, audited."""

from __future__ import annotations

import pytest
from rest_framework import serializers

from compliance.audit import audit_record
from compliance.models import AuditEvent
from crm.services import api_token_issue
from tests.compliance.factories import AuditEventFactory

pytestmark = pytest.mark.django_db

EVENTS_URL = "/api/v1/audit-events/"
ACCESS_URL = "/api/v1/audit-events/customer-access/"
EVENT_FIELDS = {
    "sequence", "occurred_at", "actor_id", "actor_username", "ip_address", "user_agent",
    "request_id", "action", "object_type", "object_id", "fields", "purpose", "extra",
    "previous_hash", "hash",
}


def _audit_views():
    return AuditEvent.objects.filter(action__in=["audit.searched", "audit.report_viewed"])


@pytest.mark.parametrize("url", [EVENTS_URL, f"{ACCESS_URL}?customer=42"])
def test_anonymous_callers_get_401_in_the_error_format(api_client, url):
    response = api_client.get(url)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert _audit_views().count() == 0


@pytest.mark.parametrize("role", ["relationship_manager", "branch_manager", "administrator"])
@pytest.mark.parametrize("url", [EVENTS_URL, f"{ACCESS_URL}?customer=42"])
def test_other_staff_get_403_in_the_error_format(api_client, request, role, url):
    api_client.force_authenticate(request.getfixturevalue(role))

    response = api_client.get(url)

    assert response.status_code == 403
    body = response.json()
    assert body["error"] == {
        "status": 403,
        "code": "permission_denied",
        "message": "Only compliance officers may read the audit trail.",
    }
    assert body["request_id"] == response["X-Request-ID"]
    assert _audit_views().count() == 0


def test_service_accounts_with_a_token_get_403(api_client, service_account):
    _token, raw = api_token_issue(user=service_account)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")

    response = api_client.get(EVENTS_URL)

    assert response.status_code == 403
    assert _audit_views().count() == 0


def test_compliance_officers_list_events_newest_first_with_explicit_fields(
    api_client, compliance_officer, relationship_manager
):
    first = AuditEventFactory(actor=relationship_manager, object_id=5, fields=["email"])
    second = AuditEventFactory(actor=relationship_manager, object_id=6)
    api_client.force_authenticate(compliance_officer)

    response = api_client.get(EVENTS_URL)

    assert response.status_code == 200
    results = response.json()["results"]
    assert [event["sequence"] for event in results] == [second.sequence, first.sequence]
    assert set(results[1]) == EVENT_FIELDS
    assert results[1]["hash"] == first.hash
    assert results[1]["object_id"] == "5"
    assert results[1]["fields"] == ["email"]
    assert results[1]["actor_id"] == relationship_manager.pk
    searched = AuditEvent.objects.get(action="audit.searched")
    assert (searched.actor_id, searched.extra) == (
        compliance_officer.pk, {"channel": "api", "filters": []},
    )


def test_cursor_pages_by_sequence(api_client, compliance_officer):
    for _index in range(5):
        AuditEventFactory()
    api_client.force_authenticate(compliance_officer)

    first = api_client.get(EVENTS_URL, {"page_size": 3}).json()
    second = api_client.get(first["next"]).json()

    assert [event["sequence"] for event in first["results"]] == [5, 4, 3]
    assert [event["sequence"] for event in second["results"]] == [2, 1]
    assert second["next"] is None


def test_filters_are_shared_with_the_page(api_client, compliance_officer, relationship_manager):
    own = AuditEventFactory(actor=relationship_manager, object_id=42)
    AuditEventFactory(actor=relationship_manager, object_id=43)
    listed = audit_record(actor=None, action="pii.revealed", fields=["phone"],
                          extra={"objects": {"customers.customer": [42]}})
    api_client.force_authenticate(compliance_officer)

    by_customer = api_client.get(EVENTS_URL, {"customer": 42}).json()["results"]
    by_action = api_client.get(EVENTS_URL, {"action": "pii.revealed", "actor": "system"}).json()["results"]

    assert [event["sequence"] for event in by_customer] == [listed.sequence, own.sequence]
    assert [event["sequence"] for event in by_action] == [listed.sequence]
    searches = AuditEvent.objects.filter(action="audit.searched").order_by("sequence")
    assert [event.extra for event in searches] == [
        {"channel": "api", "filters": ["customer"], "customer_id": 42},
        {"channel": "api", "filters": ["action", "actor"], "action": "pii.revealed"},
    ]


def test_invalid_filters_answer_400_and_are_not_recorded(api_client, compliance_officer):
    api_client.force_authenticate(compliance_officer)

    response = api_client.get(EVENTS_URL, {"action": "Customer Updated", "customer": "x"})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"action", "customer"}
    assert _audit_views().count() == 0


def test_customer_access_report(api_client, compliance_officer, relationship_manager):
    event = AuditEventFactory(actor=relationship_manager, object_id=42, fields=["phone"])
    api_client.force_authenticate(compliance_officer)

    response = api_client.get(ACCESS_URL, {"customer": 42})

    shown_time = serializers.DateTimeField().to_representation(event.occurred_at)
    assert response.status_code == 200
    assert response.json() == {
        "customer": 42,
        "actors": [{
            "actor_id": relationship_manager.pk,
            "actor_username": "rm.one",
            "first_seen": shown_time,
            "last_seen": shown_time,
            "events": 1,
            "actions": ["customer.updated"],
            "fields": ["phone"],
        }],
    }
    viewed = AuditEvent.objects.get(action="audit.report_viewed")
    assert viewed.extra == {"report": "customer_access", "customer_id": 42, "channel": "api"}


def test_customer_access_report_needs_a_customer(api_client, compliance_officer):
    api_client.force_authenticate(compliance_officer)

    response = api_client.get(ACCESS_URL)

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"customer"}
    assert _audit_views().count() == 0


def test_schema_documents_both_endpoints(api_client, compliance_officer):
    api_client.force_authenticate(compliance_officer)

    paths = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]

    assert "/api/v1/audit-events/" in paths
    assert "/api/v1/audit-events/customer-access/" in paths
