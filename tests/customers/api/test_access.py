"""Access matrix of the customers API: every endpoint against every kind of caller.

anonymous 401; a relationship manager of another book 404 on the customer and everything
under it (and absent from lists); the assigned relationship manager in clear; branch staff and
the branch manager masked; the compliance officer masked, then in clear for what a reveal
covers; the service account in clear (and the only one who may upsert by reference); the
administrator sees no customer at all.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from customers import services
from customers.models import Customer, Holding, Interaction, Need, Relationship
from tests.customers.factories import make_holding, make_individual, make_interaction

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "other_rm",
    "assigned_rm",
    "branch_staff",
    "branch_manager",
    "compliance",
    "compliance_revealed",
    "service",
    "administrator",
]
FIXTURES = {
    "other_rm": "other_relationship_manager",
    "assigned_rm": "relationship_manager",
    "branch_staff": "branch_staff",
    "branch_manager": "branch_manager",
    "compliance": "compliance_officer",
    "compliance_revealed": "compliance_officer",
    "service": "service_account",
    "administrator": "administrator",
}
REVEALED = ["phone", "aum"]
EVERY = ["id_number", "phone", "email", "address", "aum", "date_of_birth", "annual_income"]

# How each caller reads the customer: an error status, or which fields come back masked.
READ = {
    "anonymous": 401,
    "other_rm": 404,
    "assigned_rm": [],
    "branch_staff": EVERY,
    "branch_manager": EVERY,
    "compliance": EVERY,
    "compliance_revealed": [name for name in EVERY if name not in REVEALED],
    "service": [],
    "administrator": 404,
}


@pytest.fixture
def customer(relationship_manager, branch):
    customer = make_individual(
        relationship_manager=relationship_manager,
        branch=branch,
        phone="+86 138 0013 5678",
        email="zhang.wei@example.cn",
    )
    spouse = make_individual(relationship_manager=relationship_manager, branch=branch)
    Relationship.objects.create(from_customer=customer, to_customer=spouse, kind="spouse")
    make_holding(
        customer, account_number="6222 0210 0100 4321", balance=Decimal("800000.00"), external_reference="H-1"
    )
    make_interaction(customer, summary="Discussed the maturing deposit")
    services.need_record(
        actor=relationship_manager, customer=customer, need_type="investment", note="Prefers low-risk funds"
    )
    return Customer.objects.get(pk=customer.pk)


@pytest.fixture
def as_role(request, customer, branch):
    """An API client for a role of the matrix, and the user (None when anonymous)."""

    def build(role: str):
        client = APIClient()
        if role == "anonymous":
            return client, None
        user = request.getfixturevalue(FIXTURES[role])
        if role == "compliance_revealed":
            services.customer_reveal(
                actor=user,
                customer=customer,
                fields=REVEALED,
                purpose="Checking a complaint about fees charged",
            )
        client.force_authenticate(user)
        return client, user

    return build


def _expect_error(response, status: int) -> None:
    assert response.status_code == status, response.content
    assert response.json()["error"]["status"] == status


# --- reads ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_detail(as_role, customer, role):
    client, _user = as_role(role)

    response = client.get(f"/api/v1/customers/{customer.pk}/")

    expected = READ[role]
    if isinstance(expected, int):
        _expect_error(response, expected)
        if expected == 404:
            missing = client.get("/api/v1/customers/999999999/").json()["error"]
            assert response.json()["error"] == missing
        return
    assert response.status_code == 200
    body = response.json()
    assert body["masked_fields"] == expected
    assert (body["phone"] == "138 0013 5678") is ("phone" not in expected)
    assert (body["aum"] == "800000.00") is ("aum" not in expected)


@pytest.mark.parametrize("role", ROLES)
def test_list(as_role, customer, role):
    client, _user = as_role(role)

    response = client.get("/api/v1/customers/")

    expected = READ[role]
    if expected == 401:
        _expect_error(response, 401)
        return
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    if expected == 404:
        assert customer.pk not in rows
        return
    assert rows[customer.pk]["masked_fields"] == [
        name for name in ("phone", "email", "aum") if name in expected
    ]


@pytest.mark.parametrize("role", ROLES)
def test_search(as_role, customer, role):
    client, _user = as_role(role)

    response = client.post("/api/v1/customers/search/", {"q": "13800135678"}, format="json")

    expected = READ[role]
    if expected == 401:
        _expect_error(response, 401)
        return
    found = [row["id"] for row in response.json()["results"]]
    assert found == ([] if expected == 404 else [customer.pk])


@pytest.mark.parametrize("role", ROLES)
def test_holdings(as_role, customer, role):
    client, _user = as_role(role)

    response = client.get(f"/api/v1/customers/{customer.pk}/holdings/")

    expected = READ[role]
    if isinstance(expected, int):
        _expect_error(response, expected)
        return
    row = response.json()["results"][0]
    # The account number may identify the customer: clear only to callers who see every field
    # in clear. The balance adds up to the assets under management and follows `aum`.
    account = "****4321" if expected else "6222 0210 0100 4321"
    balance = "******" if "aum" in expected else "800000.00"
    assert (row["account_number"], row["balance"]) == (account, balance)
    assert row["masked_fields"] == (["account_number"] if expected else []) + (
        ["balance"] if "aum" in expected else []
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "nested, text_field, text",
    [
        ("interactions", "summary", "Discussed the maturing deposit"),
        ("needs", "note", "Prefers low-risk funds"),
    ],
)
def test_free_text_lists(as_role, customer, role, nested, text_field, text):
    client, _user = as_role(role)

    response = client.get(f"/api/v1/customers/{customer.pk}/{nested}/")

    expected = READ[role]
    if isinstance(expected, int):
        _expect_error(response, expected)
        return
    row = response.json()["results"][0]
    # Free text may mention anything: only callers who see every field in clear read it.
    if expected:
        assert row[text_field] == "****"
        assert row["masked_fields"] == [text_field]
    else:
        assert row[text_field] == text
        assert row["masked_fields"] == []


@pytest.mark.parametrize("role", ROLES)
def test_relationships(as_role, customer, role):
    client, _user = as_role(role)

    response = client.get(f"/api/v1/customers/{customer.pk}/relationships/")

    expected = READ[role]
    if isinstance(expected, int):
        _expect_error(response, expected)
        return
    assert [row["kind"] for row in response.json()["results"]] == ["spouse"]


# --- writes ---------------------------------------------------------------------------------

WRITES = {
    # endpoint: {role: status}
    "create": {
        "anonymous": 401,
        "other_rm": 201,
        "assigned_rm": 201,
        "branch_staff": 201,
        "branch_manager": 201,
        "compliance": 403,
        "compliance_revealed": 403,
        "service": 201,
        "administrator": 403,
    },
    "update": {
        "anonymous": 401,
        "other_rm": 404,
        "assigned_rm": 200,
        "branch_staff": 403,
        "branch_manager": 200,
        "compliance": 403,
        "compliance_revealed": 403,
        "service": 200,
        "administrator": 404,
    },
    "upsert": {
        "anonymous": 401,
        "other_rm": 403,
        "assigned_rm": 403,
        "branch_staff": 403,
        "branch_manager": 403,
        "compliance": 403,
        "compliance_revealed": 403,
        "service": 201,
        "administrator": 403,
    },
    "holding_post": {
        "anonymous": 401,
        "other_rm": 404,
        "assigned_rm": 201,
        "branch_staff": 403,
        "branch_manager": 403,
        "compliance": 403,
        "compliance_revealed": 403,
        "service": 201,
        "administrator": 404,
    },
    "holding_put": {
        "anonymous": 401,
        "other_rm": 404,
        "assigned_rm": 200,
        "branch_staff": 403,
        "branch_manager": 403,
        "compliance": 403,
        "compliance_revealed": 403,
        "service": 200,
        "administrator": 404,
    },
    "need_post": {
        "anonymous": 401,
        "other_rm": 404,
        "assigned_rm": 201,
        "branch_staff": 201,
        "branch_manager": 201,
        "compliance": 403,
        "compliance_revealed": 403,
        "service": 201,
        "administrator": 404,
    },
    "interaction_post": {
        "anonymous": 401,
        "other_rm": 404,
        "assigned_rm": 201,
        "branch_staff": 201,
        "branch_manager": 201,
        "compliance": 403,
        "compliance_revealed": 403,
        "service": 201,
        "administrator": 404,
    },
}

HOLDING = {
    "product_type": "fund",
    "product_name": "Bond fund",
    "balance": "1000.00",
    "opened_on": "2024-01-02",
}


def _state(customer) -> tuple:
    """What the writes could change, to check that a refused write changed nothing."""
    fresh = Customer.objects.get(pk=customer.pk)
    return (
        Customer.objects.count(),
        fresh.do_not_contact,
        Holding.objects.count(),
        tuple(Holding.objects.order_by("pk").values_list("balance", flat=True)),
        Need.objects.count(),
        Interaction.objects.count(),
    )


def _send(client, endpoint: str, customer, user, branch):
    base = f"/api/v1/customers/{customer.pk}/"
    if endpoint == "create":
        home = getattr(getattr(user, "staff_profile", None), "branch", None) or branch
        return client.post(
            "/api/v1/customers/",
            {
                "kind": "individual",
                "home_branch": home.pk,
                "individual": {"given_name": "Na", "family_name": "Li"},
            },
            format="json",
        )
    if endpoint == "update":
        return client.patch(base, {"do_not_contact": True}, format="json")
    if endpoint == "upsert":
        return client.put(
            "/api/v1/customers/by-reference/CB-77/",
            {
                "kind": "individual",
                "home_branch": branch.pk,
                "individual": {"given_name": "Na", "family_name": "Li"},
            },
            format="json",
        )
    if endpoint == "holding_post":
        return client.post(f"{base}holdings/", {**HOLDING, "external_reference": "H-2"}, format="json")
    if endpoint == "holding_put":
        return client.put(
            f"{base}holdings/H-1/", {**HOLDING, "product_type": "savings_account"}, format="json"
        )
    if endpoint == "need_post":
        return client.post(f"{base}needs/", {"need_type": "wealth_growth"}, format="json")
    return client.post(
        f"{base}interactions/", {"channel": "branch", "summary": "Counter visit"}, format="json"
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(WRITES))
def test_writes(as_role, customer, branch, endpoint, role):
    client, user = as_role(role)
    before = _state(customer)

    response = _send(client, endpoint, customer, user, branch)

    expected = WRITES[endpoint][role]
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response.json()["error"]["status"] == expected
        assert _state(customer) == before
    else:
        assert _state(customer) != before
