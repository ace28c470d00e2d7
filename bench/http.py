"""The production-style server and its clients: gunicorn serving `crm.wsgi` with DEBUG off,
signed in to as a browser does (session cookie and CSRF token) or as a system does (token)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin

import requests

from bench.timing import Reply, Step

__all__ = ["BrowserSession", "GunicornServer", "TokenSession"]

BASE_DIR = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 30
REQUEST_TIMEOUT_S = 120


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class GunicornServer:
    """`gunicorn crm.wsgi:application` on 127.0.0.1 and a free port, as a context manager.

    It inherits this process's environment (the same database, Redis and keys) with DEBUG
    off, runs `workers` worker processes, is ready once `ready_path` answers 200, and is
    stopped (SIGTERM, then SIGKILL) on exit. Raise RuntimeError if it does not answer within
    START_TIMEOUT_S; its log is named then.
    """

    def __init__(self, *, workers: int = 2, ready_path: str = "/") -> None:
        self.workers = workers
        self.ready_path = ready_path
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.log_path = Path(tempfile.gettempdir()) / f"bench-gunicorn-{os.getpid()}.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> GunicornServer:
        self.port = _free_port()
        environment = dict(os.environ, DEBUG="false", DJANGO_SETTINGS_MODULE="crm.settings")
        # DEBUG off serves static files from the collected, hashed copies, as `make run` does.
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                       cwd=BASE_DIR, env=environment, check=True)
        command = [sys.executable, "-m", "gunicorn", "crm.wsgi:application",
                   "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
                   "--timeout", str(REQUEST_TIMEOUT_S), "--log-level", "warning",
                   "--error-logfile", str(self.log_path)]
        self.process = subprocess.Popen(command, cwd=BASE_DIR, env=environment,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            self._wait_until_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_until_ready(self) -> None:
        # A worker loads Django on its first request, which can take seconds on a busy machine.
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                response = requests.get(urljoin(self.base_url, self.ready_path), timeout=START_TIMEOUT_S)
                if response.status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"gunicorn did not answer within {START_TIMEOUT_S} s; see {self.log_path}")

    def __exit__(self, *exc_info: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class _Session:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.headers: dict[str, str] = {}

    def _headers(self, step: Step) -> dict[str, str]:
        return self.headers

    def send(self, step: Step, location: str) -> Reply:
        url = urljoin(self.base_url, step.path or location)
        response = self.session.request(step.method, url, data=step.data, json=step.json,
                                        headers=self._headers(step), allow_redirects=False,
                                        timeout=REQUEST_TIMEOUT_S)
        return Reply(response.status_code, response.headers.get("Location", ""), response.content)


class BrowserSession(_Session):
    """A signed-in browser: the login form posted with its CSRF token, then the session
    cookie on every request and the CSRF token on every POST, as the portal's pages send it.
    Raise RuntimeError if signing in fails."""

    def __init__(self, base_url: str, *, login_path: str, username: str, password: str) -> None:
        from django.conf import settings

        super().__init__(base_url)
        self.csrf_cookie = settings.CSRF_COOKIE_NAME
        url = urljoin(base_url, login_path)
        self.session.get(url, timeout=REQUEST_TIMEOUT_S)
        response = self.session.post(url, data={
            "username": username, "password": password,
            "csrfmiddlewaretoken": self.session.cookies.get(self.csrf_cookie, ""),
        }, headers={"Referer": url}, allow_redirects=False, timeout=REQUEST_TIMEOUT_S)
        if response.status_code != 302 or settings.SESSION_COOKIE_NAME not in self.session.cookies:
            raise RuntimeError(f"Signing in as {username} over HTTP failed (HTTP {response.status_code}).")

    def _headers(self, step: Step) -> dict[str, str]:
        if step.method == "GET":
            return {}
        return {"X-CSRFToken": self.session.cookies.get(self.csrf_cookie, "")}


class TokenSession(_Session):
    """A system calling the API with `Authorization: Token <token>`."""

    def __init__(self, base_url: str, *, token: str) -> None:
        super().__init__(base_url)
        self.headers = {"Authorization": f"Token {token}"}
