"""Fixtures of the campaign tests: a clock at noon in Shanghai (outside quiet hours), a
head-office campaign manager, a second approver, and helpers to build audiences."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from customers import outreach
from customers.outreach import campaigns
from tests.factories import UserFactory

NOON_SHANGHAI = datetime.datetime(2026, 6, 10, 4, 0, tzinfo=datetime.UTC)


class Clock:
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


def with_permissions(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="customers",
                                                         codename__in=codenames))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def head_office(db):
    """Head office's campaign manager: sees every customer (masked), runs bank-wide campaigns."""
    return with_permissions(UserFactory(username="ho.marketing"), "view_customer", "manage_campaign",
                            "approve_campaign")


@pytest.fixture
def approver(db):
    """A second head-office person who approves large campaigns."""
    return with_permissions(UserFactory(username="ho.approver"), "view_customer", "approve_campaign")


@pytest.fixture
def other_branch_manager(other_branch):
    from crm.roles import Role

    return UserFactory(role=Role.BRANCH_MANAGER, branch=other_branch, username="manager.far")


def grant(actor, customer, channel="sms", purpose="marketing"):
    return outreach.consent_grant(actor=actor, customer=customer, channel=channel, purpose=purpose,
                                  source="branch_form", evidence_reference="FORM-2026-0001")


def definition(**overrides) -> dict:
    values = {"name": "Spring deposit", "channel": "sms", "purpose": "marketing", "subject": "",
              "body": "Dear {name}, {bank} offers 2.1% on 12-month deposits.", "segments": [],
              "branches": [], "kinds": [], "needs": [], "holds_products": [], "lacks_products": [],
              "min_aum": None}
    values.update(overrides)
    return values


def sending_campaign(actor, *, approver=None, **overrides):
    """A campaign created by `actor`, submitted, approved if needed, scheduled now and started
    (recipients created), its batches not yet run."""
    campaign = campaigns.campaign_create(actor=actor, values=definition(**overrides))
    campaign = campaigns.campaign_submit(actor=actor, campaign=campaign)
    if campaign.status == "pending_approval":
        campaign = campaigns.campaign_approve(actor=approver, campaign=campaign)
    campaign = campaigns.campaign_schedule(actor=actor, campaign=campaign)
    campaigns.campaign_start(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    return campaign
