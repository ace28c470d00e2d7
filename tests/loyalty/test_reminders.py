"""Points-expiry reminders go through the contact-pressure policy, once per expiry window."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from customers import outreach
from customers.models import ContactLog
from loyalty import points
from loyalty.models import ExpiryReminder
from loyalty.points import ledger

pytestmark = pytest.mark.django_db


def _credit(customer, now, days, amount):
    with transaction.atomic():
        account = ledger.account_lock(customer.pk)
        ledger.credit(account=account, kind="earn", points=amount, occurred_at=now,
                      expires_at=now + datetime.timedelta(days=days))


def test_a_customer_with_points_expiring_soon_is_reminded_once(customer, other_customer, clock, settings):
    settings.LOYALTY_EXPIRY_REMINDER_DAYS = 30
    _credit(customer, clock.current, 10, 100)
    _credit(customer, clock.current, 12, 50)
    _credit(customer, clock.current, 200, 70)  # not soon
    _credit(other_customer, clock.current, 60, 100)  # not soon

    first = points.expiry_reminders_send()
    second = points.expiry_reminders_send()

    assert first.as_dict() == {"recorded": 1, "sent": 1, "refused": 0}
    assert second.as_dict() == {"recorded": 0, "sent": 0, "refused": 0}
    reminder = ExpiryReminder.objects.get()
    assert (reminder.customer_id, reminder.points, reminder.outcome) == (customer.pk, 150, "sent")
    log = ContactLog.objects.get()
    assert (log.sender_kind, log.sender_id, log.purpose, log.actor_id) == (
        "points_reminder", str(reminder.pk), "service", None)
    assert reminder.contact_log_id == log.pk


def test_a_refusal_is_recorded_and_not_bypassed(customer, relationship_manager, clock):
    outreach.consent_withdraw(actor=relationship_manager, customer=customer, channel="sms", purpose="service",
                              source="app")
    _credit(customer, clock.current, 10, 100)

    result = points.expiry_reminders_send()

    assert result.as_dict() == {"recorded": 1, "sent": 0, "refused": 1}
    reminder = ExpiryReminder.objects.get()
    assert (reminder.outcome, reminder.refusal_code) == ("refused", "consent_withdrawn")
    assert not ContactLog.objects.filter(outcome="sent").exists()
