"""Reveals of personal data: one `pii.revealed` event per request, or at once outside one.

This module is also the URLconf of its tests (`pytest.mark.urls`): a page that reveals the
fields of the customers named in its query string, answering the status it is asked for.
"""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.urls import path

from compliance.audit import (
    MAX_REVEALED_IDS,
    InvalidAuditEvent,
    audit_pii_reveals_record,
    audit_request_context,
    note_pii_revealed,
)
from compliance.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def reveal_page(request):
    for customer_id in request.GET.getlist("customer"):
        note_pii_revealed(object_type="customers.customer", object_id=int(customer_id),
                          fields=request.GET.getlist("field"))
    if "count" in request.GET:
        for customer_id in range(1, int(request.GET["count"]) + 1):
            note_pii_revealed(object_type="customers.customer", object_id=customer_id,
                              fields=["phone"])
    return HttpResponse("shown", status=int(request.GET.get("status", "200")))


urlpatterns = [path("reveal/", reveal_page)]


def _reveals():
    return AuditEvent.objects.filter(action="pii.revealed").order_by("sequence")


def test_one_event_per_request_with_sorted_ids_and_the_union_of_fields(client, relationship_manager):
    client.force_login(relationship_manager)

    response = client.get(
        "/reveal/?customer=30&customer=4&customer=17&customer=4&field=phone&field=email",
        HTTP_USER_AGENT="Edge/130",
    )
    client.get("/reveal/?customer=8&field=address")

    assert response.status_code == 200
    first, second = _reveals()
    assert first.actor_id == relationship_manager.pk
    assert first.actor_username == "rm.one"
    assert first.fields == ["email", "phone"]
    assert first.extra == {
        "objects": {"customers.customer": [4, 17, 30]},
        "counts": {"customers.customer": 3},
    }
    assert (first.object_type, first.object_id) == ("", "")
    assert first.ip_address == "127.0.0.1"
    assert first.user_agent == "Edge/130"
    assert first.request_id == response["X-Request-ID"]
    assert second.fields == ["address"]
    assert second.extra["objects"] == {"customers.customer": [8]}


def test_a_request_that_revealed_nothing_records_nothing(client, relationship_manager):
    client.force_login(relationship_manager)

    client.get("/reveal/")

    assert _reveals().count() == 0


@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_an_error_response_records_no_reveal(client, relationship_manager, status):
    client.force_login(relationship_manager)

    response = client.get(f"/reveal/?customer=5&field=phone&status={status}")

    assert response.status_code == status
    assert _reveals().count() == 0


def test_ids_are_capped_at_a_thousand_with_the_full_count(client, relationship_manager):
    client.force_login(relationship_manager)

    client.get(f"/reveal/?count={MAX_REVEALED_IDS + 5}")

    event = _reveals().get()
    assert event.extra["objects"]["customers.customer"] == list(range(1, MAX_REVEALED_IDS + 1))
    assert event.extra["counts"] == {"customers.customer": MAX_REVEALED_IDS + 5}


def test_outside_a_request_the_reveal_is_recorded_at_once(relationship_manager):
    event = note_pii_revealed(object_type="customers.customer", object_id="12",
                              fields=["phone", "email"], actor=relationship_manager)

    assert event == _reveals().get()
    assert event.actor_username == "rm.one"
    assert event.fields == ["email", "phone"]
    assert event.extra == {"objects": {"customers.customer": [12]}, "counts": {"customers.customer": 1}}


def test_outside_a_request_without_an_actor_the_system_revealed(db):
    event = note_pii_revealed(object_type="customers.customer", object_id=3, fields=["address"])

    assert (event.actor_id, event.actor_username, event.ip_address) == (None, "system", None)


def test_inside_a_context_notes_wait_for_the_end_of_the_request(relationship_manager):
    with audit_request_context(ip_address="10.0.0.9", user_agent="", request_id="r-00000003") as context:
        assert note_pii_revealed(object_type="customers.customer", object_id=1, fields=["phone"]) is None
        note_pii_revealed(object_type="customers.corporate", object_id="c-9", fields=["revenue"])
        assert _reveals().count() == 0
        event = audit_pii_reveals_record(actor=relationship_manager, context=context)

    assert event.extra == {
        "objects": {"customers.corporate": ["c-9"], "customers.customer": [1]},
        "counts": {"customers.corporate": 1, "customers.customer": 1},
    }
    assert event.fields == ["phone", "revenue"]
    assert event.ip_address == "10.0.0.9"


def test_a_malformed_note_is_refused_at_once(db):
    with audit_request_context(ip_address=None, user_agent="", request_id="r-00000004"), pytest.raises(
        InvalidAuditEvent
    ):
        note_pii_revealed(object_type="customers.customer", object_id=1, fields=["Phone Number"])
