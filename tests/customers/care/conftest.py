"""Fixtures of the relationship-care tests: plans and triggers under the test's control."""

from __future__ import annotations

import pytest

from customers.models import ContactPlan, TriggerRule


@pytest.fixture
def no_triggers(db):
    """Only the contact plans create follow-ups."""
    TriggerRule.objects.update(is_active=False)


@pytest.fixture
def no_plans(db):
    """Only the triggers create follow-ups."""
    ContactPlan.objects.update(is_active=False)


@pytest.fixture
def whole_cycle(settings):
    """Every customer's follow-up of the current cycle is created, wherever in the cycle it falls."""
    settings.CARE_LOOKAHEAD_DAYS = 400
