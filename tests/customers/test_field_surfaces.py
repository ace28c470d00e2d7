"""Every field registered with the trust layer reads the same on every surface, for every role.

For each role and field, the trust layer's RecordView says what the user sees (the clear
value, or a mask string). The 360 page (with its htmx fragment), the API, the admin and the CSV
export must each show exactly that: the clear value where it is clear; where it is masked, the
same mask string and never the clear value. A surface that does not show a field at all is
listed in ABSENT. Card numbers have their own walk in test_card_numbers.py.
"""

from __future__ import annotations

import datetime
import html

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from compliance.access import RecordView
from customers import outreach, services
from customers.models import (
    ConsentEvent,
    ContactHold,
    Customer,
    Holding,
    Interaction,
    Need,
    OfferRule,
    SegmentOverride,
    Suggestion,
)
from customers.outreach import offers
from tests.customers.api.helpers import client_for
from tests.customers.factories import make_holding, make_individual, make_interaction

pytestmark = pytest.mark.django_db

ROLES = ["relationship_manager", "branch_staff", "branch_manager", "compliance_officer"]
# Fields whose text is the same string on every surface (amounts and dates are formatted per
# surface and are left to the surfaces' own tests).
FIELDS = [
    (Customer, "id_number"), (Customer, "phone"), (Customer, "email"), (Customer, "address"),
    (Holding, "account_number"), (Need, "note"), (Interaction, "summary"), (SegmentOverride, "reason"),
    (ConsentEvent, "evidence_reference"), (ContactHold, "reason"), (Suggestion, "decision_note"),
]
SURFACES = ["page", "fragment", "api", "admin", "export"]
# (model, field) -> surfaces that do not show the field at all.
ABSENT = {
    (Customer, "id_number"): {"fragment", "export"},
    (Customer, "phone"): {"fragment"},
    (Customer, "email"): {"fragment"},
    (Customer, "address"): {"fragment", "export"},
    (Holding, "account_number"): {"fragment", "export"},
    (Need, "note"): {"fragment", "export"},
    (Interaction, "summary"): {"export"},
    (SegmentOverride, "reason"): {"fragment", "api", "export"},
    # The 360 page's consent and contact panel shows states, kinds and dates, not these texts.
    (ConsentEvent, "evidence_reference"): {"page", "fragment", "export"},
    (ContactHold, "reason"): {"page", "fragment", "export"},
    # The offers panel shows open suggestions; a decision's note is on the API and the admin.
    (Suggestion, "decision_note"): {"page", "fragment", "export"},
}
ADMIN_MODELS = ["holding", "need", "interaction", "segmentoverride", "consentevent", "contacthold",
                "suggestion"]


@pytest.fixture
def records(relationship_manager, branch, branch_manager):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch,
                               address="88 Century Avenue, Pudong, Shanghai")
    holding = make_holding(customer, account_number="6222 0210 0100 4321", external_reference="H-1")
    need = services.need_record(actor=relationship_manager, customer=customer, need_type="investment",
                                note="Prefers low-risk bond funds")
    interaction = make_interaction(customer, summary="Discussed the maturing term deposit")
    override = SegmentOverride.objects.create(
        customer=customer, segment="vip", reason="Relationship review by the branch",
        expires_on=datetime.date.today() + datetime.timedelta(days=90), created_by=branch_manager)
    outreach.consent_grant(actor=relationship_manager, customer=customer, channel="email",
                           purpose="marketing", source="branch_form", evidence_reference="FORM-ZHANG-0042")
    hold, _created = outreach.contact_hold_place(actor=branch_manager, customer=customer, kind="bereavement",
                                                 reason="Spouse passed away last week")
    rule = OfferRule.objects.select_related("product").get(name="Large deposits, no wealth product")
    suggestion = offers.suggestion_dismiss(
        actor=relationship_manager, reason="other", note="Moving to Singapore in spring",
        suggestion=Suggestion.objects.create(customer=customer, product=rule.product, rule=rule))
    customer = Customer.objects.select_related("individual").get(pk=customer.pk)
    return {Customer: customer, Holding: holding, Need: need, Interaction: interaction,
            SegmentOverride: override, ConsentEvent: ConsentEvent.objects.get(customer=customer),
            ContactHold: hold, Suggestion: Suggestion.objects.get(pk=suggestion.pk)}


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return html.unescape(raw.decode("utf-8-sig"))


def _admin_url(model, obj) -> str:
    name = model._meta.model_name
    return reverse(f"admin:customers_{name}_change", args=[obj.pk])


def _bodies(user, records, client) -> dict:
    customer = records[Customer]
    client.force_login(user)
    api = client_for(user)
    base = f"/api/v1/customers/{customer.pk}/"
    detail = reverse("customer-detail", args=[customer.pk])
    api_bodies = {Customer: api.get(base), Holding: api.get(f"{base}holdings/"),
                  Need: api.get(f"{base}needs/"), Interaction: api.get(f"{base}interactions/"),
                  ConsentEvent: api.get(f"{base}consents/"), ContactHold: api.get(f"{base}holds/"),
                  Suggestion: api.get(f"{base}offers/")}
    admin = {model: client.get(_admin_url(model, obj)) for model, obj in records.items()}
    export = client.get(reverse("customer-export"))
    return {
        "page": _body(client.get(detail)),
        "fragment": _body(client.get(reverse("customer-interactions", args=[customer.pk]),
                                     headers={"HX-Request": "true"})),
        "api": {model: _body(response) for model, response in api_bodies.items()},
        "admin": {model: (_body(response) if response.status_code == 200 else None)
                  for model, response in admin.items()},
        # A role that may not export (403) or use the admin (403) has no such surface.
        "export": _body(export) if export.status_code == 200 else None,
    }


def _admin_ready(user) -> None:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="customers", codename__in=[f"view_{name}" for name in ADMIN_MODELS]))


def _clear_value(obj, name: str) -> str:
    value = getattr(obj, name, None)
    if value is None and hasattr(obj, "individual"):
        value = getattr(obj.individual, name)
    return str(value)


@pytest.mark.parametrize("role", ROLES)
def test_every_surface_shows_a_field_as_the_trust_layer_decides(request, client, records, role):
    user = request.getfixturevalue(role)
    _admin_ready(user)
    bodies = _bodies(user, records, client)
    if role != "branch_staff":  # every other role here holds Django's view or change permission
        assert None not in bodies["admin"].values()

    for model, name in FIELDS:
        obj = records[model]
        shown = RecordView.for_object(user, obj).field(name)
        clear = _clear_value(obj, name)
        for surface in SURFACES:
            if surface in ABSENT[model, name]:
                continue
            body = bodies[surface]
            if isinstance(body, dict):
                body = body.get(model)
            if body is None:
                continue  # the role may not use this surface at all (403)
            where = f"{model.__name__}.{name} on {surface} for {role}"
            assert shown.text in body, where
            if shown.masked:
                assert clear not in body, where


def test_absent_fields_really_are_absent(client, records, relationship_manager):
    # The relationship manager sees everything in clear: the clear value is what would show.
    user = relationship_manager
    _admin_ready(user)
    bodies = _bodies(user, records, client)

    for (model, name), surfaces in ABSENT.items():
        clear = _clear_value(records[model], name)
        for surface in surfaces:
            body = bodies[surface]
            if isinstance(body, dict):
                body = body.get(model)
            body = body or ""
            assert clear not in body, f"{model.__name__}.{name} is shown on {surface}"
