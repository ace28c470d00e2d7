"""A customer's interactions in the API: the timeline, masking, idempotent logging."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from compliance.models import AuditEvent
from customers.models import (
    Interaction,
)
from tests.customers.api.helpers import (
    client_for,
    count_queries,
    field_errors,
)
from tests.customers.factories import make_individual, make_interaction

pytestmark = pytest.mark.django_db


# --- interactions ---------------------------------------------------------------------------


def _interactions(customer) -> str:
    return f"/api/v1/customers/{customer.pk}/interactions/"


def test_interactions_newest_first_with_cursor(rm, customer):
    now = timezone.now()
    for days in (3, 1, 2):
        make_interaction(customer, occurred_at=now - datetime.timedelta(days=days), summary=f"Call {days}")

    first = rm.get(_interactions(customer), {"page_size": 2}).json()
    second = rm.get(first["next"]).json()

    assert [row["summary"] for row in first["results"]] == ["Call 1", "Call 2"]
    assert [row["summary"] for row in second["results"]] == ["Call 3"]


def test_interaction_summaries_are_masked_for_branch_staff(branch_staff, customer):
    make_interaction(customer, summary="Asked about early withdrawal")

    row = client_for(branch_staff).get(_interactions(customer)).json()["results"][0]

    assert row["summary"] == "****"
    assert row["masked_fields"] == ["summary"]


def test_channel_pushes_an_interaction_once_per_reference(service, customer):
    body = {
        "channel": "mobile_app",
        "interaction_type": "transaction",
        "summary": "Transfer confirmed",
        "system": "mobile-banking",
        "external_reference": "APP-9001",
        "occurred_at": (timezone.now() - datetime.timedelta(minutes=3)).isoformat(),
    }

    first = service.post(_interactions(customer), body, format="json")
    again = service.post(_interactions(customer), body, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    interaction = Interaction.objects.get()
    assert (interaction.system, interaction.staff_id) == ("mobile-banking", None)
    customer.refresh_from_db()
    assert customer.last_contact_at == interaction.occurred_at


def test_staff_logs_an_interaction_with_an_idempotency_key(rm, relationship_manager, customer):
    body = {"channel": "phone", "summary": "Called about the deposit"}

    first = rm.post(_interactions(customer), body, format="json", HTTP_IDEMPOTENCY_KEY="call-1")
    retry = rm.post(_interactions(customer), body, format="json", HTTP_IDEMPOTENCY_KEY="call-1")

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry["Idempotent-Replayed"] == "true"
    assert Interaction.objects.get().staff_id == relationship_manager.pk


def test_interaction_bad_input_is_field_errors(rm, customer):
    response = rm.post(
        _interactions(customer),
        {"channel": "pigeon", "summary": "", "occurred_at": "yesterday"},
        format="json",
    )

    assert set(field_errors(response)) == {"channel", "summary", "occurred_at"}


def test_an_interaction_in_the_future_is_refused_by_the_service_as_a_field_error(rm, customer):
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()

    response = rm.post(
        _interactions(customer), {"channel": "phone", "summary": "x", "occurred_at": future}, format="json"
    )

    assert list(field_errors(response)) == ["occurred_at"]
    assert not Interaction.objects.exists()


def test_an_interaction_reference_of_another_customer_is_refused(
    service, customer, relationship_manager, branch
):
    other = make_individual(relationship_manager=relationship_manager, branch=branch)
    make_interaction(other, external_reference="APP-1", system="app")

    response = service.post(
        _interactions(customer),
        {"channel": "phone", "summary": "x", "external_reference": "APP-1"},
        format="json",
    )

    assert list(field_errors(response)) == ["external_reference"]
    assert Interaction.objects.count() == 1


def test_interactions_query_count_does_not_grow(rm, customer):
    make_interaction(customer)
    few = count_queries(rm, _interactions(customer))
    for _ in range(8):
        make_interaction(customer)

    assert count_queries(rm, _interactions(customer)) == few


def test_reading_summaries_in_clear_notes_each_interaction(rm, relationship_manager, customer):
    interaction = make_interaction(customer, summary="Asked about early withdrawal")

    rm.get(_interactions(customer))

    event = AuditEvent.objects.filter(action="pii.revealed").latest("sequence")
    assert event.actor_id == relationship_manager.pk
    assert event.extra["objects"] == {"customers.interaction": [interaction.pk]}
    assert event.fields == ["summary"]


# --- who an interaction names ---------------------------------------------------------------


@pytest.mark.parametrize("system", ["mobile-banking", "  core  "])
def test_an_rm_may_not_log_an_interaction_in_a_systems_name(rm, customer, system):
    body = {"channel": "phone", "summary": "Called about the deposit", "system": system}

    response = rm.post(_interactions(customer), body, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert Interaction.objects.count() == 0
    customer.refresh_from_db()
    assert customer.last_contact_at is None


def test_an_rm_may_not_reach_a_system_interaction_through_its_reference(rm, service, customer):
    body = {"channel": "mobile_app", "summary": "Transfer confirmed", "system": "mobile-banking",
            "external_reference": "APP-77"}
    service.post(_interactions(customer), body, format="json")

    response = rm.post(_interactions(customer), body, format="json")

    assert response.status_code == 403
    assert Interaction.objects.count() == 1


def test_an_rm_interaction_names_the_rm(rm, relationship_manager, customer):
    body = {"channel": "phone", "summary": "Called about the deposit", "system": ""}

    response = rm.post(_interactions(customer), body, format="json")

    assert response.status_code == 201
    interaction = Interaction.objects.get()
    assert (interaction.staff_id, interaction.system) == (relationship_manager.pk, "")
    assert response.json()["staff"]["id"] == relationship_manager.pk


def test_branch_staff_may_not_log_in_a_systems_name_either(branch_staff, customer):
    body = {"channel": "branch", "summary": "Counter visit", "system": "teller"}

    response = client_for(branch_staff).post(_interactions(customer), body, format="json")

    assert response.status_code == 403
    assert Interaction.objects.count() == 0


def test_the_service_refuses_a_system_name_from_a_person(relationship_manager, customer):
    from django.core.exceptions import PermissionDenied

    from customers import services

    with pytest.raises(PermissionDenied):
        services.interaction_log(actor=relationship_manager, customer=customer, channel="phone",
                                 interaction_type="service", summary="x", system="crm")
    assert Interaction.objects.count() == 0
