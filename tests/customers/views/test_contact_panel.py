"""The 360° page's consent and contact panel: the consent grid, recent contacts and refusals
in words, holds; recording and withdrawing consent (errors shown again), placing and lifting
holds; who is offered what."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from customers import outreach
from customers.models import Consent, ConsentEvent, ContactHold
from tests.customers.views.pages import body_of, detail

pytestmark = pytest.mark.django_db

NOON_SHANGHAI = datetime.datetime(2026, 6, 10, 4, 0, tzinfo=datetime.UTC)


@pytest.fixture
def at_noon(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOON_SHANGHAI)


def _consent(client, customer, **values):
    data = {"status": "granted", "purpose": "marketing", "channel": "sms", "source": "branch_form",
            "evidence_reference": "FORM-77"}
    data.update(values)
    return client.post(reverse("customer-consent-record", args=[customer.pk]), data)


def test_the_rm_records_and_withdraws_a_consent(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    granted = _consent(client, customer)
    withdrawn = _consent(client, customer, status="withdrawn", evidence_reference="")

    assert granted.status_code == withdrawn.status_code == 302
    assert granted["Location"].endswith("#contact-panel")
    assert Consent.objects.get().status == "withdrawn"
    assert ConsentEvent.objects.count() == 2
    cell = body_of(detail(client, customer)).split('data-purpose="marketing"', 1)[1].split("</tr>", 1)[0]
    assert 'data-channel="sms" data-status="withdrawn"' in cell


def test_a_grant_without_evidence_shows_the_form_again_with_its_error(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    response = _consent(client, customer, evidence_reference="", channel="email")

    assert response.status_code == 200
    form = response.context["consent_form"]
    assert list(form.errors) == ["evidence_reference"]
    assert form["channel"].value() == "email"
    assert not ConsentEvent.objects.exists()


def test_refusals_and_contacts_read_in_words_on_the_page(client, relationship_manager, customer, at_noon):
    outreach.consent_grant(actor=relationship_manager, customer=customer, channel="sms", purpose="marketing",
                           source="app", evidence_reference="APP-1")
    sender = outreach.ContactSender(kind="campaign", id="7")
    for _attempt in range(2):
        outreach.contact_request(actor=relationship_manager, customer=customer, channel="sms",
                                 purpose="marketing", reason="Spring deposit campaign", sender=sender)
    client.force_login(relationship_manager)

    body = " ".join(body_of(detail(client, customer)).split())

    assert "not contacted: 1 marketing contact in the last 7 days" in body
    assert "Spring deposit campaign" in body.split('data-testid="recent-contacts"', 1)[1]


def test_holds_are_placed_shown_and_lifted_on_the_page(client, branch_staff, customer):
    client.force_login(branch_staff)

    placed = client.post(reverse("customer-hold-place", args=[customer.pk]),
                         {"kind": "bereavement", "reason": "Spouse passed away"})
    hold = ContactHold.objects.get()
    shown = body_of(detail(client, customer))
    lifted = client.post(reverse("customer-hold-lift", args=[customer.pk]), {"hold": hold.pk})

    assert placed.status_code == lifted.status_code == 302
    assert "Contact on hold (Bereavement)" in shown
    assert "Spouse passed away" not in shown  # the reason stays on the record
    assert ContactHold.objects.get().lifted_at is not None


def test_a_compliance_officer_reads_the_panel_but_is_offered_no_form(client, compliance_officer, customer):
    client.force_login(compliance_officer)

    response = detail(client, customer)
    refused = _consent(client, customer)

    assert 'data-testid="consent-grid"' in body_of(response)
    assert "consent_form" not in response.context and "hold_form" not in response.context
    assert refused.status_code == 403
    assert not ConsentEvent.objects.exists()


def test_another_branchs_rm_gets_404(client, other_relationship_manager, customer):
    client.force_login(other_relationship_manager)

    assert _consent(client, customer).status_code == 404
    assert client.post(reverse("customer-hold-place", args=[customer.pk]),
                       {"kind": "other", "reason": "x"}).status_code == 404


def test_the_edit_page_changes_the_time_zone_and_refuses_an_unknown_one(client, relationship_manager,
                                                                       customer):
    client.force_login(relationship_manager)
    url = reverse("customer-edit", args=[customer.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}

    refused = client.post(url, {**data, "time_zone": "Atlantis/Capital"})
    saved = client.post(url, {**data, "time_zone": "Europe/London"})

    assert refused.status_code == 200 and "time_zone" in refused.context["form"].errors
    assert saved.status_code == 302
    customer.refresh_from_db()
    assert customer.time_zone == "Europe/London"
