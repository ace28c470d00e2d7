"""The bytes an event's hash covers, and the hash itself.

The writer does not know an event's `sequence` and `previous_hash` until the database has
taken the chain lock, so `canonical_event_parts` hands the database the canonical JSON in
three pieces around those two values; joined with them, the pieces are exactly
`canonical_event_bytes`, which the verifier recomputes from the stored row.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

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

# The two values only the database knows at write time.
CHAIN_FIELDS = ("previous_hash", "sequence")

_JSON = {"sort_keys": True, "separators": (",", ":"), "allow_nan": False}


def _canonical_payload(values: Mapping[str, Any], names) -> dict[str, Any]:
    payload = {name: values[name] for name in names}
    if "occurred_at" in payload:
        occurred_at: datetime = payload["occurred_at"]
        payload["occurred_at"] = occurred_at.astimezone(UTC).isoformat(timespec="microseconds")
    if payload.get("ip_address"):
        payload["ip_address"] = ipaddress.ip_address(str(payload["ip_address"])).exploded
    if "fields" in payload:
        payload["fields"] = list(payload["fields"])
    return payload


def canonical_event_bytes(values: Mapping[str, Any]) -> bytes:
    """The bytes an event's hash covers: every field in `HASHED_FIELDS`, canonically encoded.

    JSON with sorted keys, no spaces, ASCII escapes; `occurred_at` as ISO-8601 in UTC with
    microseconds (`2025-01-31T08:15:00.123456+00:00`); `ip_address` in exploded form so that
    the textual form PostgreSQL's `inet` returns does not matter. `extra` holds only strings,
    integers, booleans, null, lists and objects, which survive `jsonb` unchanged.
    """
    return json.dumps(_canonical_payload(values, HASHED_FIELDS), **_JSON).encode()


def canonical_event_parts(values: Mapping[str, Any]) -> tuple[str, str, str]:
    """`canonical_event_bytes` without the chain's two values, as (before, between, after).

    `before + previous_hash + between + str(sequence) + after` is the canonical text of the
    event once the database has chosen them (`previous_hash` is sixty-four hex digits, which
    JSON writes as they are). Everything is ASCII, so text and bytes agree.
    """
    payload = _canonical_payload(values, [n for n in HASHED_FIELDS if n not in CHAIN_FIELDS])
    parts: list[str] = []
    current = "{"
    for position, name in enumerate(sorted(HASHED_FIELDS)):
        current += ("," if position else "") + json.dumps(name) + ":"
        if name == "previous_hash":
            parts.append(current + '"')
            current = '"'
        elif name == "sequence":
            parts.append(current)
            current = ""
        else:
            current += json.dumps(payload[name], **_JSON)
    parts.append(current + "}")
    before, between, after = parts
    return before, between, after


def event_hash(values: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of `canonical_event_bytes(values)`."""
    return hashlib.sha256(canonical_event_bytes(values)).hexdigest()
