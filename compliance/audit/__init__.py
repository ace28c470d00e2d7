"""The audit chain: the public API every app calls to record what happened.

Writes (`record`)
    `audit_record` appends one event in the caller's transaction, in one database statement.
    `note_pii_revealed` notes sensitive fields shown in clear; inside a request
    `AuditContextMiddleware` turns the notes into one `pii.revealed` event when the response is
    ready, outside a request the event is written at once.

Integrity (`canonical`, `verification`)
    Each event stores the SHA-256 of the previous event (`previous_hash`) and its own `hash`,
    computed over `canonical_event_bytes`: sorted-key JSON without spaces of every stored field
    but `hash`, times as ISO-8601 UTC with microseconds, IP addresses in exploded form. The
    database function `compliance_audit_append` takes a transaction-scoped advisory lock, reads
    the head and inserts the next link, so concurrent writers never fork the chain; the unique
    primary key on `sequence` is the backstop. `audit_verify` recomputes the chain;
    `audit_head_export` hands out an anchor kept outside the database, against which a later
    verification detects a truncated or rewritten head.

Audit events carry ids, counts and field names, never values: `audit_record` refuses
payloads that look like values (long strings, floats, free-form field names).
"""

from compliance.audit.canonical import HASHED_FIELDS, canonical_event_bytes, event_hash
from compliance.audit.context import AuditRequestContext, audit_request_context
from compliance.audit.record import (
    CHAIN_LOCK_KEY,
    audit_pii_reveals_record,
    audit_record,
    note_pii_revealed,
    pii_reveals_noted,
)
from compliance.audit.validation import (
    ACTION_PATTERN,
    MAX_REVEALED_IDS,
    OBJECT_ID_RE,
    InvalidAuditEvent,
)
from compliance.audit.verification import (
    VerificationResult,
    audit_head,
    audit_head_export,
    audit_verification_run,
    audit_verify,
)
from compliance.models import GENESIS_HASH, AuditAction

__all__ = [
    "ACTION_PATTERN",
    "CHAIN_LOCK_KEY",
    "GENESIS_HASH",
    "HASHED_FIELDS",
    "MAX_REVEALED_IDS",
    "OBJECT_ID_RE",
    "AuditAction",
    "AuditRequestContext",
    "InvalidAuditEvent",
    "VerificationResult",
    "audit_head",
    "audit_head_export",
    "audit_pii_reveals_record",
    "audit_record",
    "audit_request_context",
    "audit_verification_run",
    "audit_verify",
    "canonical_event_bytes",
    "event_hash",
    "note_pii_revealed",
    "pii_reveals_noted",
]
