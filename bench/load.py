"""`make load`: 50 users for five minutes against the portal as `make run` serves it.

    python -m bench.load [--users 50] [--spawn-rate 5] [--minutes 5] [--output bench/load-results.md]

Prepares the data as `make run` does (embedded servers when DATABASE_URL / REDIS_URL are unset,
migrate, the demo bank if the database is empty, collectstatic), starts gunicorn with
`crm.stack.web_command` (the same workers and threads, DEBUG off), issues an API token for the
demo service account, runs the locust scenario `bench/locustfile.py` headless, and writes
throughput, percentiles and errors to the output file. Locust runs as a separate process:
`python -m locust` from this virtualenv (the `bench` extra) or the executable named by
`--locust`. Load averages before and after are recorded: the figures mean little on a machine
busy with something else.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
READY_TIMEOUT_S = 90
TARGET_P95_MS = 500


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prepare(customers: int) -> None:
    from crm import stack

    os.environ["DEBUG"] = "false"
    stack._prepare_environment()
    for arguments in (("migrate", "--noinput", "-v0"),
                      ("seed_demo", "--if-empty", "--customers", str(customers)),
                      ("collectstatic", "--noinput", "-v0")):
        subprocess.run([sys.executable, "manage.py", *arguments], cwd=BASE_DIR, check=True)


def _api_token() -> tuple[str, int]:
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from crm.services import api_token_issue

    user = get_user_model().objects.get(username="svc.corebanking")
    token, raw = api_token_issue(user=user, name="load test", ttl_days=1)
    return raw, token.pk


def _revoke(token_id: int) -> None:
    from crm.models import ApiToken
    from crm.services import api_token_revoke

    api_token_revoke(token=ApiToken.objects.get(pk=token_id))


def _database_facts() -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM customers_customer")
        customers = cursor.fetchone()[0]
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return {"customers": f"{customers:,}", "postgres": version}


@contextlib.contextmanager
def _server(port: int, log_path: Path):
    from crm.stack import web_command

    with open(log_path, "wb") as log:
        process = subprocess.Popen(web_command(port), cwd=BASE_DIR, stdout=subprocess.DEVNULL,
                                   stderr=log, start_new_session=True)
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log_path}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=30) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer in {READY_TIMEOUT_S}s; see {log_path}")
            time.sleep(0.5)
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _locust(arguments: argparse.Namespace, port: int, token: str, prefix: Path) -> int:
    command = (arguments.locust.split() if arguments.locust else [sys.executable, "-m", "locust"]) + [
        "-f", str(BASE_DIR / "bench" / "locustfile.py"), "--headless",
        "-u", str(arguments.users), "-r", str(arguments.spawn_rate),
        "-t", f"{round(arguments.minutes * 60)}s",
        "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
        "--stop-timeout", "10", "--loglevel", "WARNING",
    ]
    environment = dict(os.environ, LOAD_API_TOKEN=token)
    return subprocess.call(command, cwd=BASE_DIR, env=environment)


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _number(value: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def render(*, arguments, stats: list[dict[str, str]], failures: list[dict[str, str]],
           load: tuple[tuple[float, float, float], tuple[float, float, float]], facts: dict[str, str],
           started: datetime.datetime) -> str:
    """The Markdown section of one run."""
    from crm.stack import WEB_THREADS, WEB_WORKERS

    total = next(row for row in stats if row["Name"] == "Aggregated")
    requests = int(_number(total["Request Count"]))
    errors = int(_number(total["Failure Count"]))
    p95 = _number(total["95%"])
    verdict = "met" if errors == 0 and p95 < TARGET_P95_MS else "**missed**"
    before, after = load
    length = "five minutes" if arguments.minutes == 5 else f"{arguments.minutes:g} minutes"
    lines = [
        f"## Load: {arguments.users} users, {length}",
        "",
        f"Generated by `make load` on {started:%Y-%m-%d %H:%M} UTC: {arguments.users} locust users "
        f"(spawned {arguments.spawn_rate}/s, each waiting 1–3 s between requests) for "
        f"{arguments.minutes} minutes against gunicorn as `make run` serves it ({WEB_WORKERS} workers "
        f"of {WEB_THREADS} threads, DEBUG off) on the demo bank ({facts['customers']} customers, "
        f"PostgreSQL {facts['postgres']} on the same machine). Users: relationship managers (3 of 6, "
        "signed in as rm.chen, rm.li, rm.wong: home, customer list, filtered list, name search, "
        "360° view, timeline), branch managers (1 of 6, manager.sun: home, list, books, 360° view) and "
        "the core-banking system (2 of 6, one API token: customer list pages, a customer, import jobs). "
        "Figures include the ramp-up and the sign-ins.",
        "",
        f"Machine: {os.cpu_count()} cores, shared. Load average (1, 5, 15 min) before "
        f"{before[0]:.2f}, {before[1]:.2f}, {before[2]:.2f}; after {after[0]:.2f}, {after[1]:.2f}, "
        f"{after[2]:.2f} (above the core count, response times include waiting for a CPU).",
        "",
        f"**Total: {requests:,} requests, {_number(total['Requests/s']):.1f} requests/s, {errors} errors; "
        f"p50 {_number(total['50%']):.0f} ms, p95 {p95:.0f} ms, p99 {_number(total['99%']):.0f} ms.** "
        f"Target: no error and p95 under {TARGET_P95_MS} ms: {verdict}.",
        "",
        "| request | count | errors | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in stats:
        if row["Name"] == "Aggregated":
            continue
        lines.append(
            f"| {row['Type']} {row['Name']} | {int(_number(row['Request Count'])):,} | "
            f"{int(_number(row['Failure Count']))} | {_number(row['Requests/s']):.2f} | "
            f"{_number(row['50%']):.0f} | {_number(row['95%']):.0f} | {_number(row['99%']):.0f} | "
            f"{_number(row['Max Response Time']):.0f} |")
    if failures:
        lines += ["", "Errors:", "", "| request | error | occurrences |", "| --- | --- | ---: |"]
        lines += [f"| {row['Method']} {row['Name']} | {row['Error']} | {row['Occurrences']} |"
                  for row in failures]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--customers", type=int, default=3000, help="demo customers if the database is empty")
    parser.add_argument("--locust", default=os.environ.get("LOCUST", ""),
                        help="the locust command (default: python -m locust from this virtualenv)")
    parser.add_argument("--output", type=Path, default=BASE_DIR / "bench" / "load-results.md")
    arguments = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    _prepare(arguments.customers)
    token, token_id = _api_token()
    facts = _database_facts()
    port = _free_port()
    work = Path(tempfile.mkdtemp(prefix="crm-load-"))
    started = datetime.datetime.now(datetime.UTC)
    try:
        with _server(port, work / "gunicorn.log"):
            before = os.getloadavg()
            code = _locust(arguments, port, token, work / "load")
            after = os.getloadavg()
    finally:
        _revoke(token_id)
    stats_path = work / "load_stats.csv"
    if not stats_path.exists():
        print(f"locust wrote no statistics (exit code {code}); see {work}", file=sys.stderr)
        return code or 1
    text = render(arguments=arguments, stats=_rows(stats_path), failures=_rows(work / "load_failures.csv"),
                  load=(before, after), facts=facts, started=started)
    arguments.output.write_text("# Load\n\n" + text, encoding="utf-8")
    print(text)
    print(f"Written to {arguments.output}; locust's CSV files and the server log are in {work}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
