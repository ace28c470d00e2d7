"""Fixtures of the admin tests: a customer with every sensitive field, one row of every
customer-linked model, and a compliance officer with admin access."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from customers import services
from customers.models import (
    Customer,
    CustomerEvent,
    Holding,
    Interaction,
    MergeRecord,
    Need,
    Relationship,
    RevealGrant,
    SegmentOverride,
)
from tests.customers.admin.helpers import (
    ACCOUNT,
    ADDRESS,
    CUSTOMER_MODELS,
    EMAIL,
    ID_NUMBER,
    NOTE,
    PHONE,
    REASON,
    SUMMARY,
)
from tests.customers.factories import make_corporate, make_holding, make_individual, make_interaction


@pytest.fixture
def customer(relationship_manager, branch):
    customer = make_individual(
        relationship_manager=relationship_manager,
        branch=branch,
        phone=PHONE,
        email=EMAIL,
        id_number=ID_NUMBER,
        address=ADDRESS,
        date_of_birth=datetime.date(1980, 1, 1),
        annual_income=Decimal("250000.00"),
    )
    make_holding(customer, account_number=ACCOUNT, balance=Decimal("800000.00"), external_reference="H-1")
    return Customer.objects.get(pk=customer.pk)


@pytest.fixture
def related(customer, relationship_manager, branch, compliance_officer):
    """One row of every customer-linked model."""
    company = make_corporate(relationship_manager=relationship_manager, branch=branch)
    now = timezone.now()
    return {
        Customer: customer,
        Holding: customer.holdings.get(),
        Need: services.need_record(
            actor=relationship_manager, customer=customer, need_type="investment", note=NOTE
        ),
        Relationship: Relationship.objects.create(
            from_customer=customer, to_customer=company, kind="director"
        ),
        Interaction: make_interaction(customer, summary=SUMMARY),
        SegmentOverride: SegmentOverride.objects.create(
            customer=customer,
            segment="vip",
            reason=REASON,
            expires_on=datetime.date.today() + datetime.timedelta(days=90),
            created_by=relationship_manager,
        ),
        CustomerEvent: CustomerEvent.objects.filter(customer=customer).first(),
        RevealGrant: services.customer_reveal(
            actor=compliance_officer,
            customer=customer,
            fields=["phone"],
            purpose="Checking a complaint about fees",
        ),
        MergeRecord: MergeRecord.objects.create(
            survivor=customer,
            merged=company,
            moved={"holdings": []},
            merged_by=relationship_manager,
            merged_at=now,
        ),
    }


@pytest.fixture
def staff_compliance(compliance_officer):
    """A compliance officer with admin access: sees every customer, masked."""
    compliance_officer.is_staff = True
    compliance_officer.save(update_fields=["is_staff"])
    compliance_officer.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="customers",
            codename__in=[f"view_{model._meta.model_name}" for model in CUSTOMER_MODELS],
        )
    )
    return compliance_officer
