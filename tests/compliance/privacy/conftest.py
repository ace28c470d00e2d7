"""Fixtures of the privacy-request tests: a customer with something in every table the
customers app registers, and another customer beside it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from customers import outreach
from customers.care import services as care
from customers.models import FollowUp, Relationship
from customers.services import need_record
from tests.customers.factories import make_holding, make_individual, make_interaction


@pytest.fixture
def subject(relationship_manager, branch_staff, branch):
    customer = make_individual(
        relationship_manager=relationship_manager,
        branch=branch,
        given_name="Lan",
        family_name="Subject",
        phone="+86 139 1111 2222",
        email="lan.subject@example.cn",
        id_number="110105198001019999",
    )
    make_holding(customer, account_number="6222 0210 0100 7777")
    make_interaction(customer, summary="Asked about the subject's own pension plan.")
    need_record(actor=relationship_manager, customer=customer, need_type="wealth_growth")
    outreach.consent_grant(
        actor=relationship_manager,
        customer=customer,
        channel="email",
        purpose="marketing",
        source="branch_form",
        evidence_reference="FORM-SUBJECT-1",
    )
    outreach.consent_grant(
        actor=relationship_manager,
        customer=customer,
        channel="sms",
        purpose="events",
        source="branch_form",
        evidence_reference="FORM-SUBJECT-2",
    )
    outreach.contact_hold_place(
        actor=branch_staff,
        customer=customer,
        kind="bereavement",
        reason="Family bereavement, no marketing for now",
    )
    outreach.contact_request(
        actor=relationship_manager,
        customer=customer,
        channel="post",
        purpose="service",
        reason="Annual statement",
        sender=outreach.ContactSender("staff", ""),
    )
    FollowUp.objects.create(
        customer=customer,
        assigned_to=relationship_manager,
        cycle_key="plan:1:2026-12-01",
        reason="plan",
        reason_data={"months": 1},
        due_on=timezone.localdate(),
    )
    care.appointment_book(
        actor=relationship_manager,
        customer=customer,
        starts_at=timezone.now() + datetime.timedelta(days=2),
        minutes=30,
        place="Lujiazui branch",
    )
    return customer


@pytest.fixture
def other(relationship_manager, branch, subject):
    other = make_individual(
        relationship_manager=relationship_manager,
        branch=branch,
        given_name="Bo",
        family_name="Neighbour",
        phone="+86 137 3333 4444",
        email="bo.neighbour@example.cn",
        id_number="110105198001018888",
    )
    make_interaction(other, summary="The neighbour's own business.")
    Relationship.objects.create(from_customer=subject, to_customer=other, kind="spouse")
    return other
