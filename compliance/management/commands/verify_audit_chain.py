"""Verify the audit chain; exit 0 when intact, 1 at the first broken link."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance.audit import audit_verification_run


def read_head_file(path: str) -> tuple[int, str]:
    """The (sequence, hash) anchor written by `export_audit_head`."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        sequence, digest = data["sequence"], data["hash"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CommandError(f"Cannot read the exported head from {path}: {exc}") from exc
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
        raise CommandError(f"{path}: 'sequence' must be a positive integer.")
    if not isinstance(digest, str) or len(digest) != 64:
        raise CommandError(f"{path}: 'hash' must be 64 hexadecimal characters.")
    return sequence, digest.lower()


class Command(BaseCommand):
    help = (
        "Recompute the audit chain and report the first broken link. With --head-file, also "
        "check that the exported head is still there, unchanged. Exits 1 if the chain is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--head-file",
            metavar="PATH",
            help="JSON anchor written earlier by export_audit_head.",
        )
        parser.add_argument("--batch-size", type=int, default=5000, help="Events read per query.")

    def handle(self, *args, head_file=None, batch_size=5000, **options):
        expected_head = read_head_file(head_file) if head_file else None
        verification = audit_verification_run(
            actor=None, expected_head=expected_head, batch_size=batch_size
        )
        if verification.ok:
            self.stdout.write(f"Audit chain intact: {verification.events_checked} events checked")
            return
        self.stderr.write(
            f"Audit chain broken at sequence {verification.first_broken_sequence}: "
            f"{verification.message}"
        )
        sys.exit(1)
