"""Send the outbox's committed but undelivered Celery tasks now (beat does it every minute)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from crm.outbox import SWEEP_BATCH, outbox_sweep


class Command(BaseCommand):
    help = "Send the Celery tasks that were committed but not delivered (for instance while Redis was down)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=SWEEP_BATCH,
                            help=f"send at most this many messages (default {SWEEP_BATCH})")

    def handle(self, *args, limit: int, **options):
        result = outbox_sweep(limit=limit)
        self.stdout.write(f"Sent {result['sent']}, pending {result['pending']}, purged {result['purged']}.")
        if result["pending"] and not result["sent"]:
            # Nothing went out while messages wait: the broker is still down.
            raise SystemExit(1)
