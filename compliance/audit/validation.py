"""What an audit event may hold: names checked, ids normalised, payloads without values."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from compliance.audit.context import printable

SYSTEM_ACTOR = "system"
ANONYMOUS_ACTOR = "anonymous"

MAX_REVEALED_IDS = 1000
MAX_EXTRA_STRING = 100
MAX_EXTRA_DEPTH = 6
MAX_EXTRA_BYTES = 200_000
MAX_PURPOSE_LENGTH = 500

ACTION_PATTERN = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"
_ACTION_RE = re.compile(ACTION_PATTERN)
_OBJECT_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
OBJECT_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_FIELD_RE = re.compile(r"^[a-z_][a-z0-9_.]*$")
_CANONICAL_INT_RE = re.compile(r"^(0|[1-9][0-9]{0,18})$")


class InvalidAuditEvent(ValueError):
    """An event was refused before it was written: a malformed name or a payload with values."""


def validate_action(action: str) -> str:
    if not isinstance(action, str) or len(action) > 64 or not _ACTION_RE.match(action):
        raise InvalidAuditEvent(f"Action must look like '<noun>.<verb>' in lower case: {action!r}")
    return action


def validate_object_type(object_type: str, *, required: bool) -> str:
    if not isinstance(object_type, str):
        raise InvalidAuditEvent("object_type must be a string like 'customers.customer'.")
    if not object_type and not required:
        return ""
    if len(object_type) > 100 or not _OBJECT_TYPE_RE.match(object_type):
        raise InvalidAuditEvent(f"object_type must look like 'app_label.model': {object_type!r}")
    return object_type


def normalise_object_id(object_id: str | int) -> int | str:
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


def validate_fields(fields: Iterable[str]) -> list[str]:
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


def validate_extra(extra: Mapping | None) -> dict:
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
        return printable(value)
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


def actor_identity(actor) -> tuple[int | None, str]:
    if actor is None:
        return None, SYSTEM_ACTOR
    if not getattr(actor, "is_authenticated", False):
        return None, ANONYMOUS_ACTOR
    return actor.pk, actor.get_username()[:150]
