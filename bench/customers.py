"""Customer surfaces at bank scale: a million customers, then every surface timed in-process
and over HTTP against gunicorn.

    python -m bench.customers [--customers 1000000] [--base 100000] [--runs 50] [--http-runs 50]

See bench/README.md. The database is `BENCH_DATABASE_URL` if set, otherwise an embedded
PostgreSQL under `.data/bench` (kept between runs, so a second run only measures).
Results go to stdout and bench/results.md (or `--output`).

The parts: `bench.identities` and `bench.copies` make the copied customers, `bench.data`
loads and describes the database, `bench.surfaces` chooses users, terms and customers from
the data, `bench.timing` and `bench.http` time requests in-process and over HTTP, and
`bench.report` writes the results.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
HTTP_WORKERS = 2


def configure_environment() -> None:
    """Point Django at the benchmark database before settings are read."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        # The embedded server gets its own data folder: the portal's `.data` stays untouched.
        os.environ.setdefault("CRM_DATA_DIR", str(BASE_DIR / ".data" / "bench"))
    if os.environ.get("BENCH_REDIS_URL"):
        os.environ["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    # Production-like request handling: no debug page, no query log in memory. The
    # gunicorn server started later inherits these.
    os.environ["DEBUG"] = "false"
    # The harness issues many requests as one user in a few seconds.
    os.environ.setdefault("API_THROTTLE_USER", "100000/minute")
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))


def _print(text: str = "") -> None:
    print(text, flush=True)


def _in_process_clients(subjects, small_book_user=None) -> dict:
    from django.test import Client
    from rest_framework.test import APIClient

    from bench.timing import InProcessClient

    clients = {}
    for key, user in (("rm", subjects.relationship_manager), ("manager", subjects.branch_manager),
                      ("small", small_book_user)):
        if user is not None:
            client = Client()
            client.force_login(user)
            clients[key] = InProcessClient(client)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {subjects.api_token}")
    clients["api"] = InProcessClient(api)
    return clients


def _http_clients(subjects, base_url: str) -> dict:
    from django.urls import reverse

    from bench.http import BrowserSession, TokenSession
    from crm.demo import demo_password

    login = reverse("login")
    return {
        "rm": BrowserSession(base_url, login_path=login, username=subjects.relationship_manager.username,
                             password=demo_password()),
        "manager": BrowserSession(base_url, login_path=login, username=subjects.branch_manager.username,
                                  password=demo_password()),
        "api": TokenSession(base_url, token=subjects.api_token),
    }


def _measure_all(surfaces, clients, *, runs: int, capture: bool, label: str):
    from bench.timing import measure

    results = []
    for surface in surfaces:
        _print(f"  [{label}] {surface.name} as {surface.actor_label} ...")
        results.append(measure(surface, clients[surface.actor], runs=runs, capture=capture))
    return results


def _subject_facts(subjects) -> dict[str, str]:
    manager, rm = subjects.branch_manager, subjects.relationship_manager
    facts = {
        "Biggest branch": f"{subjects.branch.code}, {subjects.branch_size:,} customers; its branch manager "
                          f"`{manager.username}`",
        "Biggest book": f"`{rm.username}`, {subjects.book_size:,} customers",
    }
    for label, term, what in (
        ("one token", subjects.one_token, "the most common family name"),
        ("two tokens", subjects.two_tokens, "that family name and its most common other given name"),
    ):
        found = [subjects.matches(user, term) for user in (rm, manager)]
        counts = ", ".join("?" if count is None else f"{count:,}" for count in found)
        facts[f"Name search, {label}"] = (f"'{term}', {what} among individuals; matches for the RM "
                                          f"and the branch manager: {counts}")
    facts["Fuzzy search"] = f"'{subjects.fuzzy}' (two letters of the given name swapped)"
    for label, sample, where in (("Browser phone lookup", subjects.branch_lookup, " in the biggest branch"),
                                 ("API phone lookup", subjects.api_lookup, "")):
        kind = "copies" if sample.copied else "customers"
        facts[label] = (f"customer {sample.number}, picked at random among the {kind} with a phone{where}; "
                        "the reply must contain that customer")
    return facts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.customers", description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--base", type=int, default=100_000,
                        help="customers generated by customers.demo; the rest are copies with identities "
                             "of their own")
    parser.add_argument("--runs", type=int, default=50, help="timed requests per surface, in-process")
    parser.add_argument("--http-runs", type=int, default=None,
                        help="timed requests per surface over HTTP (default: --runs)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workers", type=int, default=1, help="processes generating the base customers")
    parser.add_argument("--output", type=Path, default=BASE_DIR / "bench" / "results.md")
    parser.add_argument("--skip-analyze", action="store_true",
                        help="no VACUUM ANALYZE after loading (a run that only measures never runs it)")
    arguments = parser.parse_args(argv)
    http_runs = arguments.runs if arguments.http_runs is None else arguments.http_runs

    configure_environment()
    import django

    django.setup()
    from bench.data import database_facts, populate, table_sizes
    from bench.http import GunicornServer
    from bench.report import RunFacts, render
    from bench.surfaces import Subjects, growth_pairs, plan_surfaces
    from bench.timing import WARM_UP, measure
    from crm.services import api_token_issue
    from customers.models import Customer

    loaded = populate(customers=arguments.customers, base=arguments.base, seed=arguments.seed,
                      workers=arguments.workers, analyse=not arguments.skip_analyze)
    # Pages render with DEBUG off, as in production: their static files must be collected.
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    subjects = Subjects(seed=arguments.seed, base=arguments.base)
    _token, subjects.api_token = api_token_issue(user=subjects.service_account, name="benchmark", ttl_days=1)
    surfaces = plan_surfaces(subjects)
    load: dict[str, tuple[float, float]] = {}

    _print(f"Measuring in-process ({arguments.runs} runs per surface)...")
    measuring_started = time.monotonic()
    before = os.getloadavg()[0]
    in_process = _measure_all(surfaces, _in_process_clients(subjects), runs=arguments.runs, capture=True,
                              label="in-process")
    load["in-process"] = (before, os.getloadavg()[0])

    _print(f"Measuring over HTTP ({http_runs} runs per surface, gunicorn with {HTTP_WORKERS} workers)...")
    from django.urls import reverse

    with GunicornServer(workers=HTTP_WORKERS, ready_path=reverse("login")) as server:
        before = os.getloadavg()[0]
        over_http = _measure_all(surfaces, _http_clients(subjects, server.base_url), runs=http_runs,
                                 capture=False, label="HTTP")
        load["HTTP"] = (before, os.getloadavg()[0])

    _print("Query counts at other page and book sizes (in-process)...")
    small = subjects.small_book_manager()
    clients = _in_process_clients(subjects, small_book_user=small)
    growth = [(title, measure(first, clients[first.actor], runs=3, capture=True),
               measure(second, clients[second.actor], runs=3, capture=True))
              for title, first, second in growth_pairs(subjects, "small")]

    facts = RunFacts(
        customers=Customer.objects.count(), runs=arguments.runs, http_runs=http_runs, warm_up=WARM_UP,
        generated=loaded.generated, base=loaded.base, copies=loaded.copies,
        generated_per_second=loaded.generated_per_second, copied_per_second=loaded.copied_per_second,
        analysed_seconds_before=(measuring_started - loaded.analysed_at) if loaded.analysed_at else None,
        load=load, database=database_facts(), subjects=_subject_facts(subjects), http_workers=HTTP_WORKERS,
        sizes=table_sizes(),
    )
    from bench.sections import keep_sections

    text = render(results=list(zip(in_process, over_http, strict=True)), growth=growth, facts=facts)
    arguments.output.write_text(keep_sections(arguments.output, text), encoding="utf-8")
    _print()
    _print(text)
    _print(f"Written to {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
