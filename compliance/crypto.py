"""Field encryption and blind indexes: the key ring, AES-256-GCM tokens and HMAC lookups.

Keys come from two settings, read lazily (never at import time) and cached until Django's
``setting_changed`` signal says they changed:

``FIELD_ENCRYPTION_KEYS``
    A list of ``"<key_id>:<base64 of 32 random bytes>"``. The first key encrypts; every key
    decrypts, so a new key is rotated in by putting it first and the old ones are dropped only
    after the re-encryption command has moved every value off them.
``BLIND_INDEX_KEY``
    Base64 of at least 32 random bytes, used only for HMAC blind indexes. It is deliberately
    not part of the rotation ring: changing it invalidates every stored index.

A token is ASCII text, ``"v2:<key_id>:<base64url(nonce || ciphertext || tag)>"``, so SQL can
count the values still under a key with ``LIKE 'v2:<key_id>:%'`` (see :func:`token_prefix`).
The associated data binds the format version, the key id, the column's context
(``"app_label.model_name.field_name"``) and the identity of the row (its record key, see
``compliance.fields.RecordKeyField``), so a token copied into another column or onto another
row, or with its key id edited, fails authentication instead of decrypting.

Tokens written before rows were bound (``"v1:..."``: column-bound only) still decrypt, so
existing data stays readable; ``manage.py rotate_encryption_keys`` re-encrypts them into the
current format. Once it reports none left, ``FIELD_ENCRYPTION_ACCEPT_UNBOUND = False``
refuses them, so an old token copied onto another row no longer decrypts either.

No message raised here contains a plaintext, a token or key material.
"""

from __future__ import annotations

import base64
import binascii
import enum
import functools
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from compliance.normalise import normalise

__all__ = [
    "FORMAT_VERSION",
    "KEY_ID_PATTERN",
    "TOKEN_PREFIX_FORMAT",
    "UNBOUND_VERSION",
    "DecryptionError",
    "DecryptionFailure",
    "KeyRing",
    "blind_index",
    "current_key_id",
    "decrypt",
    "encrypt",
    "generate_key",
    "get_keyring",
    "key_id_of",
    "plaintext_length",
    "reencrypt",
    "token_prefix",
    "token_version",
]

FORMAT_VERSION = "v2"
# Written before tokens were bound to their row: decrypted with the column context only.
UNBOUND_VERSION = "v1"
VERSIONS = (FORMAT_VERSION, UNBOUND_VERSION)
TOKEN_PREFIX_FORMAT = FORMAT_VERSION + ":{key_id}:"
KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,16}")

KEY_BYTES = 32
BLIND_INDEX_MIN_KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16

_BASE64URL_BODY = re.compile(r"[A-Za-z0-9_-]+")


class DecryptionFailure(enum.StrEnum):
    """Why a token could not be decrypted; the value is the phrase used in messages."""

    UNKNOWN_KEY = "unknown key id"
    MALFORMED = "malformed token"
    AUTHENTICATION = "authentication failed (tampered value, or a value from another column)"
    INVALID_PLAINTEXT = "decrypted value is not valid for the field"
    UNBOUND_REFUSED = "token is not bound to its row and FIELD_ENCRYPTION_ACCEPT_UNBOUND is off"


class DecryptionError(Exception):
    """A stored token could not be turned back into its plaintext.

    The message names the context (``app_label.model_name.field_name``), the row id when
    known, and the cause; it never contains the plaintext or the token.
    """

    def __init__(
        self,
        *,
        context: str,
        reason: DecryptionFailure,
        row_id: object | None = None,
        key_id: str | None = None,
    ) -> None:
        self.context = context
        self.reason = reason
        self.row_id = row_id
        self.key_id = key_id
        where = context if row_id is None else f"{context} (row {row_id})"
        detail = str(reason)
        if reason is DecryptionFailure.UNKNOWN_KEY and key_id is not None:
            detail = f"{detail} {key_id!r}: it is not in FIELD_ENCRYPTION_KEYS"
        super().__init__(f"Cannot decrypt {where}: {detail}.")

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only __init__: rebuild through a helper so the error survives pickling
        # (Celery results, multiprocessing).
        return (
            _rebuild_decryption_error,
            (self.context, self.reason, self.row_id, self.key_id),
        )


def _rebuild_decryption_error(
    context: str, reason: DecryptionFailure, row_id: object | None, key_id: str | None
) -> DecryptionError:
    return DecryptionError(context=context, reason=reason, row_id=row_id, key_id=key_id)


@dataclass(frozen=True)
class KeyRing:
    """The parsed ``FIELD_ENCRYPTION_KEYS``: key ids in setting order, first one current.

    Build it with :meth:`from_setting`; the key material never appears in ``repr``.
    """

    key_ids: tuple[str, ...]
    ciphers: Mapping[str, AESGCM] = field(repr=False, compare=False)

    @property
    def current_key_id(self) -> str:
        """The id of the key that encrypts new values."""
        return self.key_ids[0]

    def cipher(self, key_id: str) -> AESGCM:
        """Return the AES-GCM cipher for ``key_id``; raise ``KeyError`` if it is not in the ring."""
        return self.ciphers[key_id]

    def __contains__(self, key_id: object) -> bool:
        return key_id in self.ciphers

    @classmethod
    def from_setting(cls, value: object) -> KeyRing:
        """Parse and validate a ``FIELD_ENCRYPTION_KEYS`` value.

        Raise ``ImproperlyConfigured`` naming the setting, and the key id where there is one,
        if the value is not a non-empty list of ``"<key_id>:<base64>"`` strings with valid,
        unique ids and keys of exactly 32 bytes.
        """
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS must be a list of '<key_id>:<base64 key>' strings."
            )
        if not value:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must contain at least one key.")
        ciphers: dict[str, AESGCM] = {}
        for position, entry in enumerate(value, start=1):
            # An entry without a usable id is named by position: whatever stands where the id
            # should be might be key material.
            if not isinstance(entry, str) or ":" not in entry:
                raise ImproperlyConfigured(
                    f"FIELD_ENCRYPTION_KEYS entry {position} is not of the form '<key_id>:<base64 key>'."
                )
            key_id, encoded = entry.split(":", 1)
            key_id = key_id.strip()
            if not KEY_ID_PATTERN.fullmatch(key_id):
                raise ImproperlyConfigured(
                    f"FIELD_ENCRYPTION_KEYS entry {position} has an invalid key id: "
                    "it must match [A-Za-z0-9_-]{1,16}."
                )
            if key_id in ciphers:
                raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS lists key id {key_id!r} more than once.")
            key = _decode_base64(encoded.strip())
            if key is None:
                raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS key {key_id!r} is not valid base64.")
            if len(key) != KEY_BYTES:
                raise ImproperlyConfigured(
                    f"FIELD_ENCRYPTION_KEYS key {key_id!r} is {len(key)} bytes long; "
                    f"it must be exactly {KEY_BYTES}."
                )
            ciphers[key_id] = AESGCM(key)
        return cls(key_ids=tuple(ciphers), ciphers=MappingProxyType(ciphers))


def _decode_base64(text: str) -> bytes | None:
    """Decode standard or URL-safe base64, padded or not; return None if it is not base64."""
    if not text:
        return None
    standard = text.replace("-", "+").replace("_", "/")
    standard += "=" * (-len(standard) % 4)
    try:
        return base64.b64decode(standard, validate=True)
    except (binascii.Error, ValueError):
        return None


@functools.cache
def get_keyring() -> KeyRing:
    """Return the key ring parsed from ``settings.FIELD_ENCRYPTION_KEYS`` (cached).

    Raise ``ImproperlyConfigured`` if the setting is missing or invalid.
    """
    try:
        value = settings.FIELD_ENCRYPTION_KEYS
    except AttributeError:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is not set.") from None
    return KeyRing.from_setting(value)


@functools.cache
def _blind_index_key() -> bytes:
    """Return the decoded ``settings.BLIND_INDEX_KEY`` (cached).

    Raise ``ImproperlyConfigured`` if it is missing, not base64, shorter than 32 bytes, or
    equal to one of the encryption keys (one leaked key must not expose both layers).
    """
    value = getattr(settings, "BLIND_INDEX_KEY", None)
    if not value:
        raise ImproperlyConfigured("BLIND_INDEX_KEY is not set.")
    if not isinstance(value, str):
        raise ImproperlyConfigured("BLIND_INDEX_KEY must be a base64 string.")
    key = _decode_base64(value.strip())
    if key is None:
        raise ImproperlyConfigured("BLIND_INDEX_KEY is not valid base64.")
    if len(key) < BLIND_INDEX_MIN_KEY_BYTES:
        raise ImproperlyConfigured(
            f"BLIND_INDEX_KEY is {len(key)} bytes long; it must be at least {BLIND_INDEX_MIN_KEY_BYTES}."
        )
    for entry in getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or ():
        if isinstance(entry, str) and ":" in entry:
            key_id, encoded = entry.split(":", 1)
            if _decode_base64(encoded.strip()) == key:
                raise ImproperlyConfigured(
                    f"BLIND_INDEX_KEY must differ from FIELD_ENCRYPTION_KEYS key {key_id.strip()!r}."
                )
    return key


@receiver(setting_changed)
def _reset_key_caches(*, setting: str, **kwargs: object) -> None:
    """Drop the cached keys when a test (or ``override_settings``) changes them."""
    if setting == "FIELD_ENCRYPTION_KEYS":
        get_keyring.cache_clear()
        # The blind index key is checked against the encryption keys.
        _blind_index_key.cache_clear()
    elif setting == "BLIND_INDEX_KEY":
        _blind_index_key.cache_clear()


def current_key_id() -> str:
    """Return the id of the key that encrypts new values (the first configured key)."""
    return get_keyring().current_key_id


def generate_key() -> str:
    """Return standard base64 of 32 fresh random bytes, usable as a key in either setting."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def token_prefix(key_id: str) -> str:
    """Return the text every token under ``key_id`` starts with, e.g. ``"v1:k1:"``.

    Raise ``ValueError`` if ``key_id`` is not a valid key id. In a SQL ``LIKE`` pattern,
    escape ``_`` (valid in key ids) or use Django's ``startswith``, which does.
    """
    if not KEY_ID_PATTERN.fullmatch(key_id):
        raise ValueError("Not a valid key id: it must match [A-Za-z0-9_-]{1,16}.")
    return TOKEN_PREFIX_FORMAT.format(key_id=key_id)


def _associated_data(version: str, key_id: str, context: str, identity: str) -> bytes:
    if version == UNBOUND_VERSION:
        # Key ids cannot contain ":", so this encoding is unambiguous with context last.
        return f"{UNBOUND_VERSION}:{key_id}:{context}".encode()
    # Contexts are dotted names and identities UUIDs (or ""): a NUL cannot occur in either.
    return f"{version}:{key_id}:{context}\x00{identity}".encode()


def _accepts_unbound() -> bool:
    return bool(getattr(settings, "FIELD_ENCRYPTION_ACCEPT_UNBOUND", True))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _split_token(token: object) -> tuple[str, str, bytes] | None:
    """Return ``(version, key_id, nonce || ciphertext || tag)`` or None if the token is malformed."""
    if not isinstance(token, str):
        return None
    parts = token.split(":")
    if len(parts) != 3:
        return None
    version, key_id, body = parts
    if version not in VERSIONS or not KEY_ID_PATTERN.fullmatch(key_id):
        return None
    if not _BASE64URL_BODY.fullmatch(body):
        return None
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        return None
    # Base64 leaves spare bits in the last character; a body that does not re-encode to
    # itself was altered, and is refused here rather than silently decoding to the same bytes.
    if _b64url(raw) != body or len(raw) < NONCE_BYTES + TAG_BYTES:
        return None
    return version, key_id, raw


def _row_id(row: object | None) -> object | None:
    # Use the primary key of a model instance: its str() might show personal data.
    return getattr(row, "pk", row)


def encrypt(plaintext: str, *, context: str, identity: str = "") -> str:
    """Encrypt ``plaintext`` under the current key for the column named by ``context`` and
    the row named by ``identity``.

    ``context`` is ``"app_label.model_name.field_name"`` and ``identity`` the row's record key
    ("" for a value that belongs to no row); the token only decrypts with the same context
    and identity. Raise ``TypeError`` if ``plaintext`` or ``identity`` is not a ``str`` and
    ``ImproperlyConfigured`` if the key ring is invalid.
    """
    if not isinstance(plaintext, str):
        raise TypeError(f"encrypt() takes a str, not {type(plaintext).__name__}.")
    if not isinstance(identity, str):
        raise TypeError(f"encrypt() takes a str identity, not {type(identity).__name__}.")
    ring = get_keyring()
    key_id = ring.current_key_id
    nonce = os.urandom(NONCE_BYTES)
    associated = _associated_data(FORMAT_VERSION, key_id, context, identity)
    sealed = ring.cipher(key_id).encrypt(nonce, plaintext.encode("utf-8"), associated)
    return token_prefix(key_id) + _b64url(nonce + sealed)


def decrypt(token: str, *, context: str, identity: str = "", row: object | None = None) -> str:
    """Return the plaintext of ``token``, which was encrypted for ``context`` and ``identity``.

    A token of the unbound format (``v1``) is checked against ``context`` only, unless
    ``FIELD_ENCRYPTION_ACCEPT_UNBOUND`` is off. ``row`` (a primary key, or a model instance
    whose ``pk`` is used) only improves the error message. Raise ``DecryptionError`` if the
    token is malformed, names a key that is not in the ring, is unbound and refused, or
    fails authentication (tampered, or copied from another column or row).
    """
    parts = _split_token(token)
    if parts is None:
        raise DecryptionError(context=context, reason=DecryptionFailure.MALFORMED, row_id=_row_id(row))
    version, key_id, raw = parts
    if version == UNBOUND_VERSION and not _accepts_unbound():
        raise DecryptionError(context=context, reason=DecryptionFailure.UNBOUND_REFUSED, row_id=_row_id(row))
    ring = get_keyring()
    if key_id not in ring:
        raise DecryptionError(
            context=context,
            reason=DecryptionFailure.UNKNOWN_KEY,
            row_id=_row_id(row),
            key_id=key_id,
        )
    try:
        data = ring.cipher(key_id).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], _associated_data(version, key_id, context, identity)
        )
    except InvalidTag:
        raise DecryptionError(
            context=context, reason=DecryptionFailure.AUTHENTICATION, row_id=_row_id(row)
        ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Authenticated bytes that are not UTF-8 were not written by encrypt().
        raise DecryptionError(
            context=context, reason=DecryptionFailure.INVALID_PLAINTEXT, row_id=_row_id(row)
        ) from None


def key_id_of(token: str) -> str:
    """Return the id of the key ``token`` was encrypted under.

    Raise ``ValueError`` (without quoting the token) if it is not a well-formed token.
    """
    parts = _split_token(token)
    if parts is None:
        raise ValueError("Not a well-formed encrypted token.")
    return parts[1]


def token_version(token: str) -> str:
    """Return the format of ``token``: FORMAT_VERSION (bound to its row) or UNBOUND_VERSION.

    Raise ``ValueError`` (without quoting the token) if it is not a well-formed token.
    """
    parts = _split_token(token)
    if parts is None:
        raise ValueError("Not a well-formed encrypted token.")
    return parts[0]


def plaintext_length(token: str) -> int:
    """Return the length in UTF-8 bytes of the plaintext sealed in ``token``, without a key.

    AES-GCM ciphertext is exactly as long as its plaintext, so the token tells this much to
    anyone who reads it; masks use it to tell an empty text from a value. Raise
    ``ValueError`` (without quoting the token) if it is not a well-formed token.
    """
    parts = _split_token(token)
    if parts is None:
        raise ValueError("Not a well-formed encrypted token.")
    return len(parts[2]) - NONCE_BYTES - TAG_BYTES


def reencrypt(token: str, *, context: str, identity: str = "", row: object | None = None) -> str:
    """Return ``token`` re-encrypted under the current key and format, bound to ``identity``,
    or unchanged if it already is in that format under that key.

    A token already current is returned as it is, without decrypting it. An unbound token
    (``v1``) is re-encrypted bound to ``identity`` even under the current key. Raise
    ``DecryptionError`` as :func:`decrypt` does for any other token.
    """
    parts = _split_token(token)
    if parts is None:
        raise DecryptionError(context=context, reason=DecryptionFailure.MALFORMED, row_id=_row_id(row))
    if parts[0] == FORMAT_VERSION and parts[1] == current_key_id():
        return token
    plaintext = decrypt(token, context=context, identity=identity, row=row)
    return encrypt(plaintext, context=context, identity=identity)


def blind_index(value: str | None, *, kind: str) -> str:
    """Return the blind index of ``value``: 64 hex chars of HMAC-SHA256, or "" if blank.

    The value is normalised for ``kind`` (see :func:`compliance.normalise.normalise`) so
    equivalent spellings index alike, and ``kind`` is part of the MAC input so a phone and
    an ID number with the same digits index differently. Raise ``ValueError`` (without the
    value in the message) if the kind is unknown or the value cannot be normalised, and
    ``ImproperlyConfigured`` if ``BLIND_INDEX_KEY`` is invalid.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"blind_index() takes a str, not {type(value).__name__}.")
    if not value.strip():
        return ""
    normalised = normalise(value, kind)
    message = kind.encode("utf-8") + b"\x00" + normalised.encode("utf-8")
    return hmac.new(_blind_index_key(), message, hashlib.sha256).hexdigest()
