"""Concurrent senders on PostgreSQL, with real threads and transactions: the check and the
record are one transaction under the customer's row lock."""

from __future__ import annotations

import contextlib
import threading
import time

import pytest
from django.db import transaction

from customers import outreach
from customers.models import ContactLog
from customers.outreach import pressure
from tests.customers.outreach.conftest import ask, grant
from tests.threads import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)




def test_two_senders_racing_against_a_cap_of_two_never_make_a_third_contact(
    relationship_manager, customer, clock, monkeypatch
):
    grant(relationship_manager, customer, channel="sms")
    grant(relationship_manager, customer, channel="email")
    assert ask(relationship_manager, customer, channel="sms").allowed
    clock.advance(days=8)  # the 7-day cap of 1 has room again; the 30-day cap of 2 has room for one
    # Each sender, once it has counted, waits for the other to count too, so without the lock
    # both would count one contact and both would send. With it the second cannot count until
    # the first has committed; the first stops waiting after a second.
    counted = threading.Barrier(2, timeout=1)
    original = pressure.sent_counts

    def counting_then_waiting(*args, **kwargs):
        counts = original(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            counted.wait()
        return counts

    monkeypatch.setattr(pressure, "sent_counts", counting_then_waiting)
    decisions = []

    def sender(channel):
        return lambda: decisions.append(ask(relationship_manager, customer, channel=channel))

    errors = run_concurrently(sender("sms"), sender("email"))

    assert errors == []
    assert sorted(decision.allowed for decision in decisions) == [False, True]
    refused = next(decision for decision in decisions if not decision.allowed)
    assert refused.detail == {"count": 2, "window_days": 30, "maximum": 2}
    assert ContactLog.objects.filter(outcome="sent").count() == 2


def test_no_message_after_a_withdrawal_commits(relationship_manager, customer):
    grant(relationship_manager, customer)
    withdrawn = threading.Event()
    decisions = []

    def withdraw():
        with transaction.atomic():
            outreach.consent_withdraw(actor=relationship_manager, customer=customer, channel="sms",
                                      purpose="marketing", source="app")
            withdrawn.set()
            time.sleep(0.5)  # the sender asks meanwhile; it must wait for this commit

    def send():
        withdrawn.wait(timeout=5)
        decisions.append(ask(None, customer))

    errors = run_concurrently(withdraw, send)

    assert errors == []
    assert [decision.code for decision in decisions] == ["consent_withdrawn"]
    assert not ContactLog.objects.filter(outcome="sent").exists()
