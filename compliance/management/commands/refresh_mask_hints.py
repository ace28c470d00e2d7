"""Recompute the mask hints beside encrypted values (see compliance/mask_hints.py)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from compliance.mask_hints import refresh_mask_hints


class Command(BaseCommand):
    help = (
        "Recompute every mask hint column (what a masked value shows, kept beside its "
        "ciphertext) from the stored values, in batches of one transaction each. Run it after "
        "a rolling deploy during which older code wrote encrypted values. Safe to interrupt "
        "and run again; exits 1 if some values could not be decrypted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000,
                            help="Rows per transaction (default 1000).")
        parser.add_argument("--missing-only", action="store_true",
                            help="Only rows with an empty hint beside a stored value.")

    def handle(self, *args, batch_size: int = 1000, missing_only: bool = False, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")

        def report(label: str, checked: int) -> None:
            self.stdout.write(f"  {label}: {checked:,} rows checked")

        result = refresh_mask_hints(batch_size=batch_size, only_missing=missing_only, progress=report)
        self.stdout.write(f"{result.total_written:,} hints written.")
        if result.total_failed:
            for label, ids in result.failed_ids.items():
                shown = ", ".join(str(pk) for pk in ids)
                self.stderr.write(f"  {label}: {result.failed[label]:,} rows could not be decrypted "
                                  f"(primary keys {shown})")
            raise CommandError(f"{result.total_failed:,} rows could not be decrypted; their hints were left.",
                               returncode=1)
