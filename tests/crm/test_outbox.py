"""The transactional outbox: sent after commit, kept while the broker is down, swept once."""

from __future__ import annotations

import datetime
import logging

import pytest
from celery import shared_task
from django.core.management import call_command
from django.db import transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from crm.models import OutboxMessage
from crm.outbox import LEASE, broker_breaker, outbox_deliver, outbox_enqueue, outbox_sweep

pytestmark = pytest.mark.django_db

TASK = "tests.crm.test_outbox.record_call"
CALLS: list[list] = []


@shared_task(name=TASK)
def record_call(*args):
    CALLS.append(list(args))


@pytest.fixture
def broker(monkeypatch, celery_not_eager):
    """What reaches the broker; `broker.down = True` makes every send fail as kombu does."""
    from kombu.exceptions import OperationalError

    class Broker:
        down = False
        sent: list[list] = []

        def apply_async(self, args, **options):
            if self.down:
                raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
            self.sent.append(list(args))

    fake = Broker()
    fake.sent = []
    monkeypatch.setattr(celery_not_eager.tasks[TASK], "apply_async", fake.apply_async)
    return fake


def test_a_message_is_sent_once_after_its_transaction_commits(broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = outbox_enqueue(TASK, 7, 8)
        assert broker.sent == []  # nothing leaves before the commit

    assert broker.sent == [[7, 8]]
    message.refresh_from_db()
    assert (message.attempts, message.last_error, message.claimed_until) == (1, "", None)
    assert message.sent_at is not None
    assert outbox_sweep() == {"sent": 0, "pending": 0, "purged": 0}
    assert broker.sent == [[7, 8]]


def test_a_rolled_back_change_sends_nothing(broker, django_capture_on_commit_callbacks):
    with (django_capture_on_commit_callbacks(execute=True), pytest.raises(ZeroDivisionError),
          transaction.atomic()):
        outbox_enqueue(TASK, 7)
        1 / 0  # noqa: B018

    assert OutboxMessage.objects.count() == 0
    assert broker.sent == []


@pytest.mark.django_db(transaction=True)
def test_enqueue_outside_a_transaction_is_refused(broker):
    with pytest.raises(TransactionManagementError):
        outbox_enqueue(TASK, 7)
    assert OutboxMessage.objects.count() == 0


def test_messages_committed_while_the_broker_is_down_wait_and_are_swept_once(
        broker, django_capture_on_commit_callbacks, caplog):
    broker.down = True
    for n in (1, 2, 3):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            outbox_enqueue(TASK, n)

    # The first send failed and opened the breaker: the next two did not try.
    assert list(OutboxMessage.objects.values_list("attempts", "last_error", "sent_at")) == [
        (1, "OperationalError", None), (0, "", None), (0, "", None)]
    warnings = [r for r in caplog.records if r.name == "crm.resilience" and r.levelno == logging.WARNING]
    assert len(warnings) == 1

    assert outbox_sweep() == {"sent": 0, "pending": 3, "purged": 0}  # still down: stops at the first
    assert OutboxMessage.objects.get(args=[2]).attempts == 0

    broker.down = False
    assert outbox_sweep() == {"sent": 3, "pending": 0, "purged": 0}
    assert outbox_sweep() == {"sent": 0, "pending": 0, "purged": 0}
    assert broker.sent == [[1], [2], [3]]
    assert broker_breaker.failing is False


def test_a_message_another_sender_holds_is_not_sent_twice(broker):
    with transaction.atomic():
        message = outbox_enqueue(TASK, 5)
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=timezone.now() + LEASE)

    assert outbox_deliver(message_id=message.pk) is False
    assert outbox_sweep()["sent"] == 0

    # The holder died without marking it sent: after the lease it goes again.
    expired = timezone.now() - datetime.timedelta(seconds=1)
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=expired)
    assert outbox_sweep()["sent"] == 1
    assert broker.sent == [[5]]


def test_sent_messages_are_purged_after_a_week(broker):
    with transaction.atomic():
        old = outbox_enqueue(TASK, 1)
        recent = outbox_enqueue(TASK, 2)
    OutboxMessage.objects.filter(pk=old.pk).update(sent_at=timezone.now() - datetime.timedelta(days=8))
    OutboxMessage.objects.filter(pk=recent.pk).update(sent_at=timezone.now() - datetime.timedelta(days=6))

    assert outbox_sweep() == {"sent": 0, "pending": 0, "purged": 1}
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_command_sends_and_fails_while_nothing_can_be_sent(broker, capsys):
    with transaction.atomic():
        outbox_enqueue(TASK, 1)
    broker.down = True
    with pytest.raises(SystemExit) as exit_info:
        call_command("outbox_sweep")
    assert exit_info.value.code == 1
    assert capsys.readouterr().out == "Sent 0, pending 1, purged 0.\n"

    broker.down = False
    call_command("outbox_sweep")
    assert capsys.readouterr().out == "Sent 1, pending 0, purged 0.\n"


def test_in_eager_mode_the_task_runs_once_as_it_is_sent(django_capture_on_commit_callbacks):
    CALLS.clear()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        outbox_enqueue(TASK, 3)
    assert CALLS == [[3]]
    assert outbox_sweep()["sent"] == 0
    assert CALLS == [[3]]


def test_beat_sweeps_the_outbox_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["crm-outbox-sweep"]
    assert entry == {"task": "crm.tasks.outbox_sweep", "schedule": datetime.timedelta(minutes=1)}
