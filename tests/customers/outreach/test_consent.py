"""Consent services: grants and withdrawals kept as history beside the current state, audited
without their evidence, refused for whoever may not manage the customer's consent; holds
placed and lifted; the customer's time zone."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from compliance.models import AuditEvent
from customers import outreach, services
from customers.models import Consent, ConsentEvent, ContactHold, Customer
from tests.customers.outreach.conftest import grant

pytestmark = pytest.mark.django_db


def test_grant_then_withdraw_keeps_history_and_the_current_state(relationship_manager, branch_staff,
                                                                  customer, clock):
    granted = grant(relationship_manager, customer)
    clock.advance(days=3)
    withdrawn = outreach.consent_withdraw(actor=branch_staff, customer=customer, channel="sms",
                                          purpose="marketing", source="call_centre",
                                          evidence_reference="CALL-9")

    assert granted.pk == withdrawn.pk
    current = Consent.objects.get()
    assert (current.status, current.source, current.changed_by_id, current.changed_at) == (
        "withdrawn", "call_centre", branch_staff.pk, clock.current)
    history = list(outreach.consent_history(customer=customer))
    rows = [(event.status, event.source, event.evidence_reference, event.recorded_by_id) for event in history]
    assert rows == [
        ("withdrawn", "call_centre", "CALL-9", branch_staff.pk),
        ("granted", "branch_form", "FORM-2026-0001", relationship_manager.pk),
    ]
    assert current.event_id == history[0].pk


def test_the_evidence_is_encrypted_and_left_out_of_the_audit(relationship_manager, customer):
    grant(relationship_manager, customer, evidence="FORM-ZHANG-WEI-0001")

    with connection.cursor() as cursor:
        cursor.execute("SELECT evidence_reference FROM customers_consentevent")
        (stored,) = cursor.fetchone()
    event = AuditEvent.objects.get(action="consent.granted")

    assert "ZHANG" not in stored
    assert event.object_id == str(customer.pk)
    assert event.fields == ["evidence_reference"]
    assert event.extra["channel"] == "sms" and event.extra["purpose"] == "marketing"
    assert "FORM-ZHANG" not in str(event.extra)


def test_a_grant_needs_evidence_and_known_choices(relationship_manager, customer):
    with pytest.raises(ValidationError) as raised:
        outreach.consent_grant(actor=relationship_manager, customer=customer, channel="fax",
                               purpose="marketing", source="rumour", evidence_reference=" ")

    assert sorted(raised.value.message_dict) == ["channel", "evidence_reference", "source"]
    assert not ConsentEvent.objects.exists() and not Consent.objects.exists()


@pytest.mark.parametrize("who", ["compliance_officer", "other_relationship_manager", "administrator"])
def test_who_may_not_manage_consent_records_nothing(request, who, customer):
    actor = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        grant(actor, customer)

    assert not ConsentEvent.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="consent.").exists()


@pytest.mark.parametrize("who", ["relationship_manager", "branch_staff", "branch_manager", "service_account"])
def test_who_may_manage_consent(request, who, customer):
    grant(request.getfixturevalue(who), customer)

    assert Consent.objects.get().status == "granted"


def test_a_hold_placed_twice_under_one_reference_is_one_hold(branch_staff, customer):
    first, created = outreach.contact_hold_place(actor=branch_staff, customer=customer, kind="open_complaint",
                                                 reason="Disputed fee", reference="CMP-7")
    again, created_again = outreach.contact_hold_place(actor=branch_staff, customer=customer,
                                                       kind="open_complaint", reason="Disputed fee",
                                                       reference="CMP-7")

    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert ContactHold.objects.count() == 1
    assert AuditEvent.objects.filter(action="contact_hold.placed").count() == 1


def test_a_hold_is_lifted_once_by_whoever_placed_it_or_by_reference(branch_staff, relationship_manager,
                                                                     customer):
    hold, _created = outreach.contact_hold_place(actor=None, customer=customer, kind="open_complaint",
                                                 reason="Disputed fee", reference="CMP-8")
    lifted = outreach.contact_hold_lift_by_reference(actor=None, customer=customer, kind="open_complaint",
                                                     reference="CMP-8", reason="Refund paid")
    again = outreach.contact_hold_lift(actor=relationship_manager, hold=hold)

    assert lifted.pk == hold.pk and lifted.lifted_at is not None and lifted.lift_reason == "Refund paid"
    assert again.lifted_by_id is None  # the second lift changed nothing
    assert AuditEvent.objects.filter(action="contact_hold.lifted").count() == 1
    assert outreach.contact_hold_lift_by_reference(actor=None, customer=customer, kind="open_complaint",
                                                   reference="CMP-8") is None


def test_holds_need_a_known_kind_a_reason_and_the_right(compliance_officer, branch_staff, customer):
    with pytest.raises(ValidationError) as raised:
        outreach.contact_hold_place(actor=branch_staff, customer=customer, kind="holiday", reason="")
    with pytest.raises(PermissionDenied):
        outreach.contact_hold_place(actor=compliance_officer, customer=customer, kind="bereavement",
                                    reason="Spouse passed away")

    assert sorted(raised.value.message_dict) == ["kind", "reason"]
    assert not ContactHold.objects.exists()


def test_a_customer_lives_in_the_banks_time_zone_until_told_otherwise(relationship_manager, customer):
    assert customer.time_zone == "Asia/Shanghai"

    services.customer_update(actor=relationship_manager, customer=customer,
                             fields={"time_zone": "Europe/London"})
    with pytest.raises(ValidationError) as raised:
        services.customer_update(actor=relationship_manager, customer=customer,
                                 fields={"time_zone": "Mars/Olympus"})

    assert list(raised.value.message_dict) == ["time_zone"]
    assert Customer.objects.get(pk=customer.pk).time_zone == "Europe/London"


def test_the_default_caps_come_back_after_a_flush_and_nothing_else_does(administrator):
    from customers.models import ContactCap
    from customers.outreach.caps import DEFAULT_CAPS, default_caps_restore

    ContactCap.objects.all().delete()
    assert default_caps_restore() == len(DEFAULT_CAPS)
    outreach.contact_cap_save(actor=administrator, cap=ContactCap.objects.get(purpose="surveys"),
                              purpose="surveys", window_days=30, maximum=1, is_active=False)

    assert default_caps_restore() == 0
    assert sorted(ContactCap.objects.values_list("purpose", "window_days", "maximum")) == sorted(DEFAULT_CAPS)


def test_a_customer_with_consents_can_be_deleted_and_takes_them_along(relationship_manager, customer):
    grant(relationship_manager, customer, "email", "marketing")
    outreach.consent_withdraw(actor=relationship_manager, customer=customer, channel="email",
                              purpose="marketing", source="call_centre")
    Customer.objects.filter(pk=customer.pk).delete()
    assert not Consent.objects.filter(customer_id=customer.pk).exists()
    assert not ConsentEvent.objects.filter(customer_id=customer.pk).exists()


def test_a_consent_event_is_never_deleted_alone(relationship_manager, customer):
    from django.db.models import RestrictedError

    grant(relationship_manager, customer, "email", "marketing")
    with pytest.raises(RestrictedError):
        ConsentEvent.objects.filter(customer=customer).delete()
