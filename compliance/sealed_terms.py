"""Search terms that are personal data, kept out of URLs.

A phone number, e-mail or ID number a user searches for must not travel in a URL (it would
land in browser history, proxies and access logs). The page that receives the search posts it,
seals the term in the user's session under a random token, and redirects to the results with
only the token in the URL. The token means nothing outside that session and expires with it.
"""

from __future__ import annotations

import secrets

from compliance.crypto import DecryptionError, decrypt, encrypt

__all__ = ["SealedTerms"]


class SealedTerms:
    """Terms sealed (AES-GCM, under `context`) in the session under `session_key`, the
    `kept` most recent ones only."""

    def __init__(self, *, session_key: str, context: str, kept: int = 10):
        self.session_key = session_key
        self.context = context
        self.kept = kept

    def store(self, session, term: str) -> str:
        """Keep `term` sealed in `session` and return the token that finds it again."""
        token = secrets.token_urlsafe(12)
        stored = dict(session.get(self.session_key, {}))
        stored[token] = encrypt(term, context=self.context)
        session[self.session_key] = dict(list(stored.items())[-self.kept:])
        return token

    def read(self, session, token: str) -> str | None:
        """The term stored under `token`, or None if it is unknown, expired or does not open."""
        sealed = session.get(self.session_key, {}).get(token) if token else None
        if not sealed:
            return None
        try:
            return decrypt(sealed, context=self.context)
        except (DecryptionError, ValueError):
            return None
