"""Refreshing mask hints: recompute what each mask shows from the stored ciphertext.

Every write through ``save()`` keeps a :class:`compliance.fields.MaskHintField` right, and
the writes that bypass ``pre_save`` set it themselves. This fills the hints of rows that
were written before a hint column existed (the migration adding one calls
:func:`refresh_mask_hints`), or by a process still running older code during a rolling
deploy (run ``manage.py refresh_mask_hints`` afterwards).

It decrypts each source value once, in primary-key batches of one transaction each, and
writes a hint only where it differs, with compare-and-swap on the source's token: a value
changed meanwhile was written with its own hint and is left alone. Values that cannot be
decrypted keep their hint and are reported by primary key, never by value. Key rotation
re-encrypts the same plaintext, so it leaves every hint as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import Q

from compliance.crypto import DecryptionError
from compliance.fields import Ciphertext, EncryptedField, MaskHintField, mask_hint_fields, record_key_field

__all__ = ["HintRefreshResult", "refresh_mask_hints"]

# Primary keys kept per model for values that could not be decrypted.
MAX_FAILED_IDS = 100


@dataclass
class HintRefreshResult:
    """What a run did, per model label: rows read, hints written, rows that failed."""

    checked: dict[str, int] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    failed_ids: dict[str, list] = field(default_factory=dict)  # primary keys, never values

    @property
    def total_written(self) -> int:
        return sum(self.written.values())

    @property
    def total_failed(self) -> int:
        return sum(self.failed.values())


def _hinted_models() -> list[type[models.Model]]:
    found: list[type[models.Model]] = []
    for model, _field in mask_hint_fields():
        if model not in found:
            found.append(model)
    return found


def _hints_by_source(model: type[models.Model]) -> dict[models.Field, list[MaskHintField]]:
    grouped: dict[models.Field, list[MaskHintField]] = {}
    for item in model._meta.concrete_fields:
        if isinstance(item, MaskHintField):
            grouped.setdefault(model._meta.get_field(item.source), []).append(item)
    return grouped


def _plaintext(source: models.Field, stored: object, pk: object, identity: str) -> object:
    if stored is None:
        return None
    if isinstance(source, EncryptedField) and isinstance(stored, Ciphertext):
        return source.decrypt_value(stored, row=pk, identity=identity)
    return stored


def _write(model: type[models.Model], source: models.Field, hint: MaskHintField,
           changes: list[tuple[object, object, str]], using: str) -> int:
    """Set ``hint`` where ``source`` still holds the value it was computed from; one statement."""
    connection = connections[using]
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    source_column, hint_column = quote(source.column), quote(hint.column)
    sql = (
        f"UPDATE {table} AS t SET {hint_column} = v.hint "  # noqa: S608 - quoted identifiers
        f"FROM unnest(%s::{model._meta.pk.db_type(connection)}[], %s::text[], %s::text[]) "
        f"AS v(pk, stored, hint) "
        f"WHERE t.{pk} = v.pk AND t.{source_column}::text IS NOT DISTINCT FROM v.stored"
    )
    stored = [value.token if isinstance(value, Ciphertext) else value for _pk, value, _hint in changes]
    parameters = [
        [row_pk for row_pk, _value, _hint in changes],
        [None if value is None else str(value) for value in stored],
        [new_hint for _pk, _value, new_hint in changes],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.rowcount


def _refresh_model(model: type[models.Model], *, batch_size: int, only_missing: bool, using: str,
                   result: HintRefreshResult) -> None:
    label = model._meta.label
    grouped = _hints_by_source(model)
    sources = list(grouped)
    hints = [hint for group in grouped.values() for hint in group]
    result.checked[label] = result.written[label] = result.failed[label] = 0
    failed_ids: list = []
    queryset = model._base_manager.db_manager(using).order_by("pk")
    if only_missing:
        missing = Q()
        for source, group in grouped.items():
            for hint in group:
                missing |= Q(**{hint.attname: ""}) & Q(**{f"{source.attname}__isnull": False})
        queryset = queryset.filter(missing)
    key_field = record_key_field(model)
    names = ["pk", *(source.attname for source in sources), *(hint.attname for hint in hints)]
    if key_field is not None:
        names.append(key_field.attname)
    after = None
    while True:
        with transaction.atomic(using=using):
            page = queryset if after is None else queryset.filter(pk__gt=after)
            rows = list(page.values_list(*names)[:batch_size])
            if not rows:
                break
            changes: dict[str, list[tuple[object, object, str]]] = {hint.attname: [] for hint in hints}
            for row in rows:
                row_pk, values = row[0], dict(zip(names[1:], row[1:], strict=True))
                identity = "" if key_field is None else str(values[key_field.attname])
                try:
                    plaintexts = {source: _plaintext(source, values[source.attname], row_pk, identity)
                                  for source in sources}
                except DecryptionError:
                    result.failed[label] += 1
                    if len(failed_ids) < MAX_FAILED_IDS:
                        failed_ids.append(row_pk)
                    continue
                for source, group in grouped.items():
                    for hint in group:
                        wanted = hint.compute(plaintexts[source])
                        if values[hint.attname] != wanted:
                            changes[hint.attname].append((row_pk, values[source.attname], wanted))
            for source, group in grouped.items():
                for hint in group:
                    if changes[hint.attname]:
                        result.written[label] += _write(model, source, hint, changes[hint.attname], using)
        result.checked[label] += len(rows)
        after = rows[-1][0]
    if failed_ids:
        result.failed_ids[label] = failed_ids


def refresh_mask_hints(
    models_to_refresh: Iterable[type[models.Model]] | None = None, *, batch_size: int = 1000,
    only_missing: bool = False, using: str = DEFAULT_DB_ALIAS,
    progress: Callable[[str, int], None] | None = None,
) -> HintRefreshResult:
    """Recompute the mask hint columns of ``models_to_refresh`` (default: every model with one).

    A model may be a migration's historical model. ``only_missing`` reads only rows with an
    empty hint beside a stored value (what older code left behind), which is quicker than
    checking every row. ``progress`` is called with the model label and the rows checked
    after each model. Raise ValueError for a batch size below 1; database errors propagate
    (batches before the failing one stay committed).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1.")
    result = HintRefreshResult()
    for model in (_hinted_models() if models_to_refresh is None else models_to_refresh):
        _refresh_model(model, batch_size=batch_size, only_missing=only_missing, using=using, result=result)
        if progress is not None:
            progress(model._meta.label, result.checked[model._meta.label])
    return result
