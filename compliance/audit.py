"""The audit chain: the public API every app calls to record what happened.

(Longer than a module should be: the append, the request context that batches reveals into
it and the hashing they share are one invariant, kept in one place until the chain's
verification and export move to a module of their own.)

Writes
    `audit_record` appends one event in the caller's transaction. `note_pii_revealed` notes
    sensitive fields shown in clear; inside a request `AuditContextMiddleware` turns the notes
    into one `pii.revealed` event when the response is ready, outside a request the event is
    written at once.

Integrity
    Each event stores the SHA-256 of the previous event (`previous_hash`) and its own `hash`,
    computed over `canonical_event_bytes`: sorted-key JSON without spaces of every stored field
    but `hash`, times as ISO-8601 UTC with microseconds, IP addresses in exploded form. Writers
    are serialised by a transaction-scoped advisory lock, so concurrent writers never fork the
    chain; the unique primary key on `sequence` is the backstop. `audit_verify` recomputes the
    chain; `audit_head_export` hands out an anchor kept outside the database, against which a
    later verification detects a truncated or rewritten head.

Audit events carry ids, counts and field names, never values: `audit_record` refuses
payloads that look like values (long strings, floats, free-form field names).
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import connections, router, transaction
from django.utils import timezone

from compliance.models import GENESIS_HASH, AuditAction, AuditEvent, AuditVerification
from crm.middleware import current_request_id

# Key of the PostgreSQL advisory lock that serialises appends ("AUDIT" in ASCII). Every
# writer takes it inside its transaction and holds it until commit or rollback.
CHAIN_LOCK_KEY = 0x4155444954

SYSTEM_ACTOR = "system"
ANONYMOUS_ACTOR = "anonymous"

MAX_REVEALED_IDS = 1000
MAX_EXTRA_STRING = 100
MAX_EXTRA_DEPTH = 6
MAX_EXTRA_BYTES = 200_000
MAX_PURPOSE_LENGTH = 500
MAX_USER_AGENT = 300

ACTION_PATTERN = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"
_ACTION_RE = re.compile(ACTION_PATTERN)
_OBJECT_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
OBJECT_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_FIELD_RE = re.compile(r"^[a-z_][a-z0-9_.]*$")
_CANONICAL_INT_RE = re.compile(r"^(0|[1-9][0-9]{0,18})$")

# Every stored column but `hash`, in the order `audit_verify` reads them.
HASHED_FIELDS = (
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_username",
    "ip_address",
    "user_agent",
    "action",
    "object_type",
    "object_id",
    "fields",
    "purpose",
    "request_id",
    "extra",
    "previous_hash",
)


class InvalidAuditEvent(ValueError):
    """An event was refused before it was written: a malformed name or a payload with values."""


# ---------------------------------------------------------------------------------------------
# Request context
# ---------------------------------------------------------------------------------------------


@dataclass
class AuditRequestContext:
    """Where the current request comes from, and the sensitive fields it has shown in clear."""

    ip_address: str | None = None
    user_agent: str = ""
    request_id: str = ""
    revealed_objects: dict[str, set[int | str]] = field(default_factory=dict)
    revealed_fields: set[str] = field(default_factory=set)

    @property
    def has_reveals(self) -> bool:
        return bool(self.revealed_objects)


_request_context: ContextVar[AuditRequestContext | None] = ContextVar(
    "audit_request_context", default=None
)


@contextlib.contextmanager
def audit_request_context(
    *, ip_address: str | None, user_agent: str, request_id: str
) -> Iterator[AuditRequestContext]:
    """Make events recorded in the block carry the request's address, user agent and id.

    Used by `AuditContextMiddleware`; tests and other entry points (a websocket consumer) may
    use it too. An address that is not a valid IP address is stored as empty.
    """
    context = AuditRequestContext(
        ip_address=_valid_ip(ip_address),
        user_agent=_printable(user_agent)[:MAX_USER_AGENT],
        request_id=(request_id or "")[:64],
    )
    token = _request_context.set(context)
    try:
        yield context
    finally:
        _request_context.reset(token)


def _valid_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def _printable(value: str) -> str:
    # PostgreSQL text cannot hold NUL; other control characters only obscure the log.
    return "".join(ch for ch in value if ch.isprintable())


# ---------------------------------------------------------------------------------------------
# Hashing
# ---------------------------------------------------------------------------------------------


def canonical_event_bytes(values: Mapping[str, Any]) -> bytes:
    """The bytes an event's hash covers: every field in `HASHED_FIELDS`, canonically encoded.

    JSON with sorted keys, no spaces, ASCII escapes; `occurred_at` as ISO-8601 in UTC with
    microseconds (`2025-01-31T08:15:00.123456+00:00`); `ip_address` in exploded form so that
    the textual form PostgreSQL's `inet` returns does not matter. `extra` holds only strings,
    integers, booleans, null, lists and objects, which survive `jsonb` unchanged.
    """
    payload = {name: values[name] for name in HASHED_FIELDS}
    occurred_at: datetime = payload["occurred_at"]
    payload["occurred_at"] = occurred_at.astimezone(UTC).isoformat(timespec="microseconds")
    if payload["ip_address"]:
        payload["ip_address"] = ipaddress.ip_address(str(payload["ip_address"])).exploded
    payload["fields"] = list(payload["fields"])
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def event_hash(values: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of `canonical_event_bytes(values)`."""
    return hashlib.sha256(canonical_event_bytes(values)).hexdigest()


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def _validate_action(action: str) -> str:
    if not isinstance(action, str) or len(action) > 64 or not _ACTION_RE.match(action):
        raise InvalidAuditEvent(f"Action must look like '<noun>.<verb>' in lower case: {action!r}")
    return action


def _validate_object_type(object_type: str, *, required: bool) -> str:
    if not isinstance(object_type, str):
        raise InvalidAuditEvent("object_type must be a string like 'customers.customer'.")
    if not object_type and not required:
        return ""
    if len(object_type) > 100 or not _OBJECT_TYPE_RE.match(object_type):
        raise InvalidAuditEvent(f"object_type must look like 'app_label.model': {object_type!r}")
    return object_type


def _normalise_object_id(object_id: str | int) -> int | str:
    """An object id as JSON stores it: an integer when it is one, else a short token."""
    if isinstance(object_id, bool):
        raise InvalidAuditEvent("object_id must be an id, not a boolean.")
    if isinstance(object_id, int):
        if object_id < 0:
            raise InvalidAuditEvent("object_id must not be negative.")
        return object_id
    text = str(object_id)
    if _CANONICAL_INT_RE.match(text):
        return int(text)
    if not OBJECT_ID_RE.match(text):
        # Deliberately not echoed: a caller passing a value instead of an id must not have
        # that value copied into an exception message and from there into the logs.
        raise InvalidAuditEvent("object_id must be at most 64 letters, digits or '_.:-'.")
    return text


def _validate_fields(fields: Iterable[str]) -> list[str]:
    if isinstance(fields, str):
        raise InvalidAuditEvent("fields must be a list of field names, not one string.")
    names = set()
    for name in fields:
        if not isinstance(name, str) or len(name) > 100 or not _FIELD_RE.match(name):
            raise InvalidAuditEvent(
                "fields must be field names (lower-case identifiers, dotted for nested ones)."
            )
        names.add(name)
    return sorted(names)


def _validate_extra(extra: Mapping | None) -> dict:
    if extra is None:
        return {}
    if not isinstance(extra, Mapping):
        raise InvalidAuditEvent("extra must be a mapping of ids and counts.")
    cleaned = _clean_json(extra, depth=0)
    if len(json.dumps(cleaned, separators=(",", ":"))) > MAX_EXTRA_BYTES:
        raise InvalidAuditEvent(f"extra is larger than {MAX_EXTRA_BYTES} bytes.")
    return cleaned


def _clean_json(value: Any, *, depth: int) -> Any:
    if depth > MAX_EXTRA_DEPTH:
        raise InvalidAuditEvent(f"extra is nested deeper than {MAX_EXTRA_DEPTH} levels.")
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        if len(value) > MAX_EXTRA_STRING:
            raise InvalidAuditEvent(
                f"extra holds a string longer than {MAX_EXTRA_STRING} characters; "
                "audit events carry ids and counts, not values."
            )
        return _printable(value)
    if isinstance(value, Mapping):
        cleaned = {}
        for key, item in value.items():
            if not isinstance(key, str) or len(key) > MAX_EXTRA_STRING:
                raise InvalidAuditEvent("extra keys must be short strings.")
            cleaned[key] = _clean_json(item, depth=depth + 1)
        return cleaned
    if isinstance(value, list | tuple):
        return [_clean_json(item, depth=depth + 1) for item in value]
    # Floats are refused too: jsonb may print them differently from Python, which would
    # break the hash, and amounts are values the log must not hold.
    raise InvalidAuditEvent(
        f"extra may hold strings, integers, booleans, null, lists and mappings, "
        f"not {type(value).__name__}."
    )


def _actor_identity(actor) -> tuple[int | None, str]:
    if actor is None:
        return None, SYSTEM_ACTOR
    if not getattr(actor, "is_authenticated", False):
        return None, ANONYMOUS_ACTOR
    return actor.pk, actor.get_username()[:150]


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def audit_record(
    *,
    actor,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    fields: Iterable[str] = (),
    purpose: str = "",
    extra: Mapping | None = None,
) -> AuditEvent:
    """Append one event to the audit chain, in the caller's transaction, and return it.

    `actor` is the user who acted; None for the system (Celery, commands), an anonymous user
    for someone not signed in. `action` is `<noun>.<verb>` (see `AuditAction`); `object_type`
    an `app_label.model` label, required when `object_id` is given; `fields` the names of the
    fields concerned; `purpose` why the actor did it, as they stated it; `extra` ids, counts
    and short codes only. Address, user agent and request id come from the request context.

    The chain lock is held until the caller's transaction ends, so every other audited write
    waits for it: keep audited transactions short and record the event as their last write.
    The event disappears with the caller's transaction if that rolls back.

    Raise InvalidAuditEvent if a name is malformed or `extra` holds something other than
    short strings, integers, booleans, null, lists and mappings. Under REPEATABLE READ or
    SERIALIZABLE the caller's snapshot may predate the lock; the unique sequence then raises
    IntegrityError instead of letting the chain fork.
    """
    action = _validate_action(action)
    object_type = _validate_object_type(object_type, required=object_id not in ("", None))
    stored_object_id = "" if object_id in ("", None) else str(_normalise_object_id(object_id))
    names = _validate_fields(fields)
    if not isinstance(purpose, str) or len(purpose) > MAX_PURPOSE_LENGTH:
        raise InvalidAuditEvent(f"purpose must be text of at most {MAX_PURPOSE_LENGTH} characters.")
    cleaned_extra = _validate_extra(extra)
    actor_id, actor_username = _actor_identity(actor)
    context = _request_context.get()

    database = router.db_for_write(AuditEvent)
    with transaction.atomic(using=database):
        with connections[database].cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
        # Read after the lock: the previous holder has committed, so this is the true head.
        head = (
            AuditEvent.objects.using(database)
            .order_by("-sequence")
            .values_list("sequence", "hash")
            .first()
        )
        sequence, previous_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
        event = AuditEvent(
            sequence=sequence,
            occurred_at=timezone.now(),
            actor_id=actor_id,
            actor_username=actor_username,
            ip_address=context.ip_address if context else None,
            user_agent=context.user_agent if context else "",
            action=action,
            object_type=object_type,
            object_id=stored_object_id,
            fields=names,
            purpose=_printable(purpose.strip()),
            request_id=(context.request_id if context else "") or current_request_id(),
            extra=cleaned_extra,
            previous_hash=previous_hash,
        )
        event.hash = event_hash({name: getattr(event, name) for name in HASHED_FIELDS})
        event.save(using=database)
    return event


def note_pii_revealed(
    *, object_type: str, object_id: str | int, fields: Iterable[str], actor=None
) -> AuditEvent | None:
    """Note that `fields` of one record were shown in clear.

    Inside a request the note is kept until the response is ready; the middleware then writes
    one `pii.revealed` event for the whole request (see `audit_pii_reveals_record`) and
    returns None here. Outside a request (Celery, management commands) the event is written at
    once with `actor` (None: the system) and returned.

    Raise InvalidAuditEvent if a name or the id is malformed.
    """
    object_type = _validate_object_type(object_type, required=True)
    normalised_id = _normalise_object_id(object_id)
    names = _validate_fields(fields)
    context = _request_context.get()
    if context is None:
        return audit_record(
            actor=actor,
            action=AuditAction.PII_REVEALED,
            fields=names,
            extra=_revealed_extra({object_type: {normalised_id}}),
        )
    context.revealed_objects.setdefault(object_type, set()).add(normalised_id)
    context.revealed_fields.update(names)
    return None


def pii_reveals_noted() -> tuple[dict[str, list[int | str]], list[str]]:
    """What the current request has noted as shown in clear so far, not yet written.

    Return ({object_type: every id noted}, field names), both sorted. Outside a request
    nothing is kept (notes are written at once): return ({}, []).
    """
    context = _request_context.get()
    if context is None:
        return {}, []
    objects = {
        object_type: sorted(ids, key=lambda value: (isinstance(value, str), value))
        for object_type, ids in sorted(context.revealed_objects.items())
    }
    return objects, sorted(context.revealed_fields)


def audit_pii_reveals_record(*, actor, context: AuditRequestContext) -> AuditEvent | None:
    """Write the one `pii.revealed` event for what a request noted; None if it noted nothing.

    The event lists, per object type, the ids revealed in ascending order, at most
    `MAX_REVEALED_IDS` of them (`extra["objects"]`), with the full number in
    `extra["counts"]`, and the union of the field names in `fields`.
    """
    if not context.has_reveals:
        return None
    return audit_record(
        actor=actor,
        action=AuditAction.PII_REVEALED,
        fields=context.revealed_fields,
        extra=_revealed_extra(context.revealed_objects),
    )


def _revealed_extra(objects: Mapping[str, set[int | str]]) -> dict:
    listed: dict[str, list[int | str]] = {}
    counts: dict[str, int] = {}
    for object_type in sorted(objects):
        # Integers in numeric order first, then any string ids in text order.
        ids = sorted(objects[object_type], key=lambda value: (isinstance(value, str), value))
        listed[object_type] = ids[:MAX_REVEALED_IDS]
        counts[object_type] = len(ids)
    return {"objects": listed, "counts": counts}


# ---------------------------------------------------------------------------------------------
# Head and verification
# ---------------------------------------------------------------------------------------------


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


__all__ = [
    "ACTION_PATTERN",
    "CHAIN_LOCK_KEY",
    "GENESIS_HASH",
    "HASHED_FIELDS",
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
