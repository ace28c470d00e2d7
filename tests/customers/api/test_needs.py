"""A customer's needs in the API: recording, masking of notes, the catalogue."""

from __future__ import annotations

import pytest

from customers.models import (
    Need,
)
from tests.customers.api.helpers import (
    client_for,
    field_errors,
)

pytestmark = pytest.mark.django_db


# --- needs ----------------------------------------------------------------------------------


def _needs(customer) -> str:
    return f"/api/v1/customers/{customer.pk}/needs/"


def test_rm_records_and_lists_needs(rm, relationship_manager, customer):
    created = rm.post(
        _needs(customer), {"need_type": "wealth_growth", "note": "Wants a pension plan"}, format="json"
    )
    listed = rm.get(_needs(customer)).json()["results"]

    assert created.status_code == 201, created.content
    need = Need.objects.get()
    assert (need.customer_id, need.need_type, need.note, need.recorded_by_id) == (
        customer.pk,
        "wealth_growth",
        "Wants a pension plan",
        relationship_manager.pk,
    )
    assert [row["note"] for row in listed] == ["Wants a pension plan"]
    assert listed[0]["masked_fields"] == []


def test_need_notes_are_masked_for_the_branch_manager(rm, branch_manager, customer):
    rm.post(_needs(customer), {"need_type": "investment", "note": "Wants a pension plan"}, format="json")

    row = client_for(branch_manager).get(_needs(customer)).json()["results"][0]

    assert row["note"] == "****"
    assert row["masked_fields"] == ["note"]


def test_need_outside_the_kinds_catalogue_is_a_field_error(rm, customer):
    assert list(field_errors(rm.post(_needs(customer), {"need_type": "trade_finance"}, format="json"))) == [
        "need_type"
    ]
    assert list(field_errors(rm.post(_needs(customer), {"need_type": "financing"}, format="json"))) == [
        "need_type"
    ]
    assert not Need.objects.exists()


def test_branch_staff_record_needs_as_in_the_browser(branch_staff, customer):
    response = client_for(branch_staff).post(_needs(customer), {"need_type": "investment"}, format="json")

    assert response.status_code == 201, response.content
    assert Need.objects.get().recorded_by == branch_staff


def test_compliance_officer_may_not_record_needs(compliance_officer, customer):
    response = client_for(compliance_officer).post(
        _needs(customer), {"need_type": "investment"}, format="json"
    )

    assert response.status_code == 403
    assert not Need.objects.exists()
