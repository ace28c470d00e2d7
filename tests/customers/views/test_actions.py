"""What the 360° page posts: quick actions, reveal, editing, reassignment, segment override."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from compliance.models import AuditEvent
from customers.models import (
    Customer,
    Interaction,
    Need,
    RevealGrant,
    SegmentOverride,
)
from tests.customers.factories import make_corporate
from tests.customers.views.pages import (
    HTMX,
    PHONE,
    PHONE_SHOWN,
    PURPOSE,
    body_of,
    detail,
    full_name,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------
# Quick actions
# ---------------------------------------------------------------------------------------------


def _interaction_data(**overrides):
    return {"channel": "phone", "interaction_type": "follow_up", "summary": "Called about the renewal",
            **overrides}


def test_logging_an_interaction_without_js_redirects_to_the_timeline(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    response = client.post(reverse("customer-interaction-log", args=[customer.pk]), _interaction_data())

    assert response.status_code == 302
    assert response["Location"] == f"/customers/{customer.pk}/#timeline"
    interaction = Interaction.objects.get(customer=customer)
    assert interaction.summary == "Called about the renewal"
    assert interaction.staff_id == relationship_manager.pk
    customer.refresh_from_db()
    assert customer.last_contact_at == interaction.occurred_at
    assert "Called about the renewal" in body_of(detail(client, customer))


def test_logging_an_interaction_with_htmx_refreshes_the_timeline(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    response = client.post(reverse("customer-interaction-log", args=[customer.pk]), _interaction_data(),
                           **HTMX)

    body = body_of(response)
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="quick-actions"' in body
    assert 'data-testid="timeline" hx-swap-oob="true"' in body
    assert "Called about the renewal" in body and "Interaction logged." in body


@pytest.mark.parametrize(("data", "field", "message"), [
    (_interaction_data(summary="   "), "summary", "This field is required."),
    (_interaction_data(channel="pigeon"), "channel", "Select a valid choice."),
    (_interaction_data(occurred_at="2999-01-01T10:00"), "occurred_at",
     "An interaction cannot be in the future."),
    (_interaction_data(occurred_at="yesterday"), "occurred_at", "Enter a valid date/time."),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_interaction_is_redisplayed_and_nothing_is_saved(client, relationship_manager, customer, data,
                                                             field, message, htmx):
    client.force_login(relationship_manager)

    response = client.post(reverse("customer-interaction-log", args=[customer.pk]), data,
                           **(HTMX if htmx else {}))

    assert response.status_code == 200
    form = response.context["interaction_form"]
    assert any(message in error for error in form.errors[field])
    assert ("<html" in body_of(response)) is not htmx
    assert not Interaction.objects.filter(customer=customer).exists()
    customer.refresh_from_db()
    assert customer.last_contact_at is None


def test_recording_a_need(client, branch_staff, customer):
    client.force_login(branch_staff)

    response = client.post(reverse("customer-need-record", args=[customer.pk]),
                           {"need_type": "wealth_growth", "note": "Asked about funds"}, **HTMX)

    need = Need.objects.get(customer=customer)
    assert (need.need_type, need.note, need.recorded_by_id) == ("wealth_growth", "Asked about funds",
                                                                branch_staff.pk)
    assert 'data-testid="needs" hx-swap-oob="true"' in body_of(response)


def test_a_need_outside_the_kinds_catalogue_is_refused(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    response = client.post(reverse("customer-need-record", args=[customer.pk]), {"need_type": "financing"})

    assert response.status_code == 200
    assert response.context["need_form"].errors["need_type"]
    assert not Need.objects.exists()


# ---------------------------------------------------------------------------------------------
# Reveal
# ---------------------------------------------------------------------------------------------


def test_compliance_reveal_shows_the_chosen_fields_until_expiry(client, compliance_officer, customer):
    client.force_login(compliance_officer)
    before = body_of(detail(client, customer))

    response = client.post(reverse("customer-reveal", args=[customer.pk]),
                           {"fields": ["phone"], "purpose": PURPOSE, "minutes": "15"})
    after = body_of(detail(client, customer))
    RevealGrant.objects.filter(customer=customer).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1))
    expired = body_of(detail(client, customer))

    assert PHONE_SHOWN not in before and 'data-testid="reveal"' in before
    assert response.status_code == 302
    assert PHONE_SHOWN in after and "wei.zhang@example.cn" not in after
    assert 'data-testid="reveal-grants"' in after
    assert PHONE_SHOWN not in expired
    event = AuditEvent.objects.get(action="pii.reveal_granted")
    assert (event.actor_id, event.fields, event.purpose) == (compliance_officer.pk, ["phone"], PURPOSE)


@pytest.mark.parametrize(("data", "field"), [
    ({"fields": ["phone"], "purpose": "because", "minutes": "15"}, "purpose"),
    ({"purpose": PURPOSE, "minutes": "15"}, "fields"),
    ({"fields": ["annual_revenue"], "purpose": PURPOSE, "minutes": "15"}, "fields"),
    ({"fields": ["phone"], "purpose": PURPOSE, "minutes": "600"}, "minutes"),
])
def test_bad_reveal_is_redisplayed_and_grants_nothing(client, compliance_officer, customer, data, field):
    client.force_login(compliance_officer)

    response = client.post(reverse("customer-reveal", args=[customer.pk]), data)

    assert response.status_code == 200
    assert response.context["reveal_form"].errors[field]
    assert not RevealGrant.objects.exists()
    assert PHONE_SHOWN not in body_of(response)


# ---------------------------------------------------------------------------------------------
# Editing
# ---------------------------------------------------------------------------------------------


def _edit_data(form) -> dict:
    data = {}
    for name in form.fields:
        value = form.initial.get(name)
        if value is None or value is False:
            continue
        data[name] = ",".join(value) if isinstance(value, list) else value
    return data


def test_rm_edits_details_including_sensitive_fields(client, relationship_manager, customer):
    client.force_login(relationship_manager)
    data = _edit_data(client.get(reverse("customer-edit", args=[customer.pk])).context["form"])
    data.update({"phone": "+86 139 2222 3333", "profile-occupation": "Architect"})

    response = client.post(reverse("customer-edit", args=[customer.pk]), data)

    assert response.status_code == 302
    customer = Customer.objects.get(pk=customer.pk)
    assert customer.phone == "+86 139 2222 3333"
    assert customer.individual.occupation == "Architect"
    assert customer.history.filter(kind="updated").get().data == {"fields": ["occupation", "phone"]}


def test_edit_with_an_invalid_phone_changes_nothing(client, relationship_manager, customer):
    client.force_login(relationship_manager)
    data = _edit_data(client.get(reverse("customer-edit", args=[customer.pk])).context["form"])
    data.update({"phone": "call me maybe", "profile-occupation": "Architect"})

    response = client.post(reverse("customer-edit", args=[customer.pk]), data)

    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == ["Enter a valid phone number."]
    customer = Customer.objects.get(pk=customer.pk)
    assert (customer.phone, customer.individual.occupation) == (PHONE, "Engineer")
    assert not customer.history.filter(kind="updated").exists()


def test_branch_manager_edits_only_what_they_see(client, branch_manager, customer):
    client.force_login(branch_manager)
    page = client.get(reverse("customer-edit", args=[customer.pk]))
    data = _edit_data(page.context["form"])
    data.update({"phone": "+86 139 2222 3333", "profile-employer": "Harbour Port Group"})

    response = client.post(reverse("customer-edit", args=[customer.pk]), data)

    assert "phone" not in page.context["form"].fields
    assert "profile-annual_income" not in page.context["form"].fields
    assert PHONE_SHOWN not in body_of(page) and 'data-testid="hidden-fields"' in body_of(page)
    assert response.status_code == 302
    customer = Customer.objects.get(pk=customer.pk)
    assert customer.phone == PHONE
    assert customer.individual.employer == "Harbour Port Group"


def test_rm_edits_a_corporate_profile(client, relationship_manager, branch):
    company = make_corporate(relationship_manager=relationship_manager, branch=branch)
    client.force_login(relationship_manager)
    data = _edit_data(client.get(reverse("customer-edit", args=[company.pk])).context["form"])
    data.update({"profile-countries_of_operation": "cn,hk,sg", "profile-annual_revenue": "120000000.00",
                 "profile-employees": "240"})

    response = client.post(reverse("customer-edit", args=[company.pk]), data)

    assert response.status_code == 302
    profile = Customer.objects.get(pk=company.pk).corporate
    assert profile.countries_of_operation == ["CN", "HK", "SG"]
    assert (profile.annual_revenue, profile.revenue_band, profile.employees) == (
        Decimal("120000000.00"), Decimal("100000000.00"), 240)


def test_saving_an_unchanged_form_records_nothing(client, relationship_manager, customer):
    client.force_login(relationship_manager)
    data = _edit_data(client.get(reverse("customer-edit", args=[customer.pk])).context["form"])

    response = client.post(reverse("customer-edit", args=[customer.pk]), data, follow=True)

    assert "Nothing was changed." in body_of(response)
    assert not customer.history.filter(kind="updated").exists()


# ---------------------------------------------------------------------------------------------
# Reassignment, books, delegation, segment override
# ---------------------------------------------------------------------------------------------


def test_branch_manager_reassigns_a_customer(client, branch_manager, relationship_manager, customer,
                                             colleague):
    client.force_login(branch_manager)
    page = detail(client, customer)

    response = client.post(reverse("customer-reassign", args=[customer.pk]),
                           {"relationship_manager": colleague.pk}, follow=True)

    field = page.context["reassign_form"].fields["relationship_manager"]
    choices = [choice for choice, _label in field.choices]
    assert {str(value) for value in choices if value} == {str(relationship_manager.pk), str(colleague.pk)}
    assert Customer.objects.get(pk=customer.pk).relationship_manager == colleague
    assert f"The customer now belongs to {full_name(colleague)}" in body_of(response)
    client.force_login(relationship_manager)
    assert detail(client, customer).status_code == 404


def test_reassigning_to_an_rm_of_another_branch_is_refused(client, branch_manager, customer,
                                                           other_relationship_manager, relationship_manager):
    client.force_login(branch_manager)

    response = client.post(reverse("customer-reassign", args=[customer.pk]),
                           {"relationship_manager": other_relationship_manager.pk})

    assert response.status_code == 200
    assert response.context["reassign_form"].errors["relationship_manager"]
    assert Customer.objects.get(pk=customer.pk).relationship_manager == relationship_manager

def test_branch_manager_sets_a_segment_by_hand(client, branch_manager, customer):
    expires = timezone.localdate() + datetime.timedelta(days=60)
    client.force_login(branch_manager)

    response = client.post(reverse("customer-segment-override", args=[customer.pk]),
                           {"segment": "vip", "reason": "Moving 8M from another bank",
                            "expires_on": expires.isoformat()}, follow=True)

    override = SegmentOverride.objects.get(customer=customer)
    assert (override.segment, override.expires_on, override.created_by) == ("vip", expires, branch_manager)
    assert Customer.objects.get(pk=customer.pk).segment == "vip"
    assert 'data-testid="segment-override"' in body_of(response)


@pytest.mark.parametrize(("data", "field"), [
    ({"segment": "vip", "reason": "short", "expires_on": "2099-01-01"}, "reason"),
    ({"segment": "sme", "reason": "Moving 8M from another bank", "expires_on": "2099-01-01"}, "segment"),
    ({"segment": "vip", "reason": "Moving 8M from another bank", "expires_on": "2001-01-01"}, "expires_on"),
])
def test_bad_segment_override_changes_nothing(client, branch_manager, customer, data, field):
    client.force_login(branch_manager)

    response = client.post(reverse("customer-segment-override", args=[customer.pk]), data)

    assert response.status_code == 200
    assert response.context["override_form"].errors[field]
    assert not SegmentOverride.objects.exists()
    assert Customer.objects.get(pk=customer.pk).segment == "mass"
