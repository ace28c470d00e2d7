"""Key rotation: every encrypted value moves to the newest key, in batches, resumably,
without overwriting concurrent edits, and the run is audited."""

from __future__ import annotations

import base64
import datetime
import threading
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance import rotation
from compliance.crypto import blind_index, key_id_of
from compliance.fields import Ciphertext, encrypted_fields
from compliance.models import AuditEvent
from compliance.rotation import MALFORMED, rotate, rotation_status
from customers import services
from customers.models import Customer, CustomerKind, Holding, IndividualProfile, Interaction

pytestmark = pytest.mark.django_db

OLD = "old:" + base64.b64encode(bytes(range(32))).decode()
NEW = "new:" + base64.b64encode(bytes(range(100, 132))).decode()
OTHER = "other:" + base64.b64encode(bytes(range(200, 232))).decode()

PHONE = ("customers.Customer", "phone")
EMAIL = ("customers.Customer", "email")
ADDRESS = ("customers.Customer", "address")
ID_NUMBER = ("customers.Customer", "id_number")
SUMMARY = ("customers.Interaction", "summary")
DATE_OF_BIRTH = ("customers.IndividualProfile", "date_of_birth")
INCOME = ("customers.IndividualProfile", "annual_income")
ACCOUNT = ("customers.Holding", "account_number")

old_ring = override_settings(FIELD_ENCRYPTION_KEYS=[OLD])
new_ring = override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD])


def make_customer(n: int, *, branch, actor, email: str | None = "set") -> Customer:
    customer = services.customer_create(
        actor=actor, kind=CustomerKind.INDIVIDUAL, home_branch=branch, relationship_manager=actor,
        profile={"given_name": f"Wei{n}", "family_name": "Zhang", "local_name": "张伟",
                 "date_of_birth": datetime.date(1980, 1, 1) + datetime.timedelta(days=n),
                 "annual_income": Decimal("250000.00") + n},
        phone=f"+86 138 0013 {n:04d}",
        email=f"wei{n}@example.cn" if email == "set" else email,
        id_number=f"11010519800101{n:04d}",
        address=f"上海市浦东新区世纪大道{n}号",
    )
    services.interaction_log(actor=actor, customer=customer, channel="phone", interaction_type="follow_up",
                             summary=f"Discussed the maturing deposit number {n}.")
    services.holding_upsert(actor=actor, customer=customer, external_reference=f"H-{n}", values={
        "product_type": "savings_account", "product_name": "Saver", "account_number": f"62220210010{n:05d}",
        "balance": Decimal("1000.00"), "currency": "CNY", "status": "active",
        "opened_on": datetime.date(2020, 1, 1)})
    return customer


def plaintexts() -> dict:
    """Every encrypted value, decrypted through the ORM, by (column, pk)."""
    values = {}
    for model, item in encrypted_fields():
        for obj in model._base_manager.all():
            values[(model._meta.label, item.name, obj.pk)] = getattr(obj, item.name)
    return values


def raw_tokens(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL ORDER BY 1')  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def customers_on_old_key(branch, relationship_manager):
    """Three customers (one without an e-mail) with an interaction and a holding each,
    everything encrypted under the old key."""
    with old_ring:
        return [make_customer(n, branch=branch, actor=relationship_manager,
                              email=None if n == 3 else "set") for n in (1, 2, 3)]


# Status --------------------------------------------------------------------------------------


def test_status_counts_values_per_key_exactly(customers_on_old_key, branch, relationship_manager):
    # Given three customers under the old key, then one more written under the new key
    with new_ring:
        make_customer(4, branch=branch, actor=relationship_manager, email=None)

        # When the status is taken
        status = rotation_status()

    # Then each column counts its non-null values by key
    assert status[PHONE] == {"old": 3, "new": 1}
    assert status[EMAIL] == {"old": 2}
    assert status[ADDRESS] == {"old": 3, "new": 1}
    assert status[SUMMARY] == {"old": 3, "new": 1}
    assert status[DATE_OF_BIRTH] == {"old": 3, "new": 1}
    assert status[ACCOUNT] == {"old": 3, "new": 1}
    assert status[("customers.ImportJob", "content")] == {}
    assert set(status) == {(model._meta.label, item.name) for model, item in encrypted_fields()}


def test_status_counts_a_value_that_is_not_a_token_as_malformed(customers_on_old_key):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE customers_customer SET address = 'not a token' WHERE id = %s",
                       [customers_on_old_key[0].pk])

    with new_ring:
        assert rotation_status()[ADDRESS] == {"old": 2, MALFORMED: 1}


# Rotation ------------------------------------------------------------------------------------


def test_rotation_moves_every_value_to_the_new_key(customers_on_old_key):
    # Given values under the old key and their plaintext
    with old_ring:
        before = plaintexts()
        indexes = list(Customer.objects.order_by("pk").values_list("phone_index", "email_index"))

    # When the new key is put first and the rotation runs in small batches
    with new_ring:
        result = rotate(batch_size=2)

        # Then every value is on the new key, decrypts to the same plaintext, and none remain
        status = rotation_status()
        after = plaintexts()
    assert all(set(counts) <= {"new"} for counts in status.values())
    assert after == before
    assert result.completed
    assert result.rotated[PHONE] == 3 and result.rotated[EMAIL] == 2 and result.rotated[SUMMARY] == 3
    assert result.rotated[INCOME] == 3 and result.rotated[ACCOUNT] == 3
    assert result.total_rotated == sum(counts.get("new", 0) for counts in status.values())
    assert result.total_remaining == 0
    assert result.remaining[PHONE] == {}
    assert result.total_skipped == result.total_failed == 0
    # Blind indexes have their own key and the plaintext did not change: untouched.
    assert list(Customer.objects.order_by("pk").values_list("phone_index", "email_index")) == indexes


def test_rotation_does_not_touch_updated_at(customers_on_old_key):
    stamps = list(Customer.objects.order_by("pk").values_list("updated_at", flat=True))

    with new_ring:
        rotate()

    assert list(Customer.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


def test_only_the_new_key_is_needed_afterwards(customers_on_old_key):
    with old_ring:
        before = plaintexts()
    with new_ring:
        rotate()

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW]):
        assert plaintexts() == before
        found = Customer.objects.get(phone_index=blind_index("+86 138 0013 0002", kind="phone"))
    assert found.pk == customers_on_old_key[1].pk


def test_a_second_run_has_nothing_to_do(customers_on_old_key):
    with new_ring:
        rotate()
        tokens = raw_tokens("customers_customer", "phone")

        result = rotate()

    assert result.total_rotated == 0 and result.completed
    assert raw_tokens("customers_customer", "phone") == tokens


def test_values_on_several_old_keys_all_move(branch, relationship_manager):
    with old_ring:
        make_customer(1, branch=branch, actor=relationship_manager)
    with override_settings(FIELD_ENCRYPTION_KEYS=[OTHER, OLD]):
        make_customer(2, branch=branch, actor=relationship_manager)

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OTHER, OLD]):
        assert rotation_status()[PHONE] == {"old": 1, "other": 1}
        result = rotate()

        assert rotation_status()[PHONE] == {"new": 2}
    assert result.rotated[PHONE] == 2


def test_raw_sql_after_rotation_shows_no_plaintext(customers_on_old_key):
    with new_ring:
        rotate()

    with connection.cursor() as cursor:
        dumps = []
        for table in ("customers_customer", "customers_individualprofile", "customers_interaction",
                      "customers_holding"):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            dumps.append(repr(cursor.fetchall()))
    text = "\n".join(dumps)
    for known in ("0013 0001", "8613800130001", "wei1@example.cn", "110105198001010001", "世纪大道1号",
                  "maturing deposit number 1", "1980-01-02", "250001.00", "6222021001000001"):
        assert known not in text
    assert all(key_id_of(token) == "new" for token in raw_tokens("customers_customer", "address"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    addresses=st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                max_size=300),
        min_size=1, max_size=4,
    ),
    income=st.decimals(min_value=Decimal("0"), max_value=Decimal("9999999999999999.99"), places=2,
                       allow_nan=False, allow_infinity=False),
    birth=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2026, 1, 1)),
    batch_size=st.integers(min_value=1, max_value=5),
)
def test_any_value_survives_rotation(customers_on_old_key, addresses, income, birth, batch_size):
    # Given arbitrary values written under the old key
    targets = customers_on_old_key[: len(addresses)]
    with old_ring:
        for customer, address in zip(targets, addresses, strict=False):
            customer.address = address
            customer.save(update_fields=["address"])
        profile = IndividualProfile.objects.get(pk=targets[0].pk)
        profile.annual_income, profile.date_of_birth = income, birth
        profile.save(update_fields=["annual_income", "date_of_birth"])

    # When they are rotated
    with new_ring:
        result = rotate(batch_size=batch_size)

        # Then they read back exactly, under the new key
        for customer, address in zip(targets, addresses, strict=False):
            assert Customer.objects.get(pk=customer.pk).address == address
        profile = IndividualProfile.objects.get(pk=targets[0].pk)
        assert (profile.annual_income, profile.date_of_birth) == (income, birth)
    assert result.total_remaining == 0
    assert {key_id_of(token) for token in raw_tokens("customers_customer", "address")} == {"new"}


# Interruption and failures -------------------------------------------------------------------


def test_an_interrupted_rotation_resumes(customers_on_old_key):
    with old_ring:
        before = plaintexts()
    real = rotation.reencrypt
    calls = []

    def failing_in_second_row(token, **kwargs):
        # The first customer row has four encrypted values; die on the second row's second.
        calls.append(1)
        if len(calls) == 6:
            raise RuntimeError("worker killed")
        return real(token, **kwargs)

    with new_ring:
        # Given a run that dies in its second batch of one row
        with mock.patch.object(rotation, "reencrypt", side_effect=failing_in_second_row), \
                pytest.raises(RuntimeError, match="worker killed"):
            rotate(batch_size=1)

        # Then the first batch is kept, the failed one rolled back, the rest still on the old key
        middle = rotation_status()
        assert middle[PHONE] == {"new": 1, "old": 2}
        assert middle[ID_NUMBER] == {"new": 1, "old": 2}
        assert middle[SUMMARY] == {"old": 3}
        interrupted = AuditEvent.objects.filter(action="keys.rotated").latest("sequence")
        assert interrupted.extra["completed"] is False
        assert interrupted.extra["rotated"] == 4

        # When it runs again
        result = rotate(batch_size=1)

        # Then it finishes what was left, and every value still reads the same
        assert plaintexts() == before
    assert result.rotated[PHONE] == 2 and result.rotated[SUMMARY] == 3
    assert result.total_remaining == 0


def test_a_value_that_does_not_decrypt_is_reported_and_left(customers_on_old_key):
    # Given a phone under a key that is no longer in the ring
    victim = customers_on_old_key[1]
    lost = "v2:lost:" + base64.urlsafe_b64encode(bytes(40)).decode().rstrip("=")
    Customer.objects.filter(pk=victim.pk).update(phone=Ciphertext(lost))

    with new_ring:
        result = rotate()

        # Then the other values move, that one stays as it was and is reported by id only
        assert raw_tokens("customers_customer", "phone").count(lost) == 1
        assert rotation_status()[PHONE] == {"new": 2, "lost": 1}
    assert result.failed[PHONE] == 1
    assert result.failed_ids == {PHONE: [victim.pk]}
    assert result.remaining[PHONE] == {"lost": 1}
    assert result.rotated[EMAIL] == 2


# Concurrency ---------------------------------------------------------------------------------


def test_a_change_between_read_and_write_is_not_overwritten(customers_on_old_key, relationship_manager):
    target = customers_on_old_key[0]
    real = rotation.reencrypt

    def edit_meanwhile(token, *, context, identity="", row=None):
        # Someone saves a new phone after the batch was read, before it is written back.
        if context == "customers.customer.phone" and row == target.pk:
            services.customer_update(actor=relationship_manager, customer=target,
                                     fields={"phone": "+86 139 0000 0000"})
        return real(token, context=context, identity=identity, row=row)

    with new_ring, mock.patch.object(rotation, "reencrypt", side_effect=edit_meanwhile):
        result = rotate()

    with new_ring:
        fresh = Customer.objects.get(pk=target.pk)
        assert fresh.phone == "+86 139 0000 0000"
        assert fresh.phone_index == blind_index("+86 139 0000 0000", kind="phone")
        assert fresh.email == "wei1@example.cn"  # the other columns of the row still rotated
        assert rotation_status()[PHONE] == {"new": 3}
    assert result.skipped[PHONE] == 1
    assert result.rotated[PHONE] == 2
    assert result.rotated[EMAIL] == 2


def test_a_value_written_meanwhile_under_the_old_key_is_left_for_the_next_run(customers_on_old_key):
    target = customers_on_old_key[2]
    real = rotation.reencrypt

    def stale_writer(token, *, context, identity="", row=None):
        # A process still configured with the old key first writes during the run.
        if context == "customers.interaction.summary" and row == target.interactions.get().pk:
            with old_ring:
                stale = Interaction.objects.get(pk=row)
                stale.summary = "Called back about the deposit."
                stale.save(update_fields=["summary"])
        return real(token, context=context, identity=identity, row=row)

    with new_ring:
        with mock.patch.object(rotation, "reencrypt", side_effect=stale_writer):
            first = rotate()
        assert first.remaining[SUMMARY] == {"old": 1}
        assert first.skipped[SUMMARY] == 1

        second = rotate()

        assert second.rotated[SUMMARY] == 1 and second.total_remaining == 0
        assert target.interactions.get().summary == "Called back about the deposit."


@pytest.mark.django_db(transaction=True)
def test_an_edit_committed_by_another_connection_during_a_batch_wins(branch, relationship_manager):
    # Given a customer under the old key
    with old_ring:
        customer = make_customer(7, branch=branch, actor=relationship_manager)
    real = rotation.reencrypt
    errors = []

    def other_connection_edits(token, *, context, identity="", row=None):
        if context == "customers.customer.address" and row == customer.pk:
            def edit():
                try:
                    services.customer_update(actor=relationship_manager, customer=customer,
                                             fields={"address": "北京市西城区金融大街1号"})
                except Exception as exc:  # surfaced below
                    errors.append(exc)
                finally:
                    connection.close()
            thread = threading.Thread(target=edit)
            thread.start()
            thread.join()
        return real(token, context=context, identity=identity, row=row)

    # When the portal commits an edit from another connection while the batch is in flight
    with new_ring, mock.patch.object(rotation, "reencrypt", side_effect=other_connection_edits):
        result = rotate()

    # Then the rotation does not overwrite it
    assert errors == []
    with new_ring:
        fresh = Customer.objects.get(pk=customer.pk)
        assert fresh.address == "北京市西城区金融大街1号"
        assert fresh.phone == "+86 138 0013 0007"
        assert rotation_status()[ADDRESS] == {"new": 1}
    assert result.skipped[ADDRESS] == 1 and result.rotated[PHONE] == 1


# Audit and command ---------------------------------------------------------------------------


def test_a_run_is_audited_with_counts_only(customers_on_old_key):
    with new_ring:
        rotate()

    event = AuditEvent.objects.filter(action="keys.rotated").get()
    assert event.actor_id is None
    assert event.extra["key"] == "new" and event.extra["completed"] is True
    assert event.extra["rotated"] == 3 * 4 - 1 + 3 * 2 + 3 + 3  # customers, profiles, interactions, holdings
    assert event.extra["columns"]["customers.Customer.phone"] == 3
    assert event.extra["remaining"] == {}
    assert "0013" not in repr(event.extra) and "example.cn" not in repr(event.extra)


def test_batch_size_must_be_positive():
    with pytest.raises(ValueError, match="batch_size"):
        rotate(batch_size=0)


def test_command_dry_run_reports_and_changes_nothing(customers_on_old_key, capsys):
    tokens = raw_tokens("customers_customer", "phone")

    with new_ring:
        call_command("rotate_encryption_keys", "--dry-run")

    out = capsys.readouterr().out
    assert raw_tokens("customers_customer", "phone") == tokens
    assert "Dry run: 23 values would be re-encrypted" in out
    assert "customers.Customer.phone" in out
    assert not AuditEvent.objects.filter(action="keys.rotated").exists()


def test_command_rotates_and_reports_what_remains(customers_on_old_key, capsys):
    with new_ring:
        call_command("rotate_encryption_keys", "--batch-size", "2")

        assert rotation_status()[PHONE] == {"new": 3}
    out = capsys.readouterr().out
    assert "Re-encrypted 23 values" in out
    assert "Values remaining on old keys:" in out
    assert "Every value is on the current key" in out
    assert "0013" not in out and "example.cn" not in out


def test_command_fails_when_values_cannot_be_decrypted(customers_on_old_key, capsys):
    lost = "v2:lost:" + base64.urlsafe_b64encode(bytes(40)).decode().rstrip("=")
    Holding.objects.filter(customer=customers_on_old_key[0]).update(account_number=Ciphertext(lost))

    with new_ring, pytest.raises(CommandError, match="1 values could not be re-encrypted"):
        call_command("rotate_encryption_keys")

    holding = Holding.objects.get(customer=customers_on_old_key[0])
    assert f"customers.Holding.account_number: could not decrypt rows {holding.pk}" in capsys.readouterr().err
