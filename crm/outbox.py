"""The transactional outbox: Celery tasks sent after commit, and again if the broker was down.

A service that needs background work calls `outbox_enqueue(task_name, *ids)` inside its
transaction. The row (`crm.models.OutboxMessage`) commits or rolls back with the business
change, so work is never queued for a change that did not happen, and never lost because the
broker was unreachable when the change committed. After commit the message is sent at once;
if that fails (or the broker is known to be down, see `broker_breaker`), it stays pending and
`outbox_sweep` sends it later: Celery beat runs the sweep every minute, and
`manage.py outbox_sweep` runs it by hand.

Delivery is at least once and, in practice, once: a sender claims a row with a lease before
sending, so the send after commit and a sweep never send the same row together; only a crash
between the broker taking the message and the row being marked sent leads to a second send
after the lease. Every task sent through the outbox is idempotent, so that is harmless.
"""

from __future__ import annotations

import datetime
import functools
import logging

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from crm.models import OutboxMessage
from crm.resilience import CircuitBreaker

logger = logging.getLogger(__name__)

LEASE = datetime.timedelta(seconds=60)
SWEEP_BATCH = 500
KEEP_SENT = datetime.timedelta(days=7)

broker_breaker = CircuitBreaker(
    "Redis (Celery broker)",
    open_seconds=getattr(settings, "REDIS_BREAKER_SECONDS", 30),
    fallback="tasks wait in the outbox until the sweep sends them",
)


def outbox_enqueue(task_name: str, *args: int | str) -> OutboxMessage:
    """Record that `task_name(*args)` must run, in the current transaction; send it on commit.

    `args` must be JSON values (ids, never personal data). Raise TransactionManagementError
    outside an atomic block: a send belongs to the change that calls for it.
    """
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError("outbox_enqueue must be called inside a transaction.")
    message = OutboxMessage.objects.create(task_name=task_name, args=list(args))
    transaction.on_commit(functools.partial(_send_after_commit, message.pk))
    return message


def _send_after_commit(message_id: int) -> None:
    if broker_breaker.allows():
        outbox_deliver(message_id=message_id)
    # Otherwise the broker failed moments ago: the sweep sends it instead of this request
    # waiting for a timeout.


def _claimable() -> Q:
    return Q(sent_at__isnull=True) & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=timezone.now()))


def outbox_deliver(*, message_id: int) -> bool:
    """Send one pending message to the broker unless another sender holds it or it was sent.

    Return True if it was sent now. A broker failure is recorded on the row (the error class)
    and leaves it pending; it never raises for that.
    """
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(_claimable(), pk=message_id).update(
        claimed_until=now + LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return False
    message = OutboxMessage.objects.only("task_name", "args").get(pk=message_id)
    try:
        task = current_app.tasks[message.task_name]
    except KeyError:
        logger.error("Outbox message %s names an unknown task %s.", message_id, message.task_name)
        OutboxMessage.objects.filter(pk=message_id).update(claimed_until=None, last_error="UnknownTask")
        return False
    if task.app.conf.task_always_eager:
        # Tasks run in this process, as they are sent: it is sent once it starts.
        _mark_sent(message_id)
        task.apply_async(args=message.args)
        return True
    try:
        task.apply_async(args=message.args, retry=False)
    except Exception as exc:  # whatever the broker raises; the row stays pending
        broker_breaker.record_failure(exc)
        OutboxMessage.objects.filter(pk=message_id).update(
            claimed_until=None, last_error=type(exc).__name__[:120])
        return False
    broker_breaker.record_success()
    _mark_sent(message_id)
    return True


def _mark_sent(message_id: int) -> None:
    OutboxMessage.objects.filter(pk=message_id).update(
        sent_at=timezone.now(), claimed_until=None, last_error="")


def outbox_sweep(*, limit: int = SWEEP_BATCH) -> dict[str, int]:
    """Send up to `limit` committed messages not yet delivered, oldest first, and delete sent
    messages older than KEEP_SENT. Stop at the first broker failure (the next sweep goes on).

    Return {"sent": n, "pending": messages still waiting, "purged": rows deleted}.
    """
    waiting = list(OutboxMessage.objects.filter(_claimable()).order_by("pk")
                   .values_list("pk", flat=True)[:limit])
    sent = 0
    for message_id in waiting:
        if outbox_deliver(message_id=message_id):
            sent += 1
        elif broker_breaker.failing:
            break
    purged, _ = OutboxMessage.objects.filter(sent_at__lt=timezone.now() - KEEP_SENT).delete()
    pending = OutboxMessage.objects.filter(sent_at__isnull=True).count()
    if sent or pending:
        logger.info("Outbox sweep: %s sent, %s pending.", sent, pending)
    return {"sent": sent, "pending": pending, "purged": purged}
