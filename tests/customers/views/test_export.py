"""The CSV export: masked as the list, neutralised cells, limits, the audit events."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from compliance.models import AuditEvent
from customers import exports
from tests.customers.factories import make_corporate, make_individual
from tests.customers.views.pages import (
    PHONE_SHOWN,
    body_of,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))


def test_export_is_masked_for_the_branch_manager_and_audited(client, branch_manager, customer, branch,
                                                            colleague):
    vip = make_individual(relationship_manager=colleague, branch=branch, segment="vip",
                          phone="+86 139 1111 2222")
    client.force_login(branch_manager)

    response = client.get(f"{reverse('customer-export')}?segment=vip&segment=mass&sort=number")

    rows = _csv(response)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[0][0] == "Customer number" and len(rows[0]) == len(exports.COLUMNS)
    assert [row[0] for row in rows[1:]] == sorted([customer.number, vip.number])
    by_number = {row[0]: row for row in rows[1:]}
    assert by_number[customer.number][8] == "138****8000"
    assert by_number[customer.number][9] == "w***@example.cn"
    assert by_number[vip.number][8] == "139****2222"
    assert PHONE_SHOWN not in "".join(",".join(row) for row in rows)
    event = AuditEvent.objects.get(action="export.created")
    assert event.actor_id == branch_manager.pk
    assert event.fields == sorted(exports.COLUMNS)
    assert event.extra == {"rows": 2, "filters": ["segment"]}
    assert not AuditEvent.objects.filter(action="pii.revealed").exists()


def test_export_by_the_rm_is_in_clear_and_records_the_reveal(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    rows = _csv(client.get(reverse("customer-export")))

    assert rows[1][8] == PHONE_SHOWN  # a phone number is a value, not a formula; shown as on screen
    assert rows[1][9] == "wei.zhang@example.cn"
    revealed = AuditEvent.objects.get(action="pii.revealed")
    assert revealed.extra["objects"] == {"customers.customer": [customer.pk]}
    assert set(revealed.fields) == {"phone", "email", "aum"}


def test_export_neutralises_formula_cells(client, relationship_manager, branch):
    make_corporate(relationship_manager=relationship_manager, branch=branch, display_name="=HYPERLINK(1)")
    client.force_login(relationship_manager)

    rows = _csv(client.get(reverse("customer-export")))

    assert rows[1][1] == "'=HYPERLINK(1)"


def test_export_keeps_phones_and_signed_amounts_and_neutralises_signed_formulas(client, relationship_manager,
                                                                                 branch):
    names = {"-1250.00": "-1250.00", "+SUM(1)": "'+SUM(1)", "-2+3": "'-2+3"}
    for name in names:
        make_corporate(relationship_manager=relationship_manager, branch=branch, display_name=name,
                       phone="+44 20 7946 0958")
    client.force_login(relationship_manager)

    rows = _csv(client.get(f"{reverse('customer-export')}?sort=number"))

    assert sorted(row[1] for row in rows[1:]) == sorted(names.values())
    assert [row[8] for row in rows[1:]] == ["+44 20 7946 0958"] * 3


@pytest.mark.parametrize("value", [
    "+86 138 0013 8000", "-1250.00", "+8613800138000", "-1,250.00", "1250.00", "Zhang Wei", "", "-", "+",
])
def test_a_value_is_exported_unchanged(value):
    assert exports.neutralise_cell(value) == value


@pytest.mark.parametrize("value", [
    '=HYPERLINK("http://example.com","x")', "+SUM(1)", "-2+3", "@cmd", "\t=1", "\r=1", "=1", "+1-2",
    "-A1", "+86 138 0013 8000=1",
])
def test_a_formula_is_neutralised(value):
    assert exports.neutralise_cell(value) == f"'{value}"


def test_export_above_the_limit_is_refused_with_a_message(client, relationship_manager, customer, branch,
                                                         monkeypatch):
    make_individual(relationship_manager=relationship_manager, branch=branch)
    monkeypatch.setattr(exports, "EXPORT_LIMIT", 1)
    client.force_login(relationship_manager)

    response = client.get(f"{reverse('customer-export')}?kind=individual", follow=True)

    assert response.redirect_chain[0][0] == "/customers/?kind=individual"
    assert "The list has more than 1 customers" in body_of(response)
    assert not AuditEvent.objects.filter(action="export.created").exists()


def test_export_with_invalid_filters_is_refused(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    response = client.get(f"{reverse('customer-export')}?segment=gold", follow=True)

    assert "Correct the filters before exporting." in body_of(response)
    assert not AuditEvent.objects.filter(action="export.created").exists()


def test_branch_staff_may_not_export_and_nothing_is_recorded(client, branch_staff, customer):
    client.force_login(branch_staff)

    response = client.get(reverse("customer-export"))

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="export.created").exists()


def test_the_export_service_asks_the_policy(branch_staff, relationship_manager):
    with pytest.raises(PermissionDenied):
        exports.customer_export_record(actor=branch_staff, rows=3, filters=["segment"])

    event = exports.customer_export_record(actor=relationship_manager, rows=3, filters=["status", "kind"])

    assert (event.action, event.actor_id, event.object_type) == ("export.created", relationship_manager.pk,
                                                                 "customers.customer")
    assert event.fields == sorted(exports.COLUMNS)
    assert event.extra == {"rows": 3, "filters": ["kind", "status"]}
    assert AuditEvent.objects.filter(action="export.created").count() == 1
