"""Check that the points ledger agrees with itself: balances, entries, lots (exit 1 if not)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from loyalty import points


class Command(BaseCommand):
    help = "Check that every points balance equals its entries and its lots; report differences."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=100,
                            help="At most this many differences of each kind.")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args, limit: int, json: bool = False, **options):
        result = points.ledger_check(limit=limit)
        if json:
            self.stdout.write(_dumps(result.as_dict()))
        else:
            self.stdout.write(f"balances {result.total_balance}, entries {result.total_entries}, "
                              f"outstanding liability {result.liability} points")
            for row in result.accounts:
                self.stdout.write(f"account {row['account']}: balance {row['balance']}, "
                                  f"entries {row['entries']}, lots {row['lots']}")
            for row in result.lots:
                self.stdout.write(f"lot {row['lot']}: consumed {row['consumed']}, "
                                  f"consumption rows {row['consumptions']}")
        if not result.ok:
            raise CommandError("The points ledger does not agree with itself.")
        self.stdout.write(self.style.SUCCESS("The points ledger agrees."))


def _dumps(data) -> str:
    return json.dumps(data, sort_keys=True)
