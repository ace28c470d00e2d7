"""Fixtures of the outreach tests: a customer with a marketing consent to ask about, and a
clock the tests set (quiet hours depend on the hour; caps on the days between contacts)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from customers import outreach
from tests.customers.factories import make_individual

# Noon in Shanghai (the bank's zone), outside the default quiet hours 21:00-08:00.
NOON_SHANGHAI = datetime.datetime(2026, 6, 10, 4, 0, tzinfo=datetime.UTC)
CAMPAIGN = outreach.ContactSender(kind="campaign", id="42")


class Clock:
    """What `django.utils.timezone.now` answers while the test runs."""

    def __init__(self, start: datetime.datetime):
        self.current = start

    def __call__(self) -> datetime.datetime:
        return self.current

    def advance(self, **delta) -> datetime.datetime:
        self.current += datetime.timedelta(**delta)
        return self.current


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    fixed = Clock(NOON_SHANGHAI)
    monkeypatch.setattr(timezone, "now", fixed)
    return fixed


@pytest.fixture
def customer(relationship_manager, branch):
    return make_individual(relationship_manager=relationship_manager, branch=branch)


def grant(actor, customer, channel="sms", purpose="marketing", evidence="FORM-2026-0001"):
    return outreach.consent_grant(actor=actor, customer=customer, channel=channel, purpose=purpose,
                                  source="branch_form", evidence_reference=evidence)


def ask(actor, customer, channel="sms", purpose="marketing", sender=CAMPAIGN, **extra):
    return outreach.contact_request(actor=actor, customer=customer, channel=channel, purpose=purpose,
                                    reason="Spring deposit campaign", sender=sender, **extra)
