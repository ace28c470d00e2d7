"""Appending to the chain: `audit_record`, and the reveals a request notes before it answers."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from django.db import connections, router
from django.utils import timezone

from compliance.audit.canonical import canonical_event_parts
from compliance.audit.context import AuditRequestContext, printable, request_context
from compliance.audit.validation import (
    MAX_PURPOSE_LENGTH,
    MAX_REVEALED_IDS,
    InvalidAuditEvent,
    actor_identity,
    normalise_object_id,
    validate_action,
    validate_extra,
    validate_fields,
    validate_object_type,
)
from compliance.models import GENESIS_HASH, AuditAction, AuditEvent
from crm.middleware import current_request_id

# Key of the PostgreSQL advisory lock that serialises appends ("AUDIT" in ASCII). The
# database function `compliance_audit_append` (migration 0003) takes it inside the caller's
# transaction, which holds it until commit or rollback.
CHAIN_LOCK_KEY = 0x4155444954

# Lock, read the head, hash, insert: one round trip, whatever the caller's transaction.
_APPEND_SQL = (
    "SELECT new_sequence, new_previous_hash, new_hash FROM compliance_audit_append("
    "%s, %s, %s, %s, %s, %s::timestamptz, %s::bigint, %s, %s::inet, %s, %s, %s, %s, %s::text[],"
    " %s, %s, %s::jsonb)"
)


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

    One statement: the database function takes the chain lock, reads the head after it (so
    the previous holder has committed and the head is true), hashes the canonical text this
    side prepared around the head's values, and inserts. Outside a transaction the statement
    is its own; inside one the lock is held until the caller's transaction ends, so every
    other audited write waits for it: keep audited transactions short and record the event as
    their last write. The event disappears with the caller's transaction if that rolls back.

    Raise InvalidAuditEvent if a name is malformed or `extra` holds something other than
    short strings, integers, booleans, null, lists and mappings. Under REPEATABLE READ or
    SERIALIZABLE the caller's snapshot may predate the lock; the unique sequence then raises
    IntegrityError instead of letting the chain fork.
    """
    action = validate_action(action)
    object_type = validate_object_type(object_type, required=object_id not in ("", None))
    stored_object_id = "" if object_id in ("", None) else str(normalise_object_id(object_id))
    names = validate_fields(fields)
    if not isinstance(purpose, str) or len(purpose) > MAX_PURPOSE_LENGTH:
        raise InvalidAuditEvent(f"purpose must be text of at most {MAX_PURPOSE_LENGTH} characters.")
    cleaned_extra = validate_extra(extra)
    actor_id, actor_username = actor_identity(actor)
    context = request_context.get()

    event = AuditEvent(
        occurred_at=timezone.now(),
        actor_id=actor_id,
        actor_username=actor_username,
        ip_address=context.ip_address if context else None,
        user_agent=context.user_agent if context else "",
        action=action,
        object_type=object_type,
        object_id=stored_object_id,
        fields=names,
        purpose=printable(purpose.strip()),
        request_id=(context.request_id if context else "") or current_request_id(),
        extra=cleaned_extra,
    )
    before, between, after = canonical_event_parts(
        {name: getattr(event, name) for name in _CONTENT_FIELDS}
    )
    database = router.db_for_write(AuditEvent)
    with connections[database].cursor() as cursor:
        cursor.execute(
            _APPEND_SQL,
            [
                CHAIN_LOCK_KEY, GENESIS_HASH, before, between, after,
                event.occurred_at, event.actor_id, event.actor_username, event.ip_address,
                event.user_agent, event.action, event.object_type, event.object_id,
                event.fields, event.purpose, event.request_id,
                json.dumps(event.extra, separators=(",", ":")),
            ],
        )
        event.sequence, event.previous_hash, event.hash = cursor.fetchone()
    # The row exists now: the instance is a loaded one, which AuditEvent.save() refuses.
    event._state.adding = False
    event._state.db = database
    return event


_CONTENT_FIELDS = (
    "occurred_at", "actor_id", "actor_username", "ip_address", "user_agent", "action",
    "object_type", "object_id", "fields", "purpose", "request_id", "extra",
)


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
    object_type = validate_object_type(object_type, required=True)
    normalised_id = normalise_object_id(object_id)
    names = validate_fields(fields)
    context = request_context.get()
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
    context = request_context.get()
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
