"""Key rotation: re-encrypt every encrypted column under the newest key, in batches.

How to rotate (see also `manage.py rotate_encryption_keys --help`):

1. Generate a key (`compliance.crypto.generate_key()`) and put it FIRST in
   `FIELD_ENCRYPTION_KEYS`, keeping the old keys after it. Deploy that to every web and
   worker process: from then on new values are written under the new key and every key
   still decrypts.
2. Run `manage.py rotate_encryption_keys`. It walks each encrypted column in primary-key
   order, a batch per transaction, re-encrypting only the values whose token is not on the
   current key in the current format (bound to its row; values written before rows were
   bound are re-encrypted even under the current key), while the portal keeps serving.
3. When it reports no value left on an old key, remove that key from the setting.

Safe against concurrent edits: each batch writes with compare-and-swap (the row is updated
only if the column still holds the token that was read), so a value someone changed in the
meantime is never overwritten; it is already under the current key, or the next run picks
it up. Resumable by nature: a run selects only rows still on an old key, so an interrupted
run is finished by running again. Values that cannot be decrypted (a key missing from the
ring, a tampered token) are skipped and reported by primary key, never by value.

Nothing here reads or logs a plaintext beyond the moment of re-encryption; the blind
indexes and mask hints are untouched (the indexes use their own key, and the plaintext,
which both are derived from, does not change).
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, models, transaction
from django.db.models import Q

from compliance.audit import audit_record
from compliance.crypto import FORMAT_VERSION, UNBOUND_VERSION, DecryptionError, current_key_id, reencrypt
from compliance.fields import EncryptedField, encrypted_fields, record_key_field
from compliance.unreadable import report_unreadable

__all__ = [
    "MALFORMED",
    "RotationResult",
    "TableProgress",
    "column_label",
    "old_key_counts",
    "rotate",
    "rotation_status",
]

# The key id reported for stored values that are not tokens of a known format.
MALFORMED = "?"
# Appended to the key id of values written before tokens were bound to their row: they are
# rotated (re-encrypted bound) even when under the current key.
UNBOUND_SUFFIX = " (unbound)"
# Primary keys kept per column for values that could not be re-encrypted.
MAX_FAILED_IDS = 100

Column = tuple[str, str]  # (model label, field name), e.g. ("customers.Customer", "phone")
Status = dict[Column, dict[str, int]]


def column_label(column: Column) -> str:
    """`customers.Customer.phone` for ("customers.Customer", "phone")."""
    return f"{column[0]}.{column[1]}"


def _quoted(model: type[models.Model], item: models.Field) -> tuple[str, str, str]:
    quote = connection.ops.quote_name
    return quote(model._meta.db_table), quote(item.column), quote(model._meta.pk.column)


def rotation_status() -> Status:
    """Count the stored values of every encrypted column by the key they are under.

    Return {(model label, field name): {key id: count}} for every column of
    `compliance.fields.encrypted_fields()` (an empty dict for a column without values),
    current key included. Counted in SQL from the token prefix (`v2:<key id>:`), one scan
    per column, without decrypting anything; a value written before tokens were bound to
    their row (`v1:<key id>:`) counts under "<key id> (unbound)" (UNBOUND_SUFFIX), and a
    value that is not a token under MALFORMED.
    """
    status: Status = {}
    for model, item in encrypted_fields():
        table, column, _pk = _quoted(model, item)
        sql = (
            f"SELECT CASE WHEN {column} LIKE %s THEN split_part({column}, ':', 2) "  # noqa: S608
            f"WHEN {column} LIKE %s THEN split_part({column}, ':', 2) || %s "
            f"ELSE %s END AS key_id, count(*) FROM {table} WHERE {column} IS NOT NULL GROUP BY 1"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [f"{FORMAT_VERSION}:%", f"{UNBOUND_VERSION}:%", UNBOUND_SUFFIX, MALFORMED])
            status[(model._meta.label, item.name)] = {key_id: count for key_id, count in cursor.fetchall()}
    return status


def old_key_counts(status: Status, *, current: str | None = None) -> Status:
    """`status` without the current key's counts: what is left to rotate, per column."""
    current = current or current_key_id()
    return {
        column: {key_id: count for key_id, count in counts.items() if key_id != current}
        for column, counts in status.items()
    }


@dataclass(frozen=True)
class TableProgress:
    """Reported after every batch: one model's encrypted columns and its totals so far."""

    model: str  # label, e.g. "customers.Customer"
    fields: tuple[str, ...]
    pending: int  # values not on the current key when the run started
    rotated: int
    skipped: int  # changed by someone else between read and write, left as they are
    failed: int  # could not be decrypted

    @property
    def label(self) -> str:
        return f"{self.model} ({', '.join(self.fields)})"

    @property
    def done(self) -> int:
        return self.rotated + self.skipped + self.failed


@dataclass
class RotationResult:
    """What a run did. `remaining` counts, per column, the values still on an old key after
    the run (including any written concurrently under an old key)."""

    key_id: str
    rotated: dict[Column, int] = field(default_factory=dict)
    skipped: dict[Column, int] = field(default_factory=dict)
    failed_ids: dict[Column, list] = field(default_factory=dict)  # primary keys, never values
    failed: dict[Column, int] = field(default_factory=dict)
    remaining: Status = field(default_factory=dict)
    completed: bool = False

    @property
    def total_rotated(self) -> int:
        return sum(self.rotated.values())

    @property
    def total_skipped(self) -> int:
        return sum(self.skipped.values())

    @property
    def total_failed(self) -> int:
        return sum(self.failed.values())

    @property
    def total_remaining(self) -> int:
        return sum(sum(counts.values()) for counts in self.remaining.values())

    def remaining_by_key(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for counts in self.remaining.values():
            for key_id, count in counts.items():
                totals[key_id] += count
        return dict(totals)


def _old_rows(model: type[models.Model], items: list[EncryptedField], *, current: str, after,
              limit: int) -> list[tuple]:
    """(pk, record key, Ciphertext or None per field) of the next `limit` rows after `after`
    with at least one value not on `current` in the current format."""
    condition = Q()
    for item in items:
        condition |= Q(**{f"{item.name}__isnull": False}) & ~Q(**{f"{item.name}__key_id": current})
    queryset = model._base_manager.filter(condition).order_by("pk")
    if after is not None:
        queryset = queryset.filter(pk__gt=after)
    key_field = record_key_field(model)
    key = key_field.attname if key_field is not None else "pk"
    return list(queryset.values_list("pk", key, *(item.name for item in items))[:limit])


def _swap(model: type[models.Model], items: list[EncryptedField], pks: list,
          tokens: list[tuple[list, list]]) -> list[tuple]:
    """Write the new tokens where each column still holds the token that was read.

    `tokens` has, per field, (old tokens, new tokens) aligned with `pks`; old = new for a
    value that stays. One statement per batch, the set-based form of
    `filter(pk=pk, field=Ciphertext(old)).update(field=Ciphertext(new))` done column by
    column: under READ COMMITTED a row changed by a concurrent transaction is re-checked
    against its new version, and a column that no longer holds the old token keeps what
    the other transaction wrote. Return, per written row, one flag per field: True where
    the new token was written.
    """
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    pk_type = model._meta.pk.db_type(connection)
    assignments, changed, flags, arrays, names = [], [], [], [], ["pk"]
    for position, item in enumerate(items):
        column, old, new = quote(item.column), f"o{position}", f"n{position}"
        names += [old, new]
        arrays += ["%s::text[]", "%s::text[]"]
        matches = f"t.{column} IS NOT DISTINCT FROM v.{old}"
        assignments.append(f"{column} = CASE WHEN {matches} THEN v.{new} ELSE t.{column} END")
        changed.append(f"({matches} AND v.{old} IS DISTINCT FROM v.{new})")
        flags.append(f"(v.{old} IS DISTINCT FROM v.{new} AND t.{column} IS NOT DISTINCT FROM v.{new})")
    sql = (
        f"UPDATE {table} AS t SET {', '.join(assignments)} "  # noqa: S608 - quoted identifiers
        f"FROM unnest(%s::{pk_type}[], {', '.join(arrays)}) AS v({', '.join(names)}) "
        f"WHERE t.{pk} = v.pk AND ({' OR '.join(changed)}) "
        f"RETURNING {', '.join(flags)}"
    )
    parameters: list = [pks]
    for old, new in tokens:
        parameters += [old, new]
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchall()


def _rotate_table(model: type[models.Model], items: list[EncryptedField], *, current: str,
                  pending: dict[Column, int], batch_size: int, result: RotationResult,
                  progress: Callable[[TableProgress], None] | None) -> None:
    columns = [(model._meta.label, item.name) for item in items]
    failed_ids: dict[Column, list] = {column: [] for column in columns}
    bound = record_key_field(model) is not None
    after = None
    while True:
        with transaction.atomic():
            rows = _old_rows(model, items, current=current, after=after, limit=batch_size)
            if not rows:
                break
            pks = [row[0] for row in rows]
            tokens: list[tuple[list, list]] = []
            wanted = [0] * len(items)
            for position, (item, column) in enumerate(zip(items, columns, strict=True)):
                old_tokens, new_tokens = [], []
                for row in rows:
                    stored = row[position + 2]
                    old = new = stored.token if stored is not None else None
                    if stored is not None:
                        try:
                            new = reencrypt(old, context=item.encryption_context,
                                            identity=str(row[1]) if bound else "", row=row[0])
                        except DecryptionError as error:
                            report_unreadable(error)
                            result.failed[column] += 1
                            if len(failed_ids[column]) < MAX_FAILED_IDS:
                                failed_ids[column].append(row[0])
                    if new != old:
                        wanted[position] += 1
                    old_tokens.append(old)
                    new_tokens.append(new)
                tokens.append((old_tokens, new_tokens))
            written = _swap(model, items, pks, tokens)
        for position, column in enumerate(columns):
            done = sum(1 for flags in written if flags[position])
            result.rotated[column] += done
            result.skipped[column] += wanted[position] - done
        after = pks[-1]
        result.failed_ids.update({column: ids for column, ids in failed_ids.items() if ids})
        if progress is not None:
            progress(TableProgress(
                model._meta.label, tuple(item.name for item in items), sum(pending.values()),
                sum(result.rotated[column] for column in columns),
                sum(result.skipped[column] for column in columns),
                sum(result.failed[column] for column in columns),
            ))


def _audit(result: RotationResult) -> None:
    audit_record(
        actor=None,
        action="keys.rotated",
        extra={
            "key": result.key_id,
            "completed": result.completed,
            "rotated": result.total_rotated,
            "skipped_concurrent": result.total_skipped,
            "failed": result.total_failed,
            "columns": {column_label(column): count for column, count in result.rotated.items()},
            "remaining": result.remaining_by_key(),
        },
    )


def rotate(*, batch_size: int = 1000,
           progress: Callable[[TableProgress], None] | None = None) -> RotationResult:
    """Re-encrypt every value not on the current key, table by table, in keyset batches.

    The encrypted columns of one model are rotated together, so a row gets one new version
    however many of its columns change. Each batch is one transaction: read up to
    `batch_size` rows with a value still on an old key, after the last primary key seen,
    re-encrypt those values in Python and write them back with a per-column
    compare-and-swap. `progress` is called after each batch. Values that do not decrypt are
    left as they are and counted (their primary keys, up to MAX_FAILED_IDS per column, are
    in `failed_ids`). One `keys.rotated` audit event records the counts, also when the run
    is interrupted; run again to resume.

    Raise ValueError for a batch size below 1; database errors propagate (batches before
    the failing one stay committed).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1.")
    current = current_key_id()
    result = RotationResult(key_id=current)
    before = old_key_counts(rotation_status(), current=current)
    by_model: dict[type[models.Model], list[EncryptedField]] = {}
    for model, item in encrypted_fields():
        by_model.setdefault(model, []).append(item)
        column = (model._meta.label, item.name)
        result.rotated[column] = result.skipped[column] = result.failed[column] = 0
    try:
        for model, items in by_model.items():
            pending = {column: sum(before.get(column, {}).values())
                       for column in ((model._meta.label, item.name) for item in items)}
            if any(pending.values()):
                _rotate_table(model, items, current=current, pending=pending, batch_size=batch_size,
                              result=result, progress=progress)
        result.completed = True
    except BaseException:
        # Record what the interrupted run did; a broken connection must not hide the cause.
        with contextlib.suppress(DatabaseError):
            _finish(result, current=current)
        raise
    _finish(result, current=current)
    return result


def _finish(result: RotationResult, *, current: str) -> None:
    result.remaining = old_key_counts(rotation_status(), current=current)
    with transaction.atomic():
        _audit(result)
