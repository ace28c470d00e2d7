"""Signed, single-use, expiring survey links.

A link is /s/<token>/, where the token is a random secret signed with the project's key
(django.core.signing, its own salt). The database keeps only the SHA-256 of the secret, on the
invitation; the link carries no personal data and no id. A token whose signature does not
verify is tampered with; one that verifies but matches no invitation is unknown; the
invitation says whether it has expired or was already answered.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core import signing

SALT = "loyalty.surveys.link"


def new_token() -> tuple[str, str]:
    """A fresh (token for the link, hash to store)."""
    secret = secrets.token_urlsafe(18)
    return signing.Signer(salt=SALT).sign(secret), token_hash(secret)


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def verified_hash(token: str) -> str | None:
    """The stored hash `token` stands for, or None if its signature does not verify."""
    try:
        secret = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    return token_hash(secret)
