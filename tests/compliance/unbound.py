"""Tokens in the format written before values were bound to their row (``v1``: bound to the
column only), for tests of data that predates the binding."""

from __future__ import annotations

import base64
import os

from django.db import connection

from compliance.crypto import NONCE_BYTES, UNBOUND_VERSION, get_keyring


def unbound_token(plaintext: str, *, context: str) -> str:
    """A ``v1`` token of ``plaintext`` for column ``context`` under the current key."""
    ring = get_keyring()
    key_id = ring.current_key_id
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring.cipher(key_id).encrypt(
        nonce, plaintext.encode(), f"{UNBOUND_VERSION}:{key_id}:{context}".encode()
    )
    body = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()
    return f"{UNBOUND_VERSION}:{key_id}:{body}"


def store_unbound(model, pk, field_name: str, plaintext: str) -> str:
    """Overwrite ``model``'s ``field_name`` of row ``pk`` with an unbound token; return it."""
    field = model._meta.get_field(field_name)
    token = unbound_token(plaintext, context=field.encryption_context)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {quote(field.column)} = %s "  # noqa: S608
            f"WHERE {quote(model._meta.pk.column)} = %s",
            [token, pk],
        )
    return token
