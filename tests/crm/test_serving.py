"""`make run` serves the portal as production does; `make dev` keeps the debug server.

The connection arithmetic keeps gunicorn, Celery and spare sessions below PostgreSQL's limit.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from crm import embedded, stack

BASE_DIR = Path(__file__).resolve().parents[2]


class _FinishedProcess:
    """Stands for a child that exits at once, so that `run` returns after starting it."""

    started: list[list[str]] = []

    def __init__(self, command, **kwargs):
        self.command = command
        self.pid = -1
        self.returncode = 0
        _FinishedProcess.started.append(command)

    def poll(self):
        return 0

    def wait(self, timeout=None):
        return 0


@pytest.fixture
def started(monkeypatch):
    managed: list[tuple[str, ...]] = []
    _FinishedProcess.started = []
    monkeypatch.setenv("DEBUG", os.environ.get("DEBUG", ""))
    monkeypatch.setattr(stack, "_prepare_environment", lambda: None)
    monkeypatch.setattr(stack, "_manage", lambda *arguments: managed.append(arguments))
    monkeypatch.setattr(stack.subprocess, "Popen", _FinishedProcess)
    monkeypatch.setattr(stack.signal, "signal", lambda *arguments: None)
    return managed


@pytest.mark.django_db
def test_run_serves_with_gunicorn_debug_off_and_collected_static(started):
    stack.main(["run", "--port", "8123"])

    web, worker, beat = _FinishedProcess.started
    assert os.environ["DEBUG"] == "false"
    assert ("collectstatic", "--noinput", "--verbosity", "0") in started
    assert web[1:4] == ["-m", "gunicorn", "crm.wsgi:application"]
    assert web[web.index("--bind") + 1] == "127.0.0.1:8123"
    assert web[web.index("--workers") + 1] == str(stack.WEB_WORKERS)
    assert web[web.index("--threads") + 1] == str(stack.WEB_THREADS)
    assert f"--concurrency={stack.CELERY_CONCURRENCY}" in worker
    assert beat[1:6] == ["-m", "celery", "-A", "crm", "beat"]


@pytest.mark.django_db
def test_dev_runs_the_reloading_debug_server(started):
    stack.main(["dev", "--port", "8124"])

    web = _FinishedProcess.started[0]
    assert os.environ["DEBUG"] == "true"
    assert web[1:] == ["manage.py", "runserver", "127.0.0.1:8124"]
    assert not any(arguments[0] == "collectstatic" for arguments in started)


def test_connections_stay_below_the_embedded_postgres_limit():
    assert stack.connection_budget() == (
        stack.WEB_WORKERS * stack.WEB_THREADS + stack.CELERY_CONCURRENCY + 1 + 1
        + stack.SPARE_CONNECTIONS
    )
    usable = embedded.POSTGRES_MAX_CONNECTIONS - embedded.POSTGRES_RESERVED_CONNECTIONS
    assert stack.connection_budget() < usable
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0


@pytest.mark.django_db
def test_connections_stay_below_the_limit_of_the_server_in_use():
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
        cursor.execute("SHOW superuser_reserved_connections")
        reserved = int(cursor.fetchone()[0])

    assert stack.connection_budget() < limit - reserved


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str):
    request = urllib.request.Request(url, headers={"Accept-Language": "zh-hans"})  # noqa: S310 - loopback
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        return opener.open(request, timeout=10)
    except urllib.error.HTTPError as error:
        return error


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *arguments, **keywords):
        return None


@pytest.fixture
def gunicorn(tmp_path):
    """The portal under gunicorn with DEBUG off and collected, hashed static files."""
    environment = {**os.environ, "DEBUG": "false", "STATIC_ROOT": str(tmp_path / "static")}
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                   cwd=BASE_DIR, env=environment, check=True, timeout=120)
    port = _free_port()
    command = [*stack.web_command(port)]
    command[command.index("--workers") + 1] = "1"
    process = subprocess.Popen(command, cwd=BASE_DIR, env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None, process.stderr.read().decode()
            time.sleep(0.3)
    yield base
    process.terminate()
    process.wait(timeout=20)


def test_gunicorn_serves_the_portal_404_and_hashed_static_files(gunicorn, tmp_path):
    missing = _get(f"{gunicorn}/no-such-page/")
    body = missing.read().decode()

    assert missing.status == 404
    assert "URLconf" not in body and "Traceback" not in body
    assert 'data-testid="error-page"' in body
    assert "页面不存在" in body
    stylesheet = re.search(r'href="(/static/crm/css/portal\.[0-9a-f]{12}\.css)"', body)
    assert stylesheet, "the page links the collected, content-hashed stylesheet"
    css = _get(gunicorn + stylesheet.group(1))
    assert css.status == 200
    assert "max-age=315360000" in css.headers["Cache-Control"]
    assert (tmp_path / "static" / "staticfiles.json").exists()

    icon = _get(f"{gunicorn}/favicon.ico")
    assert icon.status == 302
    target = icon.headers["Location"]
    assert re.fullmatch(r"/static/crm/img/favicon\.[0-9a-f]{12}\.svg", target)
    assert _get(gunicorn + target).headers["Content-Type"] == "image/svg+xml"
