"""Values that cannot be decrypted: shown as unreadable, logged, and kept for operations.

A corrupt or swapped token (see `compliance.crypto.DecryptionError`) must cost one field of
one row, never a page, a list or an export. The surfaces read sensitive values through
`compliance.access.RecordView`, which catches the error, shows `UNREADABLE_TEXT` in that
field's place and calls `report_unreadable`, which

* logs at ERROR on the logger `compliance.decryption` (LOGGER_NAME) with the column
  (`app_label.model_name.field_name`), the row's primary key and the reason, never the
  value or the token: alert on any record of that logger;
* counts the sighting in `compliance.models.UnreadableValue` (one row per column and row),
  which `/health/` reports as `alerts.unreadable_values` (open ones) and the admin lists.

Recording is best effort: a failure to write the row is logged and never breaks the page.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.crypto import DecryptionError

LOGGER_NAME = "compliance.decryption"
logger = logging.getLogger(LOGGER_NAME)

# What every surface shows in place of a value that cannot be decrypted.
UNREADABLE_TEXT = _("(unreadable)")
# The field error a write gets while a stored value it would keep cannot be read.
UNREADABLE_ERROR = _("The stored value cannot be read (damaged in the database): enter it again.")


def report_unreadable(error: DecryptionError) -> None:
    """Log `error` at ERROR on LOGGER_NAME and count it in UnreadableValue.

    Never raises: a value that cannot be read must not take down what shows it.
    """
    row_id = "" if error.row_id is None else str(error.row_id)
    logger.error(
        "Unreadable encrypted value: %s row %s (%s)", error.context, row_id or "?", error.reason.name,
        extra={"context": error.context, "row_id": row_id, "reason": error.reason.name},
    )
    _record(context=error.context, row_id=row_id, reason=error.reason.name)


def _record(*, context: str, row_id: str, reason: str) -> None:
    from compliance.models import UnreadableValue

    table = connection.ops.quote_name(UnreadableValue._meta.db_table)
    now = timezone.now()
    try:
        # A savepoint inside a caller's transaction: a failed write must not poison it.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (context, row_id, reason, first_seen_at, last_seen_at, "  # noqa: S608
                "occurrences, resolved_at) VALUES (%s, %s, %s, %s, %s, 1, NULL) "
                "ON CONFLICT (context, row_id) DO UPDATE SET reason = EXCLUDED.reason, "
                f"last_seen_at = EXCLUDED.last_seen_at, occurrences = {table}.occurrences + 1, "
                "resolved_at = NULL",
                [context[:200], row_id[:64], reason[:32], now, now],
            )
    except DatabaseError:
        logger.exception("Could not record the unreadable value %s row %s", context, row_id or "?")


def unreadable_fields(instance: models.Model) -> list[str]:
    """The encrypted fields of `instance` whose stored value cannot be decrypted, each
    reported as `report_unreadable` does.

    For writes: a service asks before validating a record, so a value that cannot be read
    is a field error ("enter it again") rather than a crash, and the record can be repaired
    by entering the value anew. Decrypts what `full_clean()` would decrypt anyway.
    """
    from compliance.fields import Ciphertext, EncryptedField, stored_value

    names = []
    for field in instance._meta.concrete_fields:
        if not isinstance(field, EncryptedField):
            continue
        stored = stored_value(instance, field)
        if not isinstance(stored, Ciphertext) or stored.is_revealed:
            continue
        try:
            field.reveal(stored, row=instance)
        except DecryptionError as error:
            report_unreadable(error)
            names.append(field.name)
    return names


def open_unreadable_count() -> int:
    """How many recorded unreadable values are not marked resolved."""
    from compliance.models import UnreadableValue

    return UnreadableValue.objects.filter(resolved_at__isnull=True).count()
