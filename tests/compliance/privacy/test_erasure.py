"""Erasure: what may go is erased, what the law requires is kept, and the answer says which."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from compliance.models import AuditEvent
from compliance.privacy import services
from customers.models import (
    Appointment,
    Consent,
    ContactHold,
    Customer,
    FollowUp,
    Holding,
    Interaction,
    Need,
    Relationship,
)
from tests.customers.factories import make_interaction

pytestmark = pytest.mark.django_db


def _erase(actor, customer):
    request = services.request_log(
        actor=actor,
        kind="erasure",
        subject_type_name="customers.customer",
        subject_reference=customer.number,
        channel="branch",
        verification="id_document",
    )
    return services.request_complete(actor=actor, request=request, answer="Erased as the law allows.")


def _close(customer, *, ended_years_ago: float):
    Holding.objects.filter(customer=customer).update(status="closed")
    moment = timezone.now() - datetime.timedelta(days=365 * ended_years_ago)
    Holding.objects.filter(customer=customer).update(updated_at=moment)
    Customer.objects.filter(pk=customer.pk).update(status="closed", last_contact_at=moment, updated_at=moment)
    return Customer.objects.get(pk=customer.pk)


def test_erasing_a_current_customer_removes_what_may_go_and_keeps_identity(
    compliance_officer, subject, other
):
    make_interaction(subject, interaction_type="complaint", summary="Complained about a late transfer.")
    closed = _erase(compliance_officer, subject)
    assert not Need.objects.filter(customer=subject).exists()
    assert not Relationship.objects.filter(from_customer=subject).exists()
    assert Customer.objects.filter(pk=other.pk).exists()
    summaries = {item.interaction_type: item.summary for item in Interaction.objects.filter(customer=subject)}
    assert summaries["complaint"] == "Complained about a late transfer."
    assert summaries["follow_up"].startswith("Erased at the customer's request")
    follow_up = FollowUp.objects.get(customer=subject)
    assert follow_up.status == "cancelled"
    appointment = Appointment.objects.get(customer=subject)
    assert appointment.cancelled_at is not None and "Lujiazui" not in appointment.place
    assert "bereavement" not in ContactHold.objects.get(customer=subject).reason
    outreach = Consent.objects.filter(customer=subject, purpose__in=["marketing", "surveys", "events"])
    assert outreach.count() == 18 and set(outreach.values_list("status", flat=True)) == {"withdrawn"}
    subject.refresh_from_db()
    assert subject.do_not_contact
    assert subject.phone == "+86 139 1111 2222" and subject.id_number == "110105198001019999"
    assert (
        "Kept: Identity, contact and profile details, because of the customer still holds products"
        in closed.answer
    )
    assert "Kept: Records of complaints, advice and transactions" in closed.answer
    event = AuditEvent.objects.filter(action="privacy.erasure_applied").get()
    assert event.extra["identity_kept"] is True and "Lan" not in str(event.extra)


def test_a_closed_relationship_loses_its_contact_details_and_keeps_kyc_for_the_retention(
    compliance_officer, subject
):
    subject = _close(subject, ended_years_ago=1)
    closed = _erase(compliance_officer, subject)
    subject = Customer.objects.select_related("individual").get(pk=subject.pk)
    assert subject.phone is None and subject.email is None
    assert subject.individual.annual_income is None and subject.individual.occupation == ""
    assert subject.id_number == "110105198001019999" and subject.individual.family_name == "Subject"
    assert "anti-money-laundering records are kept until" in closed.answer


def test_past_the_retention_the_record_is_anonymised(compliance_officer, subject):
    subject = _close(subject, ended_years_ago=6)
    closed = _erase(compliance_officer, subject)
    subject = Customer.objects.select_related("individual").get(pk=subject.pk)
    assert subject.display_name == f"Erased customer {subject.number}"
    assert subject.id_number is None and subject.address is None and subject.individual.date_of_birth is None
    assert subject.individual.family_name == "Erased" and "subject" not in subject.search_name.lower()
    assert "Erased: Identity and KYC details" in closed.answer
