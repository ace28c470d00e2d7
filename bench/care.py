"""Relationship care at bank scale: the daily follow-up run, the life-event trigger scan and a
campaign's eligibility preview over the benchmark's million customers.

    python -m bench.care [--output bench/results.md] [--today YYYY-MM-DD]

Runs on the data `python -m bench.customers` loaded (`BENCH_DATABASE_URL`, or the embedded
server under `.data/bench`) and refuses an empty database. It first gives every customer the
demo's consents (`customers.demo.seed_consents`, once: a second run finds them), then times,
once each, since each is a write whose second run is a different case:

1. the daily run (`customers.care.generation.follow_ups_generate`) on `--today`: plans, every
   active trigger, reassignment and overdue marking over every customer;
2. the same run again on the same day, which must insert nothing (the unique constraint);
3. the next day's run, the ordinary morning;
4. the trigger scan alone on the day after (every active trigger over every customer, no plans);
5. a campaign eligibility preview (if the campaigns package is installed): e-mail marketing to
   every VIP and private-banking customer, counts per exclusion reason.

Target: each under 60 seconds. The section "Relationship care" of the results file is
replaced; the rest of the file is kept.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

from bench.customers import BASE_DIR, configure_environment

TARGET_SECONDS = 60


def _print(text: str = "") -> None:
    print(text, flush=True)


def _timed(label: str, function):
    before = os.getloadavg()[0]
    started = time.perf_counter()
    value = function()
    seconds = time.perf_counter() - started
    after = os.getloadavg()[0]
    _print(f"  {label}: {seconds:.1f} s (load {before:.1f} -> {after:.1f})")
    return value, seconds, (before, after)


def _consents() -> str:
    from customers.demo import seed_consents
    from customers.demo.consents import consents_summary
    from customers.models import Consent, Customer

    customers = Customer.objects.count()
    with_consents = Consent.objects.values("customer").distinct().count()
    if with_consents >= customers * 0.8:
        return f"Consents were already there ({with_consents:,} customers with at least one)."
    stats, seconds, _ = _timed("demo consents", lambda: seed_consents(seed=2026, as_of=datetime.date.today()))
    return f"{consents_summary(stats)}; loaded in {seconds:.0f} s."


def _trigger_scan(today: datetime.date):
    from customers.care import generation
    from customers.models import TriggerRule

    rules = list(TriggerRule.objects.filter(is_active=True))
    result = generation.GenerationResult()
    for lo, hi in generation.id_ranges(generation.BATCH_SIZE):
        generation.generate_range(lo=lo, hi=hi, today=today, plans={"ids": []}, rules=rules, result=result)
        result.batches += 1
    return result


def _campaign_preview():
    """The eligibility preview of an e-mail marketing campaign to VIP and private-banking
    customers, or None when the campaigns package is not there."""
    try:
        from customers.outreach.campaigns import bench_preview
    except ImportError:
        return None
    return bench_preview(segments=["vip", "private"], channel="email", purpose="marketing")


def _verdict(seconds: float) -> str:
    return "met" if seconds < TARGET_SECONDS else "**missed**"


def _generation_details(result) -> str:
    triggered = ", ".join(f"{kind} {count:,}" for kind, count in sorted(result.triggered.items())) or "none"
    return (
        f"{result.planned:,} from plans; triggers: {triggered}; {result.moved:,} moved, "
        f"{result.overdue:,} marked overdue; {result.batches} ranges"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.care", description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=BASE_DIR / "bench" / "results.md")
    parser.add_argument(
        "--today",
        type=datetime.date.fromisoformat,
        default=None,
        help="the day of the first run (default: today in the bank's time zone)",
    )
    arguments = parser.parse_args(argv)
    configure_environment()
    import django

    django.setup()
    from bench.data import database_facts
    from bench.sections import write_section
    from customers.care.generation import follow_ups_generate
    from customers.models import Customer, FollowUp

    customers = Customer.objects.count()
    if customers == 0:
        raise SystemExit("No customers: load the benchmark's data first (python -m bench.customers).")
    from django.utils import timezone

    today = arguments.today or timezone.localdate()
    _print(f"Relationship care over {customers:,} customers, first day {today}")
    consents = _consents()
    follow_ups_before = FollowUp.objects.count()
    rows = []
    result, seconds, load = _timed("daily run", lambda: follow_ups_generate(today=today))
    rows.append(
        (
            "Daily follow-up run (plans, triggers, reassignment, overdue)",
            str(today),
            seconds,
            load,
            _generation_details(result),
        )
    )
    result, seconds, load = _timed("same day again", lambda: follow_ups_generate(today=today))
    inserted_again = result.planned + sum(result.triggered.values())
    rows.append(
        (
            "The same run again, same day",
            str(today),
            seconds,
            load,
            f"inserted {inserted_again:,} (must be 0); {_generation_details(result)}",
        )
    )
    next_day = today + datetime.timedelta(days=1)
    result, seconds, load = _timed("next day", lambda: follow_ups_generate(today=next_day))
    rows.append(
        ("Daily follow-up run, the next morning", str(next_day), seconds, load, _generation_details(result))
    )
    scan_day = today + datetime.timedelta(days=2)
    result, seconds, load = _timed("trigger scan", lambda: _trigger_scan(scan_day))
    rows.append(
        (
            "Life-event trigger scan alone (every active trigger, no plans)",
            str(scan_day),
            seconds,
            load,
            _generation_details(result),
        )
    )
    preview = _timed("campaign preview", _campaign_preview)
    if preview[0] is not None:
        counts, seconds, load = preview
        excluded = ", ".join(f"{reason} {count:,}" for reason, count in counts["excluded"].items())
        rows.append(
            (
                "Campaign eligibility preview: e-mail marketing to VIP and private banking",
                str(today),
                seconds,
                load,
                f"{counts['targeted']:,} targeted, {counts['eligible']:,} eligible; "
                f"excluded: {excluded or 'none'}",
            )
        )
    follow_ups_after = FollowUp.objects.count()
    facts = database_facts()
    lines = [
        "# Relationship care at bank scale",
        "",
        f"Generated by `python -m bench.care` on {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC "
        f"over "
        f"{customers:,} customers (the data of `make bench`), each step timed once in-process "
        f"(each is a write whose second run is another case). Target: each under {TARGET_SECONDS} s.",
        "",
        f"Machine: {os.cpu_count()} cores, PostgreSQL {facts['version']} on the same machine (shared_buffers "
        f"{facts['shared_buffers']}, work_mem {facts['work_mem']}; database {facts['database_size']}). "
        f"{consents} Follow-ups: {follow_ups_before:,} before the runs, {follow_ups_after:,} after.",
        "",
        "| step | day | seconds | load before / after | what it did | target |",
        "| --- | --- | ---: | --- | --- | --- |",
    ]
    for title, day, seconds, (before, after), details in rows:
        lines.append(
            f"| {title} | {day} | {seconds:.1f} | {before:.1f} / {after:.1f} | {details} | "
            f"< {TARGET_SECONDS} s: {_verdict(seconds)} |"
        )
    text = "\n".join(lines) + "\n"
    write_section(arguments.output, "care", text)
    _print()
    _print(text)
    _print(f"Written to {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
