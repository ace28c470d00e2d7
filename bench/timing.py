"""Timing a surface: the same requests in-process (Django's test client, with its SQL) or over
HTTP (`bench.http`), each run timed from the first byte sent to the last byte received."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "InProcessClient",
    "Measurement",
    "Reply",
    "Step",
    "Surface",
    "explain",
    "measure",
]

WARM_UP = 4  # requests before timing: two gunicorn workers each get some
SLOW_MS = 2000.0
SLOW_RUNS = 10


@dataclass(frozen=True)
class Step:
    """One request of a surface: `path` None means the Location the previous reply gave."""

    method: str = "GET"
    path: str | None = None
    data: dict | None = None  # a form body
    json: dict | None = None  # a JSON body


@dataclass(frozen=True)
class Surface:
    """What a user does, as requests: `steps` sent by the client of `actor`.

    `expect` is text the last reply must contain (a customer number), so that a lookup that
    found nothing cannot pass for a fast one. `target_ms` is the median it must stay under.
    """

    name: str
    actor: str
    actor_label: str
    steps: tuple[Step, ...]
    target_ms: float
    expect: str = ""


@dataclass
class Reply:
    status: int
    location: str
    content: bytes


class Client(Protocol):
    def send(self, step: Step, location: str) -> Reply: ...


class InProcessClient:
    """Django's test client (or DRF's, for a token): the full stack without a network."""

    def __init__(self, client) -> None:
        self.client = client

    def send(self, step: Step, location: str) -> Reply:
        path = step.path or location
        if step.method == "GET":
            response = self.client.get(path)
        elif step.json is not None:
            response = self.client.post(path, step.json, format="json")
        else:
            response = self.client.post(path, step.data or {})
        return Reply(response.status_code, response.get("Location", ""), response.content)


@dataclass
class Measurement:
    """The timings of one surface through one kind of client."""

    surface: Surface
    status: str = "ok"
    timings_ms: list[float] = field(default_factory=list)
    first_ms: float | None = None
    queries: list[tuple[int, ...]] = field(default_factory=list)  # per run, per step
    sql_ms: list[float] = field(default_factory=list)
    slowest_sql: str = ""
    slowest_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok" and bool(self.timings_ms)

    @property
    def median(self) -> float:
        return statistics.median(self.timings_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.timings_ms)
        return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]

    @property
    def sql_median(self) -> float | None:
        return statistics.median(self.sql_ms) if self.sql_ms else None

    @property
    def query_count(self) -> str:
        """Queries per request, "3 + 9" for a surface of two requests, ranges if they vary."""
        if not self.queries:
            return "-"
        parts = []
        for step_counts in zip(*self.queries, strict=True):
            low, high = min(step_counts), max(step_counts)
            parts.append(str(low) if low == high else f"{low}-{high}")
        return " + ".join(parts)

    @property
    def max_queries(self) -> int:
        return max((max(counts) for counts in self.queries), default=0)


def _is_read(sql: str) -> bool:
    return sql.lstrip().upper().startswith(("SELECT", "WITH"))


def _reportable(sql: str) -> bool:
    """A read that may be printed: not one that carries a session key or a token digest."""
    return _is_read(sql) and "django_session" not in sql and "apitoken" not in sql


def _run(client: Client, surface: Surface, *, capture: bool) -> tuple[float, Reply, list[list[dict]]]:
    """Send the surface's requests once; return (elapsed ms, last reply, queries per step)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries: list[list[dict]] = []
    location = ""
    elapsed = 0.0
    reply = Reply(0, "", b"")
    for index, step in enumerate(surface.steps):
        if capture:
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                reply = client.send(step, location)
                elapsed += time.perf_counter() - started
            queries.append(captured.captured_queries)
        else:
            started = time.perf_counter()
            reply = client.send(step, location)
            elapsed += time.perf_counter() - started
        if index < len(surface.steps) - 1 and reply.status not in (301, 302, 303):
            break  # the next step needs a redirect that did not come
        location = reply.location
    return elapsed * 1000, reply, queries


def _refusal(surface: Surface, reply: Reply) -> str | None:
    if reply.status in (404, 405):
        return f"not available (HTTP {reply.status})"
    if reply.status != 200:
        return f"HTTP {reply.status}"
    if surface.expect and surface.expect.encode() not in reply.content:
        return "wrong result: the expected customer is not in the reply"
    return None


def measure(surface: Surface, client: Client, *, runs: int, capture: bool) -> Measurement:
    """Time `runs` runs of `surface` after WARM_UP runs (the first one is kept as `first_ms`).

    With `capture` (in-process only) each run's queries are counted and timed, and the
    slowest read is kept for EXPLAIN. A surface slower than SLOW_MS on warm-up is timed
    SLOW_RUNS times only: its verdict is clear, and fifty runs of it would take minutes.
    """
    result = Measurement(surface)
    try:
        warm_up = []
        for _ in range(WARM_UP):
            elapsed, reply, _queries = _run(client, surface, capture=False)
            warm_up.append(elapsed)
            refusal = _refusal(surface, reply)
            if refusal:
                result.status = refusal
                return result
        result.first_ms = warm_up[0]
        if min(warm_up) > SLOW_MS:
            runs = min(runs, SLOW_RUNS)
        for _ in range(runs):
            elapsed, reply, queries = _run(client, surface, capture=capture)
            refusal = _refusal(surface, reply)
            if refusal:
                result.status = refusal
                return result
            result.timings_ms.append(elapsed)
            if not capture:
                continue
            result.queries.append(tuple(len(step) for step in queries))
            flat = [query for step in queries for query in step]
            result.sql_ms.append(sum(float(query["time"]) for query in flat) * 1000)
            slowest = max((query for query in flat if _reportable(query["sql"])),
                          key=lambda query: float(query["time"]), default=None)
            if slowest and float(slowest["time"]) * 1000 > result.slowest_ms:
                result.slowest_ms = float(slowest["time"]) * 1000
                result.slowest_sql = slowest["sql"]
    except Exception as exc:  # a surface under construction must not stop the others
        result.status = f"error: {type(exc).__name__}"
    return result


def explain(sql: str) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of a read-only query; "" for anything else."""
    from django.db import connection, transaction

    if not _is_read(sql):
        return ""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL transaction_read_only = on")
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
    except Exception as exc:
        return f"(EXPLAIN failed: {type(exc).__name__})"
