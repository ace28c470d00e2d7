"""Generating the demo bank's customers: batches planned from seeded random streams and
written in one transaction each, in this process or in forked workers."""

from __future__ import annotations

import datetime
import math
import multiprocessing
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from crm.models import Branch
from customers.demo.batch import BatchPlanner
from customers.demo.consents import consents_summary, seed_consents
from customers.demo.plans import DemoStats
from customers.demo.reference import BATCH_SIZE, BOOK_SIZE, DEMO_RATES
from customers.demo.staff import customer_branches, ensure_relationship_managers, floor_staff
from customers.demo.writing import write_batch
from customers.models import Customer, ExchangeRate
from customers.services import customers_refresh_aum, next_customer_numbers

__all__ = ["seed_customers"]


def _ensure_exchange_rates(as_of: datetime.date) -> dict[str, Decimal]:
    """The rates AUM uses; demo rates are added only for currencies that have none."""
    rates = dict(ExchangeRate.objects.values_list("currency", "rate"))
    missing = [ExchangeRate(currency=currency, rate=rate, as_of=as_of)
               for currency, rate in DEMO_RATES.items() if currency not in rates]
    ExchangeRate.objects.bulk_create(missing)
    rates.update({item.currency: item.rate for item in missing})
    return rates


def _recompute_segments() -> str | None:
    """Run the rules engine (customers.segmentation) if it is there and configured."""
    try:
        from customers.segmentation import SegmentationNotConfigured, segments_recompute
    except ImportError:
        return None
    try:
        result = segments_recompute()
    except SegmentationNotConfigured:
        return "No active segment rules: segments stay as generated."
    return (f"Segments checked against rule set v{result.version}: {result.scanned:,} customers, "
            f"{result.segment_changes:,} changed")


def _first_worklists(as_of: datetime.date) -> str:
    """Spread KYC and risk-profile reviews over the coming year (a few already due), then run
    the daily follow-up generation, so each RM's first morning shows a real worklist."""
    from customers.care.generation import follow_ups_generate

    with connections["default"].cursor() as cursor:
        cursor.execute(
            f"UPDATE {Customer._meta.db_table} SET "  # noqa: S608 - the table name only
            "kyc_review_due_on = %(as_of)s::date + ((id * 7919) %% 365 - 10)::int, "
            "risk_review_due_on = %(as_of)s::date + ((id * 104729) %% 730 - 10)::int",
            {"as_of": as_of},
        )
    result = follow_ups_generate(today=as_of)
    triggered = sum(result.triggered.values())
    return f"Follow-ups: {result.planned:,} from contact plans, {triggered:,} from life events"


def _first_suggestions(as_of: datetime.date) -> str:
    """Run the nightly offer suggestions, so the worklist rows and the customer pages show
    suitable offers from the first morning."""
    from customers.outreach.offers import suggestions_generate

    result = suggestions_generate(today=as_of)
    return f"Offer suggestions: {result.created:,} for {result.customers:,} customers in books"


@dataclass(frozen=True)
class _RunContext:
    """What every batch needs; set before worker processes fork."""

    seed: int
    total: int
    batch_size: int
    as_of: datetime.date
    managers: dict[str, list[int]]
    floor_staff: dict[str, int]
    rates: dict[str, Decimal]
    branches: dict[str, Branch]
    currency: str


_context: _RunContext | None = None


def _generate_batch(batch: int) -> DemoStats:
    """Plan and write batch number `batch` in one transaction (in this process or a worker)."""
    context = _context
    if context is None:
        raise RuntimeError("_generate_batch runs only inside seed_customers().")
    size = min(context.batch_size, context.total - batch * context.batch_size)
    rng = random.Random(f"demo-customers:{context.seed}:{batch}")
    generator = BatchPlanner(rng=rng, as_of=context.as_of, managers=context.managers,
                             floor_staff=context.floor_staff, rates=context.rates)
    plans = generator.plan_batch(size)
    with transaction.atomic():
        numbers = next_customer_numbers(size)
        return write_batch(plans, numbers=numbers, branches=context.branches, rates=context.rates,
                           currency=context.currency, as_of=context.as_of, rng=rng)


def _worker_start() -> None:
    # Each forked worker opens its own database connection.
    connections.close_all()


def _run_batches(batches: int, workers: int) -> Iterator[DemoStats]:
    if workers <= 1:
        for batch in range(batches):
            yield _generate_batch(batch)
        return
    connections.close_all()  # a connection must not be shared across fork
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start)
    try:
        yield from pool.imap_unordered(_generate_batch, range(batches))
    finally:
        pool.terminate()
        pool.join()


def seed_customers(*, customers: int, seed: int, as_of: datetime.date | None = None,
                   batch_size: int = BATCH_SIZE, workers: int = 1) -> Iterator[str]:
    """Generate `customers` demo customers; yield progress lines (no personal data in them).

    Runs after `crm.demo.seed_organisation()`. Does nothing if customers already exist, so
    `seed_demo` can run twice. `as_of` is the demo's "today" (default: the local date).
    `workers` > 1 plans and writes batches in that many forked processes (for bank-scale
    benchmarks): each batch's content stays determined by the seed, but which customer
    numbers each batch gets then depends on timing.
    Raise `Branch.DoesNotExist` if the organisation has not been loaded.
    """
    global _context
    if customers <= 0:
        return
    if Customer.objects.exists():
        yield "Customers already loaded; not generating more."
        return
    branches = customer_branches()
    as_of = as_of or timezone.localdate()
    started = time.perf_counter()
    with transaction.atomic():
        managers, created = ensure_relationship_managers(customers=customers, seed=seed)
        rates = _ensure_exchange_rates(as_of)
    _context = _RunContext(
        seed=seed, total=customers, batch_size=batch_size, as_of=as_of, managers=managers,
        floor_staff=floor_staff(branches), rates=rates, branches=branches, currency=settings.BANK_CURRENCY,
    )
    yield (f"Relationship managers: {sum(len(ids) for ids in managers.values())} "
           f"({created} created for books of about {BOOK_SIZE:,} customers)")
    total = DemoStats(relationship_managers_created=created)
    batches = math.ceil(customers / batch_size)
    report_every = max(1, batches // 20)
    try:
        for done, stats in enumerate(_run_batches(batches, workers), start=1):
            total.add(stats)
            if done % report_every == 0 or done == batches:
                elapsed = time.perf_counter() - started
                yield (f"Customers: {total.customers:,}/{customers:,} "
                       f"({total.customers / elapsed:,.0f} customers/s)")
    finally:
        _context = None
    customers_refresh_aum()
    summary = _recompute_segments()
    if summary:
        yield summary
    yield _first_worklists(as_of)
    yield consents_summary(seed_consents(seed=seed, as_of=as_of))
    yield _first_suggestions(as_of)
    elapsed = time.perf_counter() - started
    yield (f"Generated {total.customers:,} customers ({total.individuals:,} individuals, "
           f"{total.corporates:,} corporates), {total.holdings:,} holdings, {total.interactions:,} "
           f"interactions, {total.needs:,} needs, {total.relationships:,} relationships in {elapsed:.1f} s "
           f"({total.customers / elapsed:,.0f} customers/s)")
