"""Admin of consent, holds and the contact log (read-only, evidence and reasons masked as on
every surface, restricted to the customers the user sees) and of contact caps (saved through
their service, audited once)."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission

from compliance.models import AuditEvent
from customers import outreach
from customers.models import ConsentEvent, ContactCap, ContactHold, ContactLog
from tests.customers.admin.helpers import admin_url, page

pytestmark = pytest.mark.django_db

EVIDENCE = "FORM-ZHANG-0001"
HOLD_REASON = "Spouse passed away last week"


@pytest.fixture
def outreach_rows(relationship_manager, branch_staff, customer):
    outreach.consent_grant(actor=relationship_manager, customer=customer, channel="email",
                           purpose="marketing", source="branch_form", evidence_reference=EVIDENCE)
    hold, _created = outreach.contact_hold_place(actor=branch_staff, customer=customer, kind="bereavement",
                                                 reason=HOLD_REASON)
    outreach.contact_request(actor=relationship_manager, customer=customer, channel="email",
                             purpose="marketing", reason="Spring campaign",
                             sender=outreach.ContactSender(kind="campaign", id="1"))
    return {ConsentEvent: ConsentEvent.objects.get(), ContactHold: hold, ContactLog: ContactLog.objects.get()}


@pytest.fixture
def staff_compliance_outreach(compliance_officer):
    compliance_officer.is_staff = True
    compliance_officer.save(update_fields=["is_staff"])
    compliance_officer.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="customers",
        codename__in=["view_consentevent", "view_contacthold", "view_contactlog", "view_consent"]))
    return compliance_officer


@pytest.mark.parametrize("model", [ConsentEvent, ContactHold, ContactLog], ids=lambda model: model.__name__)
def test_a_compliance_officer_reads_outreach_records_masked(client, staff_compliance_outreach, outreach_rows,
                                                             model):
    client.force_login(staff_compliance_outreach)

    listing = page(client, admin_url(model))
    detail = page(client, admin_url(model, "change", outreach_rows[model].pk))

    for body in (listing, detail):
        assert EVIDENCE not in body and HOLD_REASON not in body
    if model is ContactLog:
        assert "not contacted: contact on hold (bereavement) since" in detail


def test_the_administrator_sees_no_customers_outreach(client, administrator, outreach_rows):
    client.force_login(administrator)

    assert client.get(admin_url(ContactHold, "change", outreach_rows[ContactHold].pk)).status_code == 404
    assert outreach_rows[ContactHold].customer.number not in page(client, admin_url(ConsentEvent))


def test_caps_are_changed_in_admin_through_their_service(client, administrator):
    cap = ContactCap.objects.get(purpose="marketing", window_days=30)
    client.force_login(administrator)

    response = client.post(admin_url(ContactCap, "change", cap.pk),
                           {"purpose": "marketing", "window_days": 30, "maximum": 3, "is_active": "on"})

    assert response.status_code == 302
    assert ContactCap.objects.get(pk=cap.pk).maximum == 3
    event = AuditEvent.objects.get(action="config.changed", object_type="customers.contactcap")
    assert event.fields == ["maximum"]
    assert not LogEntry.objects.exists()


def test_a_cap_that_repeats_a_window_is_refused_on_the_form(client, administrator):
    client.force_login(administrator)

    response = client.post(admin_url(ContactCap, "add"), {"purpose": "marketing", "window_days": 30,
                                                         "maximum": 5})

    assert response.status_code == 200
    assert ContactCap.objects.filter(purpose="marketing", window_days=30).get().maximum == 2


def test_staff_without_the_permission_may_not_change_caps(client, branch_manager):
    branch_manager.is_staff = True
    branch_manager.save(update_fields=["is_staff"])
    cap = ContactCap.objects.get(purpose="marketing", window_days=7)
    client.force_login(branch_manager)

    response = client.post(admin_url(ContactCap, "change", cap.pk),
                           {"purpose": "marketing", "window_days": 7, "maximum": 9, "is_active": "on"})

    assert response.status_code == 403
    assert ContactCap.objects.get(pk=cap.pk).maximum == 1
