"""Export the audit chain's head as a JSON anchor to keep outside the database."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from compliance.audit import audit_head_export


class Command(BaseCommand):
    help = (
        "Record an audit.head_exported event and write it as {sequence, hash, exported_at}. "
        "Keep the file somewhere the database's administrators cannot change; pass it to "
        "verify_audit_chain --head-file to detect a truncated or rewritten chain."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", metavar="PATH", help="Write here instead of stdout.")

    def handle(self, *args, output=None, **options):
        anchor = json.dumps(audit_head_export(actor=None), indent=2, sort_keys=True)
        if output:
            Path(output).write_text(anchor + "\n", encoding="utf-8")
            self.stdout.write(f"Audit head written to {output}")
        else:
            self.stdout.write(anchor)
