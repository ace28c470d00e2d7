"""The project's Celery worker, for the test that kills it in the middle of an import apply.

Run as `celery -A tests.customers.intake.fault_worker worker --pool=solo`. It is the project's
app (crm.celery) with the test's settings from the environment, and two test controls:

- FAULT_BATCH_SIZE: rows per apply batch, so a small file takes several batches;
- FAULT_STALL_AFTER_BATCHES=n and FAULT_MARKER=path: after writing batch n+1 (inside its
  transaction, not yet committed), write the marker file and wait to be killed.

FAULT_VISIBILITY_TIMEOUT makes a restarted worker take back, at once, a message that a killed
worker had taken but never acknowledged.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
django.setup()

from crm.celery import app  # noqa: E402
from customers.intake import services  # noqa: E402

if os.environ.get("FAULT_BATCH_SIZE"):
    services.BATCH_SIZE = int(os.environ["FAULT_BATCH_SIZE"])

if os.environ.get("FAULT_VISIBILITY_TIMEOUT"):
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "visibility_timeout": int(os.environ["FAULT_VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }

if os.environ.get("FAULT_STALL_AFTER_BATCHES"):
    _stall_after = int(os.environ["FAULT_STALL_AFTER_BATCHES"])
    _process_batch = services.process_batch
    _calls = []

    def _stalling_process_batch(context, records):
        outcome = _process_batch(context, records)
        _calls.append(len(records))
        if len(_calls) > _stall_after:
            Path(os.environ["FAULT_MARKER"]).write_text(str(len(_calls)))
            time.sleep(600)
        return outcome

    services.process_batch = _stalling_process_batch

__all__ = ["app"]
