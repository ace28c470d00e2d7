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
5. campaign eligibility previews (counts per exclusion reason, one aggregate query each): e-mail
   marketing to every VIP and private-banking customer; SMS marketing to every retail customer
   (the largest audience); an event invitation to the biggest branch by its branch manager.

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


def _head_office_marketer():
    """A head-office user who may run campaigns for the whole bank (made once)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user, _created = get_user_model().objects.get_or_create(
        username="bench.marketing", defaults={"first_name": "Bench"}
    )
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="customers", codename__in=["view_customer", "manage_campaign"]
        )
    )
    return get_user_model().objects.get(pk=user.pk)


def _biggest_branch_manager():
    from django.db.models import Count

    from crm.roles import Role
    from customers.models import Customer

    branch_id = (
        Customer.objects.values("home_branch_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("home_branch_id", flat=True)
        .first()
    )
    from django.contrib.auth import get_user_model

    manager = (
        get_user_model()
        .objects.filter(groups__name=Role.BRANCH_MANAGER.value, staff_profile__branch_id=branch_id)
        .first()
    )
    return manager, branch_id


def _campaign_previews() -> list[tuple[str, object, tuple[float, float], str]]:
    """Eligibility previews of three campaigns (unsaved: a preview writes nothing): e-mail
    marketing to every VIP and private-banking customer of the bank; SMS marketing to every
    retail customer of the bank (the mass segment included: the largest audience); app-push
    events to every customer of the biggest branch, as its branch manager."""
    from customers.models import Campaign
    from customers.outreach.campaigns.audience import preview

    marketer = _head_office_marketer()
    manager, branch_id = _biggest_branch_manager()
    cases = [
        (
            "e-mail marketing to VIP and private banking (head office)",
            Campaign(
                name="bench",
                created_by=marketer,
                channel="email",
                purpose="marketing",
                segments=["vip", "private"],
                body="x",
            ),
        ),
        (
            "SMS marketing to every retail customer (head office)",
            Campaign(
                name="bench",
                created_by=marketer,
                channel="sms",
                purpose="marketing",
                segments=["mass", "vip", "private"],
                body="x",
            ),
        ),
    ]
    if manager is not None:
        cases.append(
            (
                "app-push event invitation to the biggest branch (its branch manager)",
                Campaign(
                    name="bench",
                    created_by=manager,
                    branch_id=branch_id,
                    channel="app_push",
                    purpose="events",
                    body="x",
                ),
            )
        )
    results = []
    for title, campaign in cases:
        counts, seconds, load = _timed(
            f"campaign preview: {title}", lambda campaign=campaign: preview(campaign)
        )
        excluded = ", ".join(f"{reason} {count:,}" for reason, count in counts.excluded.items() if count)
        results.append(
            (
                title,
                seconds,
                load,
                f"{counts.targeted:,} targeted, {counts.eligible:,} eligible; excluded: {excluded or 'none'}",
            )
        )
    return results


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
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
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
    for title, seconds, load, details in _campaign_previews():
        rows.append((f"Campaign eligibility preview: {title}", str(today), seconds, load, details))
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
