"""Circuit breakers for the servers a request can do without for a while (Redis).

A breaker that has seen a failure stays open for `open_seconds`: callers skip the server and
use their fallback instead of waiting for a socket timeout on every request. When the time is
up the next call tries the server again; a success closes the breaker, a failure opens it for
another period. The outage is logged once when it starts and once when it ends, never per
request. State is per process, as the fallbacks are.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)


class CircuitBreaker:
    """Whether to try `name` now; `record_failure` / `record_success` after each try."""

    def __init__(self, name: str, *, open_seconds: float, fallback: str,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.open_seconds = open_seconds
        self.fallback = fallback
        self.clock = clock
        self._lock = threading.Lock()
        self._failing = False
        self._retry_at = 0.0

    @property
    def failing(self) -> bool:
        """True from the first failure of an outage until the server answers again."""
        return self._failing

    def allows(self) -> bool:
        """True when the server should be tried: closed, or open for long enough."""
        return not self._failing or self.clock() >= self._retry_at

    def record_failure(self, exc: BaseException) -> None:
        with self._lock:
            starting = not self._failing
            self._failing = True
            self._retry_at = self.clock() + self.open_seconds
        if starting:
            # The class only: a driver's message may name hosts or keys.
            logger.warning("%s is unreachable (%s): %s; trying it again every %ss.",
                           self.name, type(exc).__name__, self.fallback, self.open_seconds)

    def record_success(self) -> None:
        if not self._failing:
            return
        with self._lock:
            ending = self._failing
            self._failing = False
            self._retry_at = 0.0
        if ending:
            logger.warning("%s answers again.", self.name)

    def reset(self) -> None:
        """Close the breaker without logging (tests, and a process that starts afresh)."""
        with self._lock:
            self._failing = False
            self._retry_at = 0.0
