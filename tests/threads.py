"""Running test code in real threads, each with its own database connection (for races that
only PostgreSQL's locks decide)."""

from __future__ import annotations

import threading

from django.db import connection


def run_concurrently(*targets) -> list[Exception]:
    """Start one thread per callable, let them begin together (a barrier), wait for all, and
    return the exceptions they raised. Each thread closes its own connection when done."""
    errors: list[Exception] = []
    start = threading.Barrier(len(targets), timeout=10)

    def wrapped(target):
        try:
            start.wait()
            target()
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrapped, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
