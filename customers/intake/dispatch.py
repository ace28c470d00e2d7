"""Queueing the import tasks by name, so the services that queue them never import them.

`customers.intake.tasks` imports the services it runs; if the services imported the tasks
back, the two modules would depend on each other. The names below are the tasks' registered
names, kept from before the tasks moved so that messages already queued still resolve.
"""

from __future__ import annotations

from crm.outbox import outbox_enqueue

VALIDATE_IMPORT = "customers.import_tasks.validate_import"
APPLY_IMPORT = "customers.import_tasks.apply_import"


def send(task_name: str, *args) -> None:
    """Queue the registered task `task_name` with `args` through the outbox (`crm.outbox`).

    Call it inside the transaction of the change that needs the task: it is sent when that
    commits, or by the outbox sweep once the broker is back if it was down. Both tasks are
    idempotent, so a second delivery is harmless. Raise TransactionManagementError outside a
    transaction.
    """
    outbox_enqueue(task_name, *args)
