"""Import jobs from records sent through the API, on the same path as an uploaded file.

Core banking sends `{"kind", "records": [{column: value}, ...]}` instead of a CSV file. The
records become the CSV text an upload would have held (columns as the upload page lists
them), and `import_job_create` takes it from there: the same permission, the same dry run,
the same set-based writer, the same apply in batches and the same audit events. One door
for a bulk write, whichever way the data arrives.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _gettext

from customers.intake.columns import COLUMNS, could_be_column_name
from customers.intake.selectors import check_may_import
from customers.intake.services import import_job_create
from customers.models import ImportJob, ImportKind

MAX_RECORDS = 10_000
MAX_CELL = 1_000
MAX_REPORTED = 20


def _cell(value) -> str | None:
    """The CSV cell for a JSON value, None if the value cannot be one."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value if len(value) <= MAX_CELL else None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ";".join(value)  # countries of operation
    return None


def _named(key: str) -> str:
    if could_be_column_name(key):
        return f"“{key}”"
    return _gettext("a field")


def records_as_csv(kind: str, records) -> str:
    """The CSV text an upload of `records` would hold. Raise ValidationError on "records"
    (at most MAX_REPORTED problems, by record number) for anything that is not a list of
    1 to MAX_RECORDS objects of known columns with text, whole-number or null values."""
    if kind not in ImportKind.values:
        raise ValidationError({"kind": _gettext("Choose customers or holdings.")})
    if not isinstance(records, list) or not records:
        raise ValidationError({"records": _gettext("Send a list of at least one record.")})
    if len(records) > MAX_RECORDS:
        raise ValidationError({"records": _gettext("Send at most %(count)s records at a time.")
                               % {"count": f"{MAX_RECORDS:,}"}})
    known = [column.name for column in COLUMNS[kind]]
    problems: list[str] = []
    rows: list[dict[str, str]] = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, Mapping):
            problems.append(_gettext("Record %(number)s is not an object.") % {"number": number})
            continue
        row = {}
        for key, value in record.items():
            if key not in known:
                problems.append(_gettext("Record %(number)s: %(field)s is not a column of this import.")
                                % {"number": number, "field": _named(key)})
                continue
            cell = _cell(value)
            if cell is None:
                problems.append(_gettext(
                    "Record %(number)s: %(field)s must be text (amounts as text such as \"1234.56\"), "
                    "a whole number or null, at most %(length)s characters.")
                    % {"number": number, "field": f"“{key}”", "length": MAX_CELL})
                continue
            row[key] = cell
        if not any(cell.strip() for cell in row.values()) and not problems:
            problems.append(_gettext("Record %(number)s has no values.") % {"number": number})
        rows.append(row)
    if problems:
        raise ValidationError({"records": problems[:MAX_REPORTED]})
    used = [name for name in known if any(name in row for row in rows)]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(used)
    for row in rows:
        # A record whose every cell is blank would be skipped as a blank line: keep its place.
        writer.writerow([row.get(name, "") for name in used])
    return buffer.getvalue()


def import_job_create_from_records(*, actor, kind: str, records, home_branch=None) -> ImportJob:
    """Store `records` as a new import job and queue its dry run, as an upload would.

    Record n is row n + 1 of the job (row 1 is the header), so the job's problems name
    records by that row. Raise PermissionDenied without IMPORT (before the records are read)
    and ValidationError as `records_as_csv` and `import_job_create` do.
    """
    check_may_import(actor)
    text = records_as_csv(kind, records)
    return import_job_create(actor=actor, kind=kind, file_name="records.csv", content=text,
                             home_branch=home_branch)
