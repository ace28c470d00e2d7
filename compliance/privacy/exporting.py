"""The ZIP that answers an access or portability request: everything every registered source
holds about the subject, as JSON (one file, all sources) and as CSV (one file per source), with
a manifest of what is in it."""

from __future__ import annotations

import csv
import datetime
import io
import json
import zipfile
from decimal import Decimal

from compliance.privacy.models import PrivacyRequest
from compliance.privacy.registry import data_sources


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _csv(rows: list[dict]) -> str:
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                key: json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value
                for key, value in row.items()
            }
        )
    return out.getvalue()


def build_export(request: PrivacyRequest, *, generated_at: datetime.datetime) -> tuple[bytes, dict[str, int]]:
    """The ZIP's bytes and the number of rows from each source."""
    gathered = {
        source.name: {"label": str(source.label), "rows": _plain(source.collect(request.subject_id))}
        for source in data_sources(request.subject_type)
    }
    counts = {name: len(part["rows"]) for name, part in gathered.items()}
    manifest = {
        "request": request.reference,
        "kind": request.kind,
        "subject_type": request.subject_type,
        "generated_at": generated_at.isoformat(),
        "sources": [
            {"name": name, "label": part["label"], "rows": counts[name], "csv": f"{name}.csv"}
            for name, part in gathered.items()
        ],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        archive.writestr(
            "data.json",
            json.dumps({name: part["rows"] for name, part in gathered.items()}, ensure_ascii=False, indent=2),
        )
        for name, part in gathered.items():
            archive.writestr(f"{name}.csv", _csv(part["rows"]))
    return buffer.getvalue(), counts
