"""The verification and head-export commands, the daily task and its schedule."""

from __future__ import annotations

import json
import logging
from io import StringIO

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from compliance.audit import audit_verification_run
from compliance.models import AuditEvent, AuditVerification
from compliance.tasks import verify_audit_chain_task
from tests.compliance.factories import AuditEventFactory

pytestmark = pytest.mark.django_db

def _tamper(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE compliance_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql)
        cursor.execute("ALTER TABLE compliance_auditevent ENABLE TRIGGER USER")


def _verify(*arguments: str) -> tuple[int, str, str]:
    stdout, stderr = StringIO(), StringIO()
    try:
        call_command("verify_audit_chain", *arguments, stdout=stdout, stderr=stderr)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, stdout.getvalue(), stderr.getvalue()


def test_verify_an_intact_chain_exits_0_and_records_the_run():
    for _index in range(4):
        AuditEventFactory()

    code, stdout, stderr = _verify()

    assert (code, stdout, stderr) == (0, "Audit chain intact: 4 events checked\n", "")
    verification = AuditVerification.objects.get()
    assert (verification.ok, verification.events_checked, verification.first_broken_sequence) == (
        True, 4, None,
    )
    assert verification.head_sequence == 4
    assert verification.head_hash == AuditEvent.objects.get(sequence=4).hash
    assert verification.started_at <= verification.finished_at
    recorded = AuditEvent.objects.get(action="audit.verified")
    assert (recorded.sequence, recorded.actor_username) == (5, "system")
    assert (recorded.object_type, recorded.object_id) == ("compliance.auditverification",
                                                          str(verification.pk))
    assert recorded.extra == {"ok": True, "events_checked": 4, "first_broken_sequence": None}


def test_verify_a_broken_chain_exits_1_naming_the_first_broken_link():
    for _index in range(4):
        AuditEventFactory()
    _tamper("UPDATE compliance_auditevent SET fields = ARRAY['national_id'] WHERE sequence = 3")

    code, stdout, stderr = _verify()

    assert code == 1
    assert stdout == ""
    assert stderr == (
        "Audit chain broken at sequence 3: the stored hash does not match the event's content\n"
    )
    verification = AuditVerification.objects.get()
    assert (verification.ok, verification.events_checked, verification.first_broken_sequence) == (
        False, 2, 3,
    )
    assert AuditEvent.objects.get(action="audit.verified").extra == {
        "ok": False, "events_checked": 2, "first_broken_sequence": 3,
    }


def test_export_head_to_a_file_then_verify_against_it(tmp_path):
    for _index in range(3):
        AuditEventFactory()
    head_file = tmp_path / "audit-head.json"

    stdout = StringIO()
    call_command("export_audit_head", "--output", str(head_file), stdout=stdout)
    anchor = json.loads(head_file.read_text())
    code, out, _err = _verify("--head-file", str(head_file))

    exported = AuditEvent.objects.get(action="audit.head_exported")
    assert set(anchor) == {"sequence", "hash", "exported_at"}
    assert (anchor["sequence"], anchor["hash"]) == (4, exported.hash)
    assert stdout.getvalue() == f"Audit head written to {head_file}\n"
    assert (code, out) == (0, "Audit chain intact: 4 events checked\n")
    assert AuditVerification.objects.get().expected_head_sequence == 4


def test_export_head_to_stdout():
    AuditEventFactory()
    stdout = StringIO()

    call_command("export_audit_head", stdout=stdout)

    assert json.loads(stdout.getvalue())["sequence"] == 2


def test_a_truncated_chain_fails_against_the_exported_head(tmp_path):
    for _index in range(3):
        AuditEventFactory()
    head_file = tmp_path / "audit-head.json"
    call_command("export_audit_head", "--output", str(head_file), stdout=StringIO())
    _tamper("DELETE FROM compliance_auditevent WHERE sequence >= 3")

    code, _out, stderr = _verify("--head-file", str(head_file))

    assert code == 1
    assert stderr == (
        "Audit chain broken at sequence 3: events after 2 are missing; "
        "the exported head is event 4\n"
    )


def test_an_unreadable_head_file_is_a_command_error(tmp_path):
    head_file = tmp_path / "audit-head.json"
    head_file.write_text('{"sequence": "four"}')

    with pytest.raises(CommandError, match="Cannot read the exported head"):
        call_command("verify_audit_chain", "--head-file", str(head_file))

    assert AuditVerification.objects.count() == 0


def test_a_later_run_expects_the_head_the_last_intact_run_verified():
    for _index in range(3):
        AuditEventFactory()
    first = audit_verification_run(actor=None)
    # Rewrite the verified history from event 2 on, consistently, as a superuser could.
    _tamper("DELETE FROM compliance_auditevent WHERE sequence >= 2")
    AuditEventFactory()

    second = audit_verification_run(actor=None)

    assert first.head_sequence == 3
    assert (second.ok, second.expected_head_sequence) == (False, 3)
    assert second.first_broken_sequence == 3
    assert second.message == "events after 2 are missing; the exported head is event 3"


def test_the_daily_task_verifies_and_reports():
    for _index in range(2):
        AuditEventFactory()

    result = verify_audit_chain_task.delay().get()

    verification = AuditVerification.objects.get()
    assert result == {"verification": verification.pk, "ok": True, "events_checked": 2,
                      "first_broken_sequence": None}
    assert verify_audit_chain_task.acks_late is True


def test_the_daily_task_logs_an_error_for_a_broken_chain(caplog):
    for _index in range(3):
        AuditEventFactory()
    _tamper("DELETE FROM compliance_auditevent WHERE sequence = 2")

    with caplog.at_level(logging.ERROR, logger="compliance.tasks"):
        result = verify_audit_chain_task.delay().get()

    assert (result["ok"], result["first_broken_sequence"]) == (False, 2)
    assert [record.getMessage() for record in caplog.records if record.name == "compliance.tasks"] == [
        f"Audit chain broken at sequence 2: event 2 is missing (the next event is 3) "
        f"(verification {result['verification']})"
    ]


def test_the_task_runs_daily_at_half_past_two_bank_time():
    entry = settings.CELERY_BEAT_SCHEDULE["compliance-verify-audit-chain"]

    assert entry["task"] == "compliance.tasks.verify_audit_chain_task"
    assert entry["schedule"] == crontab(hour=2, minute=30)
    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE
    assert verify_audit_chain_task.name == entry["task"]
