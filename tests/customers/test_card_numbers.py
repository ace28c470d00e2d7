"""Card numbers (PAN) are never shown beyond the first six and last four digits, to anyone, on
any surface (PCI DSS 3.4.1), and stay findable through the blind index."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from compliance import access
from compliance.masking import mask_pan
from customers import services
from customers.models import Customer, Holding
from tests.customers.api.helpers import client_for
from tests.customers.factories import make_holding, make_individual

pytestmark = pytest.mark.django_db

CARD = "6225 8812 3456 1234"
CARD_DIGITS = "6225881234561234"
CARD_SHOWN = "622588******1234"
SAVINGS = "6222 0210 0100 5678"
ROLES = ["relationship_manager", "other_relationship_manager", "branch_staff", "branch_manager",
         "compliance_officer", "service_account", "administrator"]


@pytest.fixture
def customer(relationship_manager, branch):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    make_holding(customer, product_type="credit_card", product_name="Platinum card", account_number=CARD,
                 balance=Decimal("-1250.00"))
    make_holding(customer, account_number=SAVINGS)
    return Customer.objects.get(pk=customer.pk)


def _card(customer) -> Holding:
    return customer.holdings.get(product_type="credit_card")


def _admin_ready(user) -> None:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="customers", codename__in=["view_holding", "view_customer"]))


def _reveal_everything(user, customer) -> None:
    services.customer_reveal(actor=user, customer=customer, fields=list(access.sensitive_fields(Customer)),
                             purpose="Checking a disputed payment")


def _bodies(user, customer, client) -> dict[str, str]:
    card = _card(customer)
    client.force_login(user)
    api = client_for(user)
    detail = reverse("customer-detail", args=[customer.pk])
    pages = {
        "page": client.get(detail),
        "fragment": client.get(detail, headers={"HX-Request": "true"}),
        "export": client.get(reverse("customer-export")),
        "admin list": client.get(reverse("admin:customers_holding_changelist")),
        "admin change": client.get(reverse("admin:customers_holding_change", args=[card.pk])),
        "api holdings": api.get(f"/api/v1/customers/{customer.pk}/holdings/"),
        "api customer": api.get(f"/api/v1/customers/{customer.pk}/"),
    }
    return {
        name: (b"".join(response.streaming_content) if response.streaming else response.content).decode()
        for name, response in pages.items()
    }


def _compact(text: str) -> str:
    return text.replace(" ", "").replace("-", "").replace("&nbsp;", "")


@pytest.mark.parametrize("role", ROLES)
def test_no_surface_shows_a_full_card_number_to_any_role(request, role, customer, client):
    user = request.getfixturevalue(role)
    _admin_ready(user)
    if role in ("compliance_officer", "branch_manager"):
        _reveal_everything(user, customer)

    bodies = _bodies(user, customer, client)

    for name, body in bodies.items():
        assert CARD not in body, name
        assert CARD_DIGITS not in _compact(body), name


def test_the_rm_sees_the_card_truncated_and_other_accounts_in_clear(relationship_manager, customer, client):
    _admin_ready(relationship_manager)
    bodies = _bodies(relationship_manager, customer, client)

    assert CARD_SHOWN in bodies["page"]
    assert SAVINGS in bodies["page"]
    assert CARD_SHOWN in bodies["admin change"]
    holdings = {row["product_type"]: row for row in client_for(relationship_manager).get(
        f"/api/v1/customers/{customer.pk}/holdings/").json()["results"]}
    assert holdings["credit_card"]["account_number"] == CARD_SHOWN
    assert holdings["credit_card"]["masked_fields"] == ["account_number"]
    assert holdings["savings_account"]["account_number"] == SAVINGS
    assert holdings["savings_account"]["masked_fields"] == []


def test_a_reveal_does_not_uncover_a_card_number(compliance_officer, customer):
    _reveal_everything(compliance_officer, customer)
    views = {view.obj.product_type: view for view in access.RecordView.for_objects(
        compliance_officer, Holding.objects.filter(customer=customer).select_related("customer"))}

    card = views["credit_card"].field("account_number")
    savings = views["savings_account"].field("account_number")

    assert (card.text, card.masked, card.value) == (CARD_SHOWN, True, None)
    assert (savings.text, savings.masked) == (SAVINGS, False)


def test_those_who_see_account_numbers_masked_see_the_last_four(branch_manager, customer):
    view = access.RecordView.for_object(branch_manager, _card(customer))

    assert view.field("account_number").text == "****1234"


def test_a_card_stays_findable_through_the_blind_index(customer):
    index = Holding._meta.get_field("account_number_index").compute(CARD_DIGITS)
    found = Holding.objects.filter(account_number_index=index)

    assert list(found) == [_card(customer)]


@pytest.mark.parametrize(("value", "shown"), [
    (CARD, CARD_SHOWN), ("4111111111111", "411111***1111"),
    ("6225-8812-3456-1234-567", "622588*********4567"), ("12345678", "****5678"),
])
def test_a_card_number_is_truncated_to_six_and_four(value, shown):
    assert mask_pan(value) == shown
