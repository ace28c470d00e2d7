"""Queueing the import tasks by name, so the services that queue them never import them.

`customers.intake.tasks` imports the services it runs; if the services imported the tasks
back, the two modules would depend on each other. The names below are the tasks' registered
names, kept from before the tasks moved so that messages already queued still resolve.
"""

from __future__ import annotations

from celery import current_app

VALIDATE_IMPORT = "customers.import_tasks.validate_import"
APPLY_IMPORT = "customers.import_tasks.apply_import"


def send(task_name: str, *args) -> None:
    """Queue the registered task `task_name` with `args` (call it from `on_commit`).

    Raise KeyError if no task of that name is registered (customers' AppConfig registers
    them), and whatever the broker raises when it cannot take the message.
    """
    current_app.tasks[task_name].delay(*args)
