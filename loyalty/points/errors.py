"""The ledger's domain errors (the API maps them: InsufficientPoints 400 on `points`,
IdempotencyConflict 422)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class InsufficientPoints(ValidationError):
    """The customer has fewer unexpired points than the debit asks for."""

    def __init__(self, *, available: int, requested: int):
        self.available, self.requested = available, requested
        super().__init__({"points": _("Not enough points: %(available)s available, %(requested)s needed.")
                          % {"available": available, "requested": requested}})


class IdempotencyConflict(Exception):
    """The caller's key was already used for a different request."""

    def __init__(self, *, source: str, key: str):
        self.source, self.key = source, key
        super().__init__(str(_("This key was already used for a different request. Use a new key.")))
