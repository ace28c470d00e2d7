"""Fixtures of the engagement tests: a clock the tests set (quiet hours and the survey period
depend on it), survey links kept in memory, customers with consent to surveys and events."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from customers import outreach
from loyalty.surveys import delivery
from tests.customers.factories import make_individual

# Noon in Shanghai (the bank's zone), outside the default quiet hours 21:00-08:00.
NOON_SHANGHAI = datetime.datetime(2026, 6, 10, 4, 0, tzinfo=datetime.UTC)


class Clock:
    """What `django.utils.timezone.now` answers while the test runs."""

    def __init__(self, start: datetime.datetime):
        self.current = start

    def __call__(self) -> datetime.datetime:
        return self.current

    def advance(self, **delta) -> datetime.datetime:
        self.current += datetime.timedelta(**delta)
        return self.current

    def set(self, value: datetime.datetime) -> datetime.datetime:
        self.current = value
        return value


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    fixed = Clock(NOON_SHANGHAI)
    monkeypatch.setattr(timezone, "now", fixed)
    return fixed


@pytest.fixture(autouse=True)
def links(settings):
    """Survey links land in `delivery.OUTBOX` (invitation id, url) instead of a gateway."""
    settings.LOYALTY_SURVEY_DELIVERY = "loyalty.surveys.delivery.memory_delivery"
    settings.PORTAL_BASE_URL = "https://portal.example"
    delivery.OUTBOX.clear()
    yield delivery.OUTBOX
    delivery.OUTBOX.clear()


def grant(actor, customer, *, channel="sms", purpose="surveys"):
    return outreach.consent_grant(
        actor=actor,
        customer=customer,
        channel=channel,
        purpose=purpose,
        source="branch_form",
        evidence_reference="FORM-2026-0001",
    )


@pytest.fixture
def customer(relationship_manager, branch):
    return make_individual(relationship_manager=relationship_manager, branch=branch, segment="vip")


@pytest.fixture
def surveyed(customer, relationship_manager):
    """A customer who agreed to surveys by SMS."""
    grant(relationship_manager, customer)
    return customer


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]
