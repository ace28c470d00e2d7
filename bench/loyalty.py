"""Loyalty at bank scale: the daily points expiry and the monthly tier review over the
benchmark's million customers with twenty million ledger entries.

    python -m bench.loyalty [--output bench/results.md] [--entries-per-customer 20]

Runs on the data `python -m bench.customers` loaded (it migrates first and refuses an empty
database). The first time, it gives every customer a points account and `--entries-per-customer`
earns (20 by default: 20 million entries and as many lots for a million customers) in set-based
SQL: points from 100 to 499, earned over the past two years, each lot expiring 365 days after it
was earned, so every day of the coming year some lots expire; balances are the lots' sum, as the
ledger's own writes leave them. Lots already past their expiry are written expired (remaining
0, with their expire entry and lot consumption), so the measured run meets what a bank's daily
run meets: the lots of one day.

Then it times, once each: the daily expiry (`loyalty.points.points_expire`) for the next day,
and the monthly tier review (`loyalty.tiers.tiers_review`) for the first of next month. Target:
each under 5 minutes. The section "Loyalty" of the results file is replaced; the rest is kept.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

from bench.customers import BASE_DIR, configure_environment

TARGET_SECONDS = 300


def _print(text: str = "") -> None:
    print(text, flush=True)


def _timed(label: str, function):
    before = os.getloadavg()[0]
    started = time.perf_counter()
    value = function()
    seconds = time.perf_counter() - started
    _print(f"  {label}: {seconds:.1f} s (load {before:.1f} -> {os.getloadavg()[0]:.1f})")
    return value, seconds, (before, os.getloadavg()[0])


LEDGER_SQL = [
    # One account per customer.
    """INSERT INTO loyalty_pointsaccount (customer_id, balance, opened_at)
       SELECT c.id, 0, %(now)s - interval '2 years' FROM customers_customer c
       WHERE NOT EXISTS (SELECT 1 FROM loyalty_pointsaccount a WHERE a.customer_id = c.id)""",
    # The earns, spread over the past two years (730 days) by account and number.
    """INSERT INTO loyalty_pointsentry (account_id, kind, points, activity, reference, occurred_at,
                                       recorded_at)
       SELECT a.id, 'earn', 100 + (a.id * 31 + g * 17) %% 400, 'product:term_deposit',
              'bench:' || a.id || ':' || g,
              %(now)s - make_interval(days => ((a.id * 7 + g * 37) %% 730)::int),
              %(now)s - make_interval(days => ((a.id * 7 + g * 37) %% 730)::int)
       FROM loyalty_pointsaccount a CROSS JOIN generate_series(1, %(per_customer)s) g""",
    # A lot for every earn, expiring a year after it.
    """INSERT INTO loyalty_pointslot (account_id, entry_id, original, remaining, earned_at, expires_at)
       SELECT e.account_id, e.id, e.points, e.points, e.occurred_at, e.occurred_at + interval '365 days'
       FROM loyalty_pointsentry e WHERE e.kind = 'earn'""",
    # Lots already past their expiry: expired as the daily run would have done it.
    """WITH due AS (SELECT id, account_id, remaining, expires_at FROM loyalty_pointslot
                    WHERE expires_at <= %(now)s AND remaining > 0),
            expired AS (
              INSERT INTO loyalty_pointsentry (account_id, kind, points, activity, reference, occurred_at,
                                               recorded_at)
              SELECT account_id, 'expire', -remaining, '', 'bench-expiry:' || id, expires_at, expires_at
              FROM due
              RETURNING id, reference)
       INSERT INTO loyalty_lotconsumption (entry_id, lot_id, points)
       SELECT x.id, d.id, d.remaining FROM expired x
       JOIN due d ON x.reference = 'bench-expiry:' || d.id""",
    "UPDATE loyalty_pointslot SET remaining = 0 WHERE expires_at <= %(now)s AND remaining > 0",
    """UPDATE loyalty_pointsaccount a SET balance = s.total
       FROM (SELECT account_id, sum(remaining) AS total FROM loyalty_pointslot GROUP BY account_id) s
       WHERE s.account_id = a.id""",
]


def _ledger(per_customer: int) -> str:
    from django.db import connection, transaction
    from django.utils import timezone

    from loyalty.models import PointsEntry

    if PointsEntry.objects.exists():
        return f"The ledger was already there ({PointsEntry.objects.count():,} entries)."
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        # Foreign keys checked as each row goes in, not queued for the commit (tens of millions).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in LEDGER_SQL:
            cursor.execute(statement, {"now": timezone.now(), "per_customer": per_customer})
    with connection.cursor() as cursor:
        for table in (
            "loyalty_pointsaccount",
            "loyalty_pointsentry",
            "loyalty_pointslot",
            "loyalty_lotconsumption",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return f"Ledger generated in {time.perf_counter() - started:.0f} s and vacuumed."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loyalty", description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=BASE_DIR / "bench" / "results.md")
    parser.add_argument("--entries-per-customer", type=int, default=20)
    arguments = parser.parse_args(argv)
    configure_environment()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from django.utils import timezone

    from bench.data import database_facts
    from bench.sections import write_section
    from customers.models import Customer
    from loyalty.models import PointsAccount, PointsEntry, PointsLot
    from loyalty.points import points_expire
    from loyalty.tiers import tiers_review

    customers = Customer.objects.count()
    if customers == 0:
        raise SystemExit("No customers: load the benchmark's data first (python -m bench.customers).")
    _print(f"Loyalty over {customers:,} customers")
    from loyalty.demo import seed_loyalty

    list(seed_loyalty(customers=0, seed=2026))  # the demo's earning rules, tiers and rewards, once
    generated = _ledger(arguments.entries_per_customer)
    _print(f"  {generated}")
    entries, lots = PointsEntry.objects.count(), PointsLot.objects.filter(remaining__gt=0).count()
    accounts = PointsAccount.objects.count()
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    expired, expiry_seconds, expiry_load = _timed("daily expiry", lambda: points_expire(now=tomorrow))
    first_of_next_month = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    review, review_seconds, review_load = _timed(
        "monthly tier review", lambda: tiers_review(today=first_of_next_month)
    )
    facts = database_facts()
    minutes = TARGET_SECONDS // 60

    def verdict(seconds: float) -> str:
        return "met" if seconds < TARGET_SECONDS else "**missed**"

    changes = ", ".join(f"{kind} {count:,}" for kind, count in sorted(review.changes.items())) or "none"
    stamp = f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M}"
    lines = [
        "# Loyalty at bank scale",
        "",
        f"Generated by `python -m bench.loyalty` on {stamp} UTC over {customers:,} customers with "
        f"{accounts:,} points accounts, {entries:,} ledger entries and {lots:,} open lots, each step "
        f"timed once in-process. Target: each under {minutes} minutes.",
        "",
        f"Machine: {os.cpu_count()} cores, PostgreSQL {facts['version']} on the same machine "
        f"(shared_buffers {facts['shared_buffers']}, work_mem {facts['work_mem']}; database "
        f"{facts['database_size']}). {generated}",
        "",
        "| step | seconds | load before / after | what it did | target |",
        "| --- | ---: | --- | --- | --- |",
        f"| Daily points expiry ({tomorrow:%Y-%m-%d}) | {expiry_seconds:.1f} | "
        f"{expiry_load[0]:.1f} / {expiry_load[1]:.1f} | {expired.points:,} points expired on "
        f"{expired.accounts:,} accounts | < {minutes} min: {verdict(expiry_seconds)} |",
        f"| Monthly tier review ({first_of_next_month}) | {review_seconds:.1f} | "
        f"{review_load[0]:.1f} / {review_load[1]:.1f} | {review.batches} batches; changes: {changes} | "
        f"< {minutes} min: {verdict(review_seconds)} |",
    ]
    text = "\n".join(lines) + "\n"
    write_section(arguments.output, "loyalty", text)
    _print()
    _print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
