"""Run the whole stack, or the test suite, with one command (`make run`, `make dev`, `make test`).

    python -m crm.stack run [--port 8000] [--customers 3000]
    python -m crm.stack dev [--port 8000] [--customers 3000]
    python -m crm.stack test [pytest arguments...]

Without DATABASE_URL / REDIS_URL the embedded PostgreSQL and Valkey start first, with their
data under `.data/` (kept between runs); the child processes inherit the URLs and attach to
the same servers. `run` migrates, loads demo data the first time, collects the static files,
then serves the portal as it is served in production (gunicorn, DEBUG off, hashed static
files through whitenoise, the portal's own error pages) beside a Celery worker and Celery
beat until Ctrl-C, which stops every process it started. `dev` runs Django's reloading
debug server instead of gunicorn, with DEBUG on.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from crm import embedded

BASE_DIR = Path(__file__).resolve().parent.parent
STOP_GRACE_SECONDS = 15

# Process sizes. Each gunicorn thread keeps at most one database connection (persistent for
# CONN_MAX_AGE, checked before reuse by CONN_HEALTH_CHECKS); each Celery pool process and
# beat keep one, and the worker's parent process one more.
WEB_WORKERS = 2  # one per core of a small server
WEB_THREADS = 4
CELERY_CONCURRENCY = 2
# Left over for management commands, a shell, migrations and the health check's probes.
SPARE_CONNECTIONS = 10
# gunicorn's logger, named by path (the project package's base does not import the trust layer).
GUNICORN_LOGGER_CLASS = "compliance.log_redaction.GunicornLogger"


def connection_budget() -> int:
    """The most database connections `make run` opens at once (web, worker, beat, spare)."""
    web = WEB_WORKERS * WEB_THREADS
    worker = CELERY_CONCURRENCY + 1
    beat = 1
    return web + worker + beat + SPARE_CONNECTIONS


def web_command(port: int) -> list[str]:
    """gunicorn as it serves the portal in production, on the loopback address."""
    return [
        sys.executable, "-m", "gunicorn", "crm.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(WEB_WORKERS),
        "--worker-class", "gthread",
        "--threads", str(WEB_THREADS),
        "--timeout", "60",
        "--graceful-timeout", str(STOP_GRACE_SECONDS - 5),
        "--access-logfile", "-",
        # Redacts personal data from request lines (compliance.log_redaction).
        "--logger-class", GUNICORN_LOGGER_CLASS,
    ]


def dev_web_command(port: int) -> list[str]:
    """Django's debug server, reloading when the code changes."""
    return [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"]


def background_commands() -> dict[str, list[str]]:
    return {
        "worker": [sys.executable, "-m", "celery", "-A", "crm", "worker", "--loglevel=INFO",
                   f"--concurrency={CELERY_CONCURRENCY}", "--hostname=worker@%h"],
        "beat": [sys.executable, "-m", "celery", "-A", "crm", "beat", "--loglevel=INFO"],
    }


def _data_dir() -> Path:
    return Path(os.environ.get("CRM_DATA_DIR", BASE_DIR / ".data"))


def _prepare_environment() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    if os.environ.get("DJANGO_ENV", "development") != "production":
        started = embedded.ensure_environment(_data_dir())
        for name in started:
            print(f"Embedded {'PostgreSQL' if name == 'DATABASE_URL' else 'Valkey'} "
                  f"started for {name} (data in {_data_dir()})", flush=True)


def _manage(*arguments: str) -> None:
    subprocess.run([sys.executable, "manage.py", *arguments], cwd=BASE_DIR, check=True)


def _stop(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            # Each child leads its own process group: the signal reaches its own children
            # too (gunicorn's workers, the debug server's reloaded process).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for name, process in processes.items():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"{name} did not stop in {STOP_GRACE_SECONDS}s; killing it", flush=True)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run(arguments: argparse.Namespace, *, develop: bool = False) -> int:
    # Every child inherits DEBUG: the debug server with its debug pages for `dev` only.
    os.environ["DEBUG"] = "true" if develop else "false"
    _prepare_environment()
    _manage("migrate", "--noinput")
    _manage("seed_demo", "--if-empty", "--customers", str(arguments.customers))
    if not develop:
        _manage("collectstatic", "--noinput", "--verbosity", "0")
    web = dev_web_command(arguments.port) if develop else web_command(arguments.port)
    commands = {"web": web, **background_commands()}
    processes: dict[str, subprocess.Popen] = {}
    stopping = False

    def request_stop(signum, frame):
        nonlocal stopping
        stopping = True

    import django

    django.setup()  # crm.demo reads Django models
    from crm.demo import DEMO_ACCOUNTS, demo_password

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    exit_code = 0
    try:
        for name, command in commands.items():
            # Children get their own process group: Ctrl-C reaches only this process, which
            # then stops them in order instead of every process racing to exit.
            processes[name] = subprocess.Popen(command, cwd=BASE_DIR, start_new_session=True)
        print(f"\nThe portal is at http://127.0.0.1:{arguments.port}/  (Ctrl-C stops everything)")
        print(f"Demo accounts, password {demo_password()!r}:")
        for account in DEMO_ACCOUNTS:
            print(f"  {account.username:<18} {account.role.label}")
        print(flush=True)
        while not stopping:
            for name, process in processes.items():
                if process.poll() is not None:
                    print(f"{name} exited with code {process.returncode}; stopping", flush=True)
                    exit_code = process.returncode or 1
                    stopping = True
                    break
            time.sleep(0.5)
    finally:
        # Whatever ends the loop, no child outlives this process.
        print("Stopping web, worker and beat...", flush=True)
        _stop(processes)
        print("Stopped.", flush=True)
    return exit_code


def test(pytest_arguments: list[str]) -> int:
    redis_was_set = bool(os.environ.get("REDIS_URL"))
    _prepare_environment()
    if not redis_was_set:
        # Keep the suite off the database index a running `make run` uses: its worker would
        # answer the suite's Celery pings and its data would mix with the tests'.
        os.environ["REDIS_URL"] = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/15"
    return subprocess.call([sys.executable, "-m", "pytest", *pytest_arguments], cwd=BASE_DIR)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "test":
        return test(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m crm.stack")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("run", "the portal as served in production (gunicorn), Celery worker and beat"),
        ("dev", "Django's reloading debug server, Celery worker and beat"),
    ):
        run_parser = sub.add_parser(name, help=help_text)
        run_parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        run_parser.add_argument("--customers", type=int, default=3000)
    sub.add_parser("test", help="the pytest suite")
    arguments = parser.parse_args(argv)
    return run(arguments, develop=arguments.command == "dev")


if __name__ == "__main__":
    sys.exit(main())
