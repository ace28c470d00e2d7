"""Every encrypted value is bound to its row: a token moved onto another row inside the
database does not decrypt there (and shows as unreadable); values written before the binding
still read, and the rotation command binds them; blind indexes do not change."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection, transaction

from compliance.crypto import (
    FORMAT_VERSION,
    DecryptionError,
    DecryptionFailure,
    blind_index,
    token_version,
)
from compliance.fields import Ciphertext
from compliance.rotation import UNBOUND_SUFFIX, rotation_status
from customers.demo import copy_rows
from customers.models import Customer, Holding, IndividualProfile, Interaction
from tests.compliance.unbound import store_unbound
from tests.customers.api.helpers import LIST_URL, SEARCH_URL, client_for
from tests.customers.factories import make_holding, make_individual, make_interaction

pytestmark = pytest.mark.django_db

PHONE_A = "+86 138 0013 5678"
PHONE_B = "+86 139 0000 1111"


def raw(model, pk, column: str) -> str:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(column)} FROM {quote(model._meta.db_table)} "  # noqa: S608
                       f"WHERE {quote(model._meta.pk.column)} = %s", [pk])
        return cursor.fetchone()[0]


def copy_column(model, column: str, *, source_pk, target_pk) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = (SELECT {column} FROM {table} WHERE id = %s) "  # noqa: S608
                       "WHERE id = %s", [source_pk, target_pk])


@pytest.fixture
def pair(relationship_manager, branch):
    first = make_individual(relationship_manager=relationship_manager, branch=branch, phone=PHONE_A)
    second = make_individual(relationship_manager=relationship_manager, branch=branch, phone=PHONE_B)
    return first, second


def test_every_row_has_its_own_record_key_and_bound_tokens(pair):
    first, second = pair

    assert isinstance(first.record_key, uuid.UUID) and first.record_key != second.record_key
    assert token_version(raw(Customer, first.pk, "phone")) == FORMAT_VERSION
    assert token_version(raw(IndividualProfile, first.pk, "date_of_birth")) == FORMAT_VERSION


def test_a_token_copied_onto_another_row_does_not_decrypt(pair):
    first, second = pair
    copy_column(Customer, "phone", source_pk=first.pk, target_pk=second.pk)

    with pytest.raises(DecryptionError) as raised:
        _ = Customer.objects.get(pk=second.pk).phone

    assert raised.value.reason is DecryptionFailure.AUTHENTICATION
    assert raised.value.row_id == second.pk
    assert Customer.objects.get(pk=first.pk).phone == PHONE_A


def test_a_swap_shows_as_unreadable_on_the_api(relationship_manager, pair):
    first, second = pair
    copy_column(Customer, "phone", source_pk=first.pk, target_pk=second.pk)

    body = client_for(relationship_manager).get(f"{LIST_URL}{second.pk}/").json()

    assert body["phone"] is None
    assert body["unreadable_fields"] == ["phone"]


def test_a_child_rows_token_copied_onto_a_sibling_does_not_decrypt(pair):
    first, _second = pair
    one = make_interaction(first, summary="Discussed the mortgage.")
    other = make_interaction(first, summary="Asked about fees.")
    copy_column(Interaction, "summary", source_pk=one.pk, target_pk=other.pk)

    with pytest.raises(DecryptionError):
        _ = Interaction.objects.get(pk=other.pk).summary


def test_values_written_before_the_binding_still_read(pair):
    first, _second = pair
    store_unbound(Customer, first.pk, "phone", "+8613800135678")
    store_unbound(IndividualProfile, first.pk, "annual_income", "250000.00")

    customer = Customer.objects.get(pk=first.pk)

    assert customer.phone == "+8613800135678"
    assert customer.individual.annual_income == first.individual.annual_income


def test_unbound_values_can_be_refused_once_rotated(settings, pair):
    first, _second = pair
    store_unbound(Customer, first.pk, "phone", "+8613800135678")
    settings.FIELD_ENCRYPTION_ACCEPT_UNBOUND = False

    with pytest.raises(DecryptionError) as raised:
        _ = Customer.objects.get(pk=first.pk).phone

    assert raised.value.reason is DecryptionFailure.UNBOUND_REFUSED


def test_rotation_binds_unbound_values_under_the_current_key(pair, capsys):
    first, second = pair
    holding = make_holding(first, account_number="6222 0210 0100 4321")
    store_unbound(Customer, first.pk, "phone", "+8613800135678")
    store_unbound(Holding, holding.pk, "account_number", "6222021001004321")
    index_before = Customer.objects.values_list("phone_index", flat=True).get(pk=first.pk)
    current = rotation_status()[("customers.Customer", "phone")]
    key_id = next(iter(key for key in current if not key.endswith(UNBOUND_SUFFIX)))
    assert current == {key_id: 1, f"{key_id}{UNBOUND_SUFFIX}": 1}
    call_command("rotate_encryption_keys", "--dry-run")
    assert f"{key_id}{UNBOUND_SUFFIX}" in capsys.readouterr().out

    call_command("rotate_encryption_keys")

    assert rotation_status()[("customers.Customer", "phone")] == {key_id: 2}
    assert token_version(raw(Customer, first.pk, "phone")) == FORMAT_VERSION
    assert token_version(raw(Holding, holding.pk, "account_number")) == FORMAT_VERSION
    assert Customer.objects.get(pk=first.pk).phone == "+8613800135678"
    assert Holding.objects.get(pk=holding.pk).account_number == "6222021001004321"
    # Bound now: the rotated token no longer decrypts on another row.
    copy_column(Customer, "phone", source_pk=first.pk, target_pk=second.pk)
    with pytest.raises(DecryptionError):
        _ = Customer.objects.get(pk=second.pk).phone
    # The blind index is derived from the plaintext, not the token: unchanged, still found.
    assert Customer.objects.values_list("phone_index", flat=True).get(pk=first.pk) == index_before


def test_blind_indexes_do_not_depend_on_the_row(relationship_manager, pair):
    first, second = pair
    second.phone = PHONE_A
    second.save(update_fields=["phone", "phone_index", "phone_mask"])

    tokens = {raw(Customer, customer.pk, "phone") for customer in pair}
    indexes = set(Customer.objects.filter(pk__in=[first.pk, second.pk]).values_list("phone_index", flat=True))

    assert len(tokens) == 2
    assert indexes == {blind_index(PHONE_A, kind="phone")}
    found = client_for(relationship_manager).post(SEARCH_URL, {"q": "13800135678"}, format="json").json()
    assert sorted(row["id"] for row in found["results"]) == sorted([first.pk, second.pk])


def test_copy_rows_writes_bound_tokens_for_each_new_row(pair):
    first, _second = pair
    rows = [{"customer_id": first.pk, "channel": "phone", "interaction_type": "service",
             "summary": f"Called back {n}.", "system": "core-banking", "occurred_at": first.created_at}
            for n in range(2)]

    copy_rows(Interaction, rows)

    written = list(Interaction.objects.filter(customer=first).order_by("pk"))
    assert [item.summary for item in written] == ["Called back 0.", "Called back 1."]
    assert len({item.record_key for item in written}) == 2
    copy_column(Interaction, "summary", source_pk=written[0].pk, target_pk=written[1].pk)
    with pytest.raises(DecryptionError):
        _ = Interaction.objects.get(pk=written[1].pk).summary


def test_an_update_with_a_plaintext_is_refused_rather_than_written_unbound(pair):
    first, _second = pair

    with pytest.raises(FieldError, match="bound to its row"), transaction.atomic():
        Customer.objects.filter(pk=first.pk).update(address="1 Century Avenue")

    assert Customer.objects.get(pk=first.pk).address == first.address
    assert isinstance(Customer.objects.values_list("address", flat=True).get(pk=first.pk), Ciphertext)
