"""A stored value that cannot be decrypted costs that one field of that one row: every
surface shows it as unreadable, the other rows and fields as usual, and operations are told
(an ERROR record on `compliance.decryption`, a row in UnreadableValue, a count on /health/)."""

from __future__ import annotations

import csv
import io
import logging

import pytest
from django.db import connection

from compliance.models import AuditEvent, UnreadableValue
from compliance.unreadable import LOGGER_NAME
from customers import permissions
from customers.models import Customer
from tests.customers.api.helpers import LIST_URL, client_for
from tests.customers.factories import make_individual

pytestmark = pytest.mark.django_db

PHONE = "+86 138 0013 5678"
GOOD_PHONE = "+86 139 0000 1111"
UNREADABLE = "(unreadable)"


def corrupt(model, pk: int, column: str) -> None:
    """Flip one character of the stored token, as a damaged block or a careless UPDATE would."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = overlay({column} placing "  # noqa: S608
            f"CASE WHEN substr({column}, 20, 1) = 'A' THEN 'B' ELSE 'A' END from 20 for 1) WHERE id = %s",
            [pk],
        )


@pytest.fixture
def book(relationship_manager, branch):
    damaged = make_individual(relationship_manager=relationship_manager, branch=branch,
                              phone=PHONE, given_name="Damaged")
    intact = make_individual(relationship_manager=relationship_manager, branch=branch,
                             phone=GOOD_PHONE, given_name="Intact")
    corrupt(Customer, damaged.pk, "phone")
    return damaged, intact


def unreadable_records(caplog):
    return [record for record in caplog.records
            if record.name == LOGGER_NAME and record.levelno == logging.ERROR]


def test_the_list_page_shows_the_field_unreadable_and_every_other_value(client, relationship_manager,
                                                                         book, caplog):
    damaged, _intact = book
    client.force_login(relationship_manager)

    response = client.get("/customers/")

    assert response.status_code == 200
    body = response.content.decode()
    assert UNREADABLE in body
    assert damaged.display_name in body
    assert "+86 139 0000 1111" in body or "139 0000 1111" in body
    [record] = unreadable_records(caplog)
    assert record.getMessage() == (
        f"Unreadable encrypted value: customers.customer.phone row {damaged.pk} (AUTHENTICATION)"
    )
    assert "138" not in record.getMessage()


def test_the_360_page_shows_the_field_unreadable(client, relationship_manager, book):
    damaged, _intact = book
    client.force_login(relationship_manager)

    response = client.get(f"/customers/{damaged.pk}/")

    assert response.status_code == 200
    body = response.content.decode()
    assert UNREADABLE in body
    assert damaged.email in body
    assert "0013 5678" not in body


def test_the_api_list_and_detail_answer_null_and_name_the_field(relationship_manager, book):
    damaged, intact = book
    api = client_for(relationship_manager)

    listed = api.get(LIST_URL)
    detail = api.get(f"{LIST_URL}{damaged.pk}/")

    assert listed.status_code == 200
    rows = {row["id"]: row for row in listed.json()["results"]}
    assert rows[damaged.pk]["phone"] is None
    assert rows[damaged.pk]["unreadable_fields"] == ["phone"]
    assert rows[damaged.pk]["email"] == damaged.email
    assert rows[intact.pk]["phone"] == "139 0000 1111"
    assert rows[intact.pk]["unreadable_fields"] == []
    assert detail.status_code == 200
    assert detail.json()["phone"] is None
    assert detail.json()["unreadable_fields"] == ["phone"]
    assert detail.json()["id_number"] == damaged.id_number


def test_a_masked_viewer_sees_the_mask_and_nothing_is_decrypted(branch_manager, book, caplog):
    damaged, _intact = book

    detail = client_for(branch_manager).get(f"{LIST_URL}{damaged.pk}/")

    assert detail.status_code == 200
    assert detail.json()["phone"] == "138****5678"
    assert detail.json()["unreadable_fields"] == []
    assert unreadable_records(caplog) == []


def test_the_export_has_every_row_with_the_bad_field_marked(client, relationship_manager, book):
    damaged, intact = book
    client.force_login(relationship_manager)

    response = client.get("/customers/export.csv")

    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {row[0]: row for row in csv.reader(io.StringIO(text))}
    assert len(rows) == 3  # the header and both customers
    assert rows[damaged.number][8] == UNREADABLE
    assert rows[damaged.number][9] == damaged.email
    assert rows[intact.number][8] == "139 0000 1111"
    event = AuditEvent.objects.filter(action="export.created").get()
    assert event.extra["rows"] == 2


def test_the_admin_change_list_shows_the_field_unreadable(client, administrator, book):
    damaged, intact = book
    permissions.grant_book_permissions(user_id=administrator.pk, customer_ids=[damaged.pk, intact.pk])
    client.force_login(administrator)

    response = client.get("/admin/customers/customer/")

    assert response.status_code == 200
    body = response.content.decode()
    assert UNREADABLE in body
    assert "139 0000 1111" in body or "13900001111" in body


def test_each_sighting_is_counted_once_per_column_and_row_and_reported_on_health(
    client, relationship_manager, book
):
    damaged, _intact = book
    api = client_for(relationship_manager)

    api.get(f"{LIST_URL}{damaged.pk}/")
    api.get(f"{LIST_URL}{damaged.pk}/")

    record = UnreadableValue.objects.get()
    assert (record.context, record.row_id, record.reason, record.occurrences) == (
        "customers.customer.phone", str(damaged.pk), "AUTHENTICATION", 2,
    )
    assert record.resolved_at is None
    health = client.get("/health/").json()
    assert health["alerts"] == {"unreadable_values": 1}


def test_a_resolved_value_leaves_the_count_until_it_is_seen_again(relationship_manager, book):
    damaged, _intact = book
    api = client_for(relationship_manager)
    api.get(f"{LIST_URL}{damaged.pk}/")
    UnreadableValue.objects.update(resolved_at="2026-01-01T00:00:00Z")

    from compliance.unreadable import open_unreadable_count

    assert open_unreadable_count() == 0
    api.get(f"{LIST_URL}{damaged.pk}/")
    assert open_unreadable_count() == 1


def test_the_marker_is_translated():
    from django.utils import translation

    from compliance.unreadable import UNREADABLE_TEXT

    with translation.override("zh-hans"):
        assert str(UNREADABLE_TEXT) == "（无法读取）"
    with translation.override("zh-hant"):
        assert str(UNREADABLE_TEXT) == "（無法讀取）"


def test_the_schema_documents_the_null_and_the_marker(client, relationship_manager):
    client.force_login(relationship_manager)

    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    for name in ("CustomerOutput", "CustomerListOutput", "HoldingOutput", "InteractionOutput", "NeedOutput"):
        properties = schema["components"]["schemas"][name]["properties"]
        assert properties["unreadable_fields"]["type"] == "array", name
        assert "cannot be decrypted" in properties["unreadable_fields"]["description"], name
    phone = schema["components"]["schemas"]["CustomerOutput"]["properties"]["phone"]
    assert phone["nullable"] is True
    assert "unreadable_fields" in phone["description"]


def test_the_edit_page_asks_for_the_unreadable_value_again(client, relationship_manager, book):
    damaged, _intact = book
    client.force_login(relationship_manager)
    url = f"/customers/{damaged.pk}/edit/"
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value not in (None, False)}
    data["profile-occupation"] = "Architect"

    refused = client.post(url, data)

    assert refused.status_code == 200
    assert refused.context["form"].errors["phone"] == [
        "The stored value cannot be read (damaged in the database): enter it again."]
    assert Customer.objects.get(pk=damaged.pk).individual.occupation != "Architect"

    repaired = client.post(url, {**data, "phone": "+86 138 0013 9999"})

    assert repaired.status_code == 302
    stored = Customer.objects.get(pk=damaged.pk)
    assert (stored.phone, stored.individual.occupation) == ("+86 138 0013 9999", "Architect")


def test_the_api_names_the_unreadable_field_on_a_write_and_takes_a_new_value(relationship_manager, book):
    damaged, _intact = book
    api = client_for(relationship_manager)

    refused = api.patch(f"{LIST_URL}{damaged.pk}/", {"address": "2 Century Avenue"}, format="json")
    repaired = api.patch(f"{LIST_URL}{damaged.pk}/", {"phone": "+86 138 0013 9999"}, format="json")

    assert refused.status_code == 400
    assert list(refused.json()["error"]["fields"]) == ["phone"]
    assert repaired.status_code == 200
    assert repaired.json()["phone"] == "138 0013 9999"
    assert repaired.json()["unreadable_fields"] == []
