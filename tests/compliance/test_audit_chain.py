"""The audit chain: how events are written, hashed, validated, verified and protected."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from datetime import UTC

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from compliance.audit import (
    GENESIS_HASH,
    InvalidAuditEvent,
    audit_head,
    audit_head_export,
    audit_record,
    audit_request_context,
    audit_verify,
    event_hash,
)
from compliance.models import AuditEvent, AuditEventImmutable
from tests.compliance.factories import AuditEventFactory

pytestmark = pytest.mark.django_db

def _rows() -> list[tuple]:
    return list(AuditEvent.objects.order_by("sequence").values_list())


def _tamper(sql: str, params=()) -> None:
    """Change the table as a DBA with the right to switch the triggers off would."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE compliance_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE compliance_auditevent ENABLE TRIGGER USER")


def _stored_values(sequence: int) -> dict:
    from compliance.audit import HASHED_FIELDS

    return AuditEvent.objects.values(*HASHED_FIELDS).get(sequence=sequence)


# --- writing and hashing ----------------------------------------------------------------------


def test_event_hash_is_sha256_of_the_documented_canonical_json(relationship_manager):
    with audit_request_context(ip_address="10.1.2.3", user_agent="Firefox/140", request_id="req-123456"):
        event = audit_record(
            actor=relationship_manager,
            action="customer.updated",
            object_type="customers.customer",
            object_id=42,
            fields=["phone", "email", "phone"],
            purpose="Address change requested at the counter",
            extra={"holding": 7, "flags": [True, None]},
        )

    expected = {
        "action": "customer.updated",
        "actor_id": relationship_manager.pk,
        "actor_username": "rm.one",
        "extra": {"flags": [True, None], "holding": 7},
        "fields": ["email", "phone"],
        "ip_address": "10.1.2.3",
        "object_id": "42",
        "object_type": "customers.customer",
        "occurred_at": event.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"),
        "previous_hash": "0" * 64,
        "purpose": "Address change requested at the counter",
        "request_id": "req-123456",
        "sequence": 1,
        "user_agent": "Firefox/140",
    }
    canonical = json.dumps(expected, sort_keys=True, separators=(",", ":")).encode()
    assert event.hash == hashlib.sha256(canonical).hexdigest()
    assert event.occurred_at.utcoffset().total_seconds() == 0


def test_the_parts_the_database_completes_are_the_canonical_text(relationship_manager):
    from compliance.audit.canonical import canonical_event_bytes, canonical_event_parts

    values = {
        "sequence": 1234567, "occurred_at": timezone.now(),
        "actor_id": relationship_manager.pk, "actor_username": "rm.one",
        "ip_address": "2001:db8::1", "user_agent": "Firefox/140 \u00e9\"quoted\"",
        "action": "customer.updated", "object_type": "customers.customer", "object_id": "42",
        "fields": ["email", "phone"], "purpose": "\u5ba2\u6237\u8981\u6c42 \"sequence\":1",
        "request_id": "req-1", "extra": {"previous_hash": "x", "n": [1, None, True]},
        "previous_hash": hashlib.sha256(b"x").hexdigest(),
    }
    before, between, after = canonical_event_parts(values)
    joined = before + values["previous_hash"] + between + str(values["sequence"]) + after
    assert joined.encode() == canonical_event_bytes(values)
    assert joined.isascii()


def test_one_event_is_one_statement_outside_a_transaction(django_assert_num_queries):
    audit_record(actor=None, action="import.applied")
    with django_assert_num_queries(1):
        event = audit_record(actor=None, action="import.applied", extra={"rows": 3})
    assert event.sequence == 2
    assert audit_verify().ok


def test_events_link_to_the_previous_hash_from_a_genesis_of_zeros():
    first, second, third = AuditEventFactory(), AuditEventFactory(), AuditEventFactory()

    assert [first.sequence, second.sequence, third.sequence] == [1, 2, 3]
    assert first.previous_hash == GENESIS_HASH == "0" * 64
    assert second.previous_hash == first.hash
    assert third.previous_hash == second.hash
    assert audit_head() == (3, third.hash)


def test_stored_rows_hash_to_the_stored_hash_whatever_form_the_address_takes():
    for address in ("2001:DB8:0:0:0:0:0:1", "::ffff:192.0.2.7", "192.0.2.8"):
        with audit_request_context(ip_address=address, user_agent="", request_id="r-00000001"):
            AuditEventFactory()

    stored = AuditEvent.objects.order_by("sequence")
    assert [event.ip_address for event in stored] == ["2001:db8::1", "192.0.2.7", "192.0.2.8"]
    for event in stored:
        assert event_hash(_stored_values(event.sequence)) == event.hash


def test_outside_a_request_events_have_no_address_and_the_system_as_actor():
    event = audit_record(actor=None, action="import.applied", extra={"rows": 12})

    assert event.actor_id is None
    assert event.actor_username == "system"
    assert event.ip_address is None
    assert event.user_agent == ""
    assert event.request_id == "-"
    assert event.object_type == event.object_id == ""


def test_anonymous_actor_is_named_anonymous():
    event = audit_record(actor=AnonymousUser(), action="auth.login_failed")

    assert (event.actor_id, event.actor_username) == (None, "anonymous")


def test_user_agent_is_truncated_and_an_invalid_address_dropped():
    with audit_request_context(ip_address="not-an-ip", user_agent="x" * 500, request_id="r-00000002"):
        event = AuditEventFactory()

    assert event.ip_address is None
    assert event.user_agent == "x" * 300


def test_audit_record_joins_the_callers_transaction():
    AuditEventFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        AuditEventFactory()
        raise RuntimeError("the service failed after recording")

    replacement = AuditEventFactory()
    assert list(AuditEvent.objects.values_list("sequence", flat=True).order_by("sequence")) == [1, 2]
    assert audit_verify().ok
    assert replacement.sequence == 2


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"action": "Login"}, "<noun>.<verb>"),
        ({"action": "customer"}, "<noun>.<verb>"),
        ({"action": "customer.updated", "object_type": "Customer", "object_id": 1}, "app_label.model"),
        ({"action": "customer.updated", "object_id": 1}, "app_label.model"),
        ({"action": "customer.updated", "object_type": "customers.customer",
          "object_id": "Zhang Wei 110101"}, "object_id"),
        ({"action": "customer.updated", "fields": ["National ID"]}, "field names"),
        ({"action": "customer.updated", "fields": "phone"}, "not one string"),
        ({"action": "customer.updated", "extra": {"note": "x" * 101}}, "longer than 100"),
        ({"action": "customer.updated", "extra": {"income": 12345.67}}, "not float"),
        ({"action": "customer.updated", "extra": {"ids": {1, 2}}}, "not set"),
        ({"action": "customer.updated", "extra": {1: "one"}}, "keys must be short strings"),
        ({"action": "customer.updated", "extra": ["not", "a", "mapping"]}, "mapping"),
        ({"action": "customer.updated", "purpose": "p" * 501}, "purpose"),
    ],
)
def test_malformed_events_and_payloads_with_values_are_refused(arguments, message):
    with pytest.raises(InvalidAuditEvent, match=message):
        audit_record(actor=None, **arguments)

    assert AuditEvent.objects.count() == 0


def test_refused_object_id_is_not_repeated_in_the_error():
    with pytest.raises(InvalidAuditEvent) as refused:
        audit_record(actor=None, action="customer.updated", object_type="customers.customer",
                     object_id="110101199003072316 Zhang")

    assert "110101199003072316" not in str(refused.value)


def test_orm_refuses_to_change_or_delete_events():
    event = AuditEventFactory(purpose="kept")

    event.purpose = "changed"
    with pytest.raises(AuditEventImmutable):
        event.save()
    with pytest.raises(AuditEventImmutable):
        event.delete()
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(sequence=1).update(purpose="changed")
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.get().purpose == "kept"


# --- the database trigger ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "operation"),
    [
        ("UPDATE compliance_auditevent SET purpose = 'rewritten' WHERE sequence = 2", "UPDATE"),
        ("DELETE FROM compliance_auditevent WHERE sequence = 2", "DELETE"),
        ("TRUNCATE compliance_auditevent", "TRUNCATE"),
    ],
)
def test_trigger_refuses_update_delete_and_truncate(statement, operation):
    for _index in range(3):
        AuditEventFactory()
    before = _rows()
    with connection.cursor() as cursor:
        # The test database switches the TRUNCATE guard off so that transactional tests can
        # empty it (tests/conftest.py); this transaction puts it back as in production.
        cursor.execute(
            "ALTER TABLE compliance_auditevent ENABLE TRIGGER compliance_auditevent_no_truncate"
        )

    with (
        pytest.raises(DatabaseError, match=f"append-only: {operation} refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)

    assert _rows() == before
    assert audit_verify().ok


# --- verification and tampering ---------------------------------------------------------------


def test_verify_an_intact_chain_counts_every_event():
    events = [AuditEventFactory() for _index in range(7)]

    result = audit_verify(batch_size=3)

    assert result.ok is True
    assert result.events_checked == 7
    assert result.first_broken_sequence is None
    assert result.reason == ""
    assert result.head == (7, events[-1].hash)


def test_verify_an_empty_chain():
    result = audit_verify()

    assert (result.ok, result.events_checked, result.head) == (True, 0, None)


def test_an_edited_row_breaks_the_chain_at_that_row():
    for _index in range(5):
        AuditEventFactory()
    _tamper("UPDATE compliance_auditevent SET object_id = '999' WHERE sequence = 3")

    result = audit_verify(batch_size=2)

    assert result.ok is False
    assert result.first_broken_sequence == 3
    assert result.events_checked == 2
    assert result.reason == "the stored hash does not match the event's content"


def test_an_edited_row_with_a_recomputed_hash_breaks_the_next_link():
    for _index in range(5):
        AuditEventFactory()
    forged = {**_stored_values(3), "fields": ["email"]}
    _tamper("UPDATE compliance_auditevent SET fields = %s, hash = %s WHERE sequence = 3",
            [["email"], event_hash(forged)])

    result = audit_verify()

    assert (result.ok, result.first_broken_sequence, result.events_checked) == (False, 4, 3)
    assert result.reason == "previous_hash does not match the hash of event 3"


def test_a_deleted_row_breaks_the_chain_where_it_was():
    for _index in range(5):
        AuditEventFactory()
    _tamper("DELETE FROM compliance_auditevent WHERE sequence = 3")

    result = audit_verify()

    assert (result.ok, result.first_broken_sequence, result.events_checked) == (False, 3, 2)
    assert result.reason == "event 3 is missing (the next event is 4)"


def test_deleting_the_first_row_is_detected():
    for _index in range(3):
        AuditEventFactory()
    _tamper("DELETE FROM compliance_auditevent WHERE sequence = 1")

    result = audit_verify()

    assert (result.ok, result.first_broken_sequence, result.events_checked) == (False, 1, 0)


def test_reordered_rows_break_the_chain():
    for _index in range(5):
        AuditEventFactory()
    _tamper(
        "UPDATE compliance_auditevent SET sequence = 1000000 WHERE sequence = 3; "
        "UPDATE compliance_auditevent SET sequence = 3 WHERE sequence = 4; "
        "UPDATE compliance_auditevent SET sequence = 4 WHERE sequence = 1000000"
    )

    result = audit_verify()

    assert (result.ok, result.first_broken_sequence, result.events_checked) == (False, 3, 2)


def test_a_truncated_head_is_only_detected_with_the_exported_head():
    for _index in range(4):
        AuditEventFactory()
    anchor = audit_head_export(actor=None)
    AuditEventFactory()
    _tamper("DELETE FROM compliance_auditevent WHERE sequence >= 5")

    without_anchor = audit_verify()
    with_anchor = audit_verify(expected_head=(anchor["sequence"], anchor["hash"]))

    assert anchor["sequence"] == 5
    assert (without_anchor.ok, without_anchor.events_checked) == (True, 4)
    assert with_anchor.ok is False
    assert with_anchor.first_broken_sequence == 5
    assert with_anchor.events_checked == 4
    assert with_anchor.reason == "events after 4 are missing; the exported head is event 5"


def test_a_rewritten_head_differs_from_the_exported_head():
    for _index in range(3):
        AuditEventFactory()
    anchor = audit_head_export(actor=None)
    forged = {**_stored_values(4), "actor_username": "someone.else"}
    _tamper("UPDATE compliance_auditevent SET actor_username = %s, hash = %s WHERE sequence = 4",
            ["someone.else", event_hash(forged)])

    assert audit_verify().ok is True
    result = audit_verify(expected_head=(anchor["sequence"], anchor["hash"]))
    assert (result.ok, result.first_broken_sequence) == (False, 4)
    assert result.reason == "the event differs from the exported head"


def test_head_export_records_the_export_and_anchors_on_it():
    AuditEventFactory()

    anchor = audit_head_export(actor=None)

    event = AuditEvent.objects.get(sequence=2)
    assert event.action == "audit.head_exported"
    assert anchor == {
        "sequence": 2,
        "hash": event.hash,
        "exported_at": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
    }
    assert audit_verify(expected_head=(2, event.hash)).ok


# --- concurrency ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_writers_never_fork_the_chain():
    writers, events_each = 20, 5
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            start.wait(timeout=30)
            for index in range(events_each):
                with transaction.atomic():
                    audit_record(actor=None, action="import.applied", object_type="tests.writer",
                                 object_id=writer, extra={"index": index})
                    # Hold the transaction open so that writers genuinely overlap.
                    time.sleep(0.002)
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(writer,)) for writer in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    total = writers * events_each
    assert list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True)) == list(
        range(1, total + 1)
    )
    per_writer = {
        writer: AuditEvent.objects.filter(object_type="tests.writer", object_id=str(writer)).count()
        for writer in range(writers)
    }
    assert set(per_writer.values()) == {events_each}
    result = audit_verify(batch_size=7)
    assert (result.ok, result.events_checked) == (True, total)
