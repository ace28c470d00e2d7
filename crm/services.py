"""Writes for organisation data: API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from crm.models import ApiToken

TOKEN_BYTES = 32


def token_digest(raw_token: str) -> str:
    """SHA-256 hex digest of a raw token: the only form of it the database holds."""
    return hashlib.sha256(raw_token.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, user, name: str = "", ttl_days: int | None = None) -> tuple[ApiToken, str]:
    """Issue a new API token for `user`; return the stored row and the raw token.

    The raw token is shown once and cannot be recovered: only its digest is stored.
    """
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    days = settings.API_TOKEN_TTL_DAYS if ttl_days is None else ttl_days
    token = ApiToken(
        user=user,
        name=name,
        prefix=raw[:8],
        digest=token_digest(raw),
        expires_at=timezone.now() + timedelta(days=days),
    )
    token.full_clean()
    token.save()
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke `token` at once; later requests carrying it are refused."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
