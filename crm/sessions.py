"""The session engine: Django's database sessions, refreshed in one statement.

Sessions end after SESSION_IDLE_MINUTES without a request, so every request writes the
session's new expiry (SESSION_SAVE_EVERY_REQUEST). Django's database engine does that write
as a transaction around a forced update (BEGIN, UPDATE, COMMIT: three round trips on every
page); a single UPDATE is atomic by itself and needs none. Creating a session, where a key
collision must be detected, stays Django's.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import router


class SessionStore(db.SessionStore):
    """Database sessions whose refresh is one UPDATE statement."""

    def save(self, must_create: bool = False) -> None:
        """Write the session; raise UpdateError if it no longer exists (it expired or was
        deleted meanwhile), as Django's engine does."""
        if must_create or self.session_key is None:
            return super().save(must_create=must_create)
        data = self._get_session()
        using = router.db_for_write(self.model)
        updated = self.model.objects.using(using).filter(session_key=self.session_key).update(
            session_data=self.encode(data), expire_date=self.get_expiry_date()
        )
        if not updated:
            raise UpdateError
        return None
