"""Re-encrypt every encrypted column under the newest key (see compliance/rotation.py)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from compliance.crypto import current_key_id, get_keyring
from compliance.rotation import (
    Status,
    TableProgress,
    column_label,
    old_key_counts,
    rotate,
    rotation_status,
)

PROGRESS_INTERVAL_SECONDS = 2.0


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value that is not under the first key of "
        "FIELD_ENCRYPTION_KEYS, or not yet bound to its row (counted as '<key> (unbound)'), "
        "in batches (one transaction each), while the portal keeps "
        "serving. Safe to interrupt and run again. Prints progress and, at the end, how many "
        "values remain on each old key; exits 1 if some values could not be re-encrypted. "
        "Put the new key first in every process's FIELD_ENCRYPTION_KEYS before running, and "
        "drop an old key only once it has no value left."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000,
                            help="Rows per transaction (default 1000).")
        parser.add_argument("--dry-run", action="store_true",
                            help="Only report how many values are under each key; change nothing.")

    def handle(self, *args, batch_size: int = 1000, dry_run: bool = False, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        ring = get_keyring()
        current = current_key_id()
        self.stdout.write(f"Current key: {current}; keys in the ring: {', '.join(ring.key_ids)}")
        if dry_run:
            status = rotation_status()
            self._table(status, current=current, ring=ring.key_ids)
            left = sum(sum(counts.values()) for counts in old_key_counts(status, current=current).values())
            self.stdout.write(f"Dry run: {left:,} values would be re-encrypted. Nothing was changed.")
            return

        last_report = [0.0]

        def report(step: TableProgress) -> None:
            now = time.monotonic()
            if now - last_report[0] < PROGRESS_INTERVAL_SECONDS and step.done < step.pending:
                return
            last_report[0] = now
            line = f"  {step.label}: {step.rotated:,}/{step.pending:,} re-encrypted"
            if step.skipped:
                line += f", {step.skipped:,} changed meanwhile (left as they are)"
            if step.failed:
                line += f", {step.failed:,} could not be decrypted"
            self.stdout.write(line)

        started = time.monotonic()
        result = rotate(batch_size=batch_size, progress=report)
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Re-encrypted {result.total_rotated:,} values in {elapsed:,.1f} s"
            + (f"; {result.total_skipped:,} were changed meanwhile" if result.total_skipped else "")
        )
        self.stdout.write("Values remaining on old keys:")
        self._remaining(result.remaining, ring=ring.key_ids, current=current)
        if result.total_failed:
            for column, ids in result.failed_ids.items():
                shown = ", ".join(str(pk) for pk in ids)
                more = result.failed[column] - len(ids)
                self.stderr.write(f"  {column_label(column)}: could not decrypt rows {shown}"
                                  + (f" and {more:,} more" if more > 0 else ""))
            raise CommandError(f"{result.total_failed:,} values could not be re-encrypted: a key is missing "
                               "from FIELD_ENCRYPTION_KEYS or the values were altered.")
        if result.total_remaining:
            self.stdout.write(self.style.WARNING(
                f"{result.total_remaining:,} values are still on an old key (written meanwhile by a "
                "process with the old key first?): run the command again."))
        else:
            self.stdout.write(self.style.SUCCESS(
                "Every value is on the current key; the old keys may be removed."))

    def _keys(self, status: Status, ring: tuple[str, ...], current: str) -> list[str]:
        found = {key_id for counts in status.values() for key_id in counts}
        old = [key_id for key_id in ring if key_id != current]
        return old + sorted(found - set(ring))

    def _table(self, status: Status, *, current: str, ring: tuple[str, ...]) -> None:
        keys = [current, *self._keys(status, ring, current)]
        self._write_rows(status, keys, header_note={current: " (current)"})

    def _remaining(self, remaining: Status, *, ring: tuple[str, ...], current: str) -> None:
        keys = self._keys(remaining, ring, current)
        if not keys:
            self.stdout.write("  (no old key in the ring)")
            return
        self._write_rows(remaining, keys, header_note={})

    def _write_rows(self, status: Status, keys: list[str], *, header_note: dict[str, str]) -> None:
        width = max([len("column"), *(len(column_label(column)) for column in status)])
        headers = [f"{key_id}{header_note.get(key_id, '')}" for key_id in keys]
        widths = [max(len(header), 10) for header in headers]
        self.stdout.write("  " + "column".ljust(width) + "".join(
            "  " + header.rjust(size) for header, size in zip(headers, widths, strict=True)))
        totals = dict.fromkeys(keys, 0)
        for column in sorted(status):
            counts = status[column]
            cells = []
            for key_id, size in zip(keys, widths, strict=True):
                totals[key_id] += counts.get(key_id, 0)
                cells.append("  " + f"{counts.get(key_id, 0):,}".rjust(size))
            self.stdout.write("  " + column_label(column).ljust(width) + "".join(cells))
        self.stdout.write("  " + "total".ljust(width) + "".join(
            "  " + f"{totals[key_id]:,}".rjust(size) for key_id, size in zip(keys, widths, strict=True)))
