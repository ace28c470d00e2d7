"""Checking the chain: its head, an anchor to keep elsewhere, and the verification runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from django.db import router, transaction
from django.utils import timezone

from compliance.audit.canonical import HASHED_FIELDS, event_hash
from compliance.audit.record import audit_record
from compliance.models import GENESIS_HASH, AuditAction, AuditEvent, AuditVerification


def audit_head() -> tuple[int, str]:
    """The newest event's (sequence, hash); (0, sixty-four zeros) when the chain is empty."""
    head = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    return (head[0], head[1]) if head else (0, GENESIS_HASH)


def audit_head_export(*, actor) -> dict:
    """Record an `audit.head_exported` event and return it as the anchor to keep elsewhere.

    The anchor is the export event itself: {"sequence", "hash", "exported_at" (ISO-8601 UTC)}.
    Anchoring on the new event rather than the head before it means the anchor also covers
    the fact that it was taken, and no event can slip in between reading the head and
    recording the export. Keep the anchor outside the database (a ticket, a WORM store):
    `audit_verify(expected_head=...)` then detects a truncated or rewritten chain.
    """
    event = audit_record(actor=actor, action=AuditAction.AUDIT_HEAD_EXPORTED)
    return {
        "sequence": event.sequence,
        "hash": event.hash,
        "exported_at": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
    }


@dataclass(frozen=True)
class VerificationResult:
    """The outcome of `audit_verify`.

    `events_checked` counts the events found intact before the first broken link (all of them
    when `ok`); `head` is the newest intact event's (sequence, hash), None if there was none.
    """

    ok: bool
    events_checked: int
    first_broken_sequence: int | None = None
    reason: str = ""
    head: tuple[int, str] | None = None


def audit_verify(
    *, expected_head: tuple[int, str] | None = None, batch_size: int = 5000
) -> VerificationResult:
    """Recompute the chain from sequence 1 to the head and report the first broken link.

    Checks that sequences run 1, 2, 3... without gaps, that each event's hash matches its
    content, that each `previous_hash` is the hash of the event before, and, when
    `expected_head` (an anchor from `audit_head_export`) is given, that that event still
    exists with the same hash. Reads in keyset batches of `batch_size` by primary key, so
    memory stays flat at any size; events appended while it runs are left to the next run.
    Read-only: records nothing (see `audit_verification_run`).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1.")
    final_sequence, _final_hash = audit_head()
    expected_sequence, expected_hash = expected_head if expected_head else (None, None)
    previous_sequence, previous_hash = 0, GENESIS_HASH
    checked = 0

    def broken(sequence: int, reason: str) -> VerificationResult:
        head = (previous_sequence, previous_hash) if previous_sequence else None
        return VerificationResult(False, checked, sequence, reason, head)

    while previous_sequence < final_sequence:
        rows = list(
            AuditEvent.objects.filter(
                sequence__gt=previous_sequence, sequence__lte=final_sequence
            )
            .order_by("sequence")
            .values_list(*HASHED_FIELDS, "hash")[:batch_size]
        )
        if not rows:
            break
        for row in rows:
            values = dict(zip((*HASHED_FIELDS, "hash"), row, strict=True))
            sequence = values["sequence"]
            if sequence != previous_sequence + 1:
                return broken(
                    previous_sequence + 1,
                    f"event {previous_sequence + 1} is missing (the next event is {sequence})",
                )
            if event_hash(values) != values["hash"]:
                return broken(sequence, "the stored hash does not match the event's content")
            if values["previous_hash"] != previous_hash:
                return broken(sequence, f"previous_hash does not match the hash of event {sequence - 1}")
            if sequence == expected_sequence and values["hash"] != expected_hash:
                return broken(sequence, "the event differs from the exported head")
            previous_sequence, previous_hash = sequence, values["hash"]
            checked += 1

    if expected_sequence is not None and previous_sequence < expected_sequence:
        return broken(
            previous_sequence + 1,
            f"events after {previous_sequence} are missing; "
            f"the exported head is event {expected_sequence}",
        )
    head = (previous_sequence, previous_hash) if previous_sequence else None
    return VerificationResult(True, checked, None, "", head)


def audit_verification_run(
    *, actor, expected_head: tuple[int, str] | None = None, batch_size: int = 5000
) -> AuditVerification:
    """Verify the chain, store the outcome as an AuditVerification and record `audit.verified`.

    Without `expected_head` the run expects the head found by the last intact verification,
    so history already verified cannot be rewritten or cut unnoticed between runs. Never
    raises for a broken chain: the returned row says `ok=False` and where it broke.
    """
    if expected_head is None:
        last_intact = (
            AuditVerification.objects.filter(ok=True, head_sequence__isnull=False)
            .order_by("-started_at", "-pk")
            .values_list("head_sequence", "head_hash")
            .first()
        )
        expected_head = (last_intact[0], last_intact[1]) if last_intact else None
    started_at = timezone.now()
    result = audit_verify(expected_head=expected_head, batch_size=batch_size)
    with transaction.atomic(using=router.db_for_write(AuditVerification)):
        verification = AuditVerification.objects.create(
            started_at=started_at,
            finished_at=timezone.now(),
            ok=result.ok,
            events_checked=result.events_checked,
            first_broken_sequence=result.first_broken_sequence,
            message=result.reason,
            head_sequence=result.head[0] if result.head else None,
            head_hash=result.head[1] if result.head else "",
            expected_head_sequence=expected_head[0] if expected_head else None,
        )
        audit_record(
            actor=actor,
            action=AuditAction.AUDIT_VERIFIED,
            object_type="compliance.auditverification",
            object_id=verification.pk,
            extra={
                "ok": result.ok,
                "events_checked": result.events_checked,
                "first_broken_sequence": result.first_broken_sequence,
            },
        )
    return verification
