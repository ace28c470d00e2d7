"""The customers REST API: behaviour of every endpoint, bad input, idempotency, upserts and
query counts. Who may reach what is in test_api_access.py."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from compliance.models import AuditEvent
from crm.models import IdempotencyRecord
from customers.models import (
    Customer,
    CustomerEvent,
    CustomerKind,
    Holding,
    Interaction,
    Need,
    Relationship,
    Segment,
)
from tests.customers.factories import make_corporate, make_holding, make_individual, make_interaction

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/customers/"
SEARCH_URL = "/api/v1/customers/search/"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _detail(customer) -> str:
    return f"/api/v1/customers/{customer.pk}/"


def _fields(response) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"]["code"] == "invalid"
    return body["error"]["fields"]


def _individual_body(branch, **overrides) -> dict:
    body = {
        "kind": "individual",
        "home_branch": branch.pk,
        "phone": "138 0013 8000",
        "email": " Li.Na@Example.CN ",
        "id_number": "110105-19900101-1234",
        "address": "1 Zhongshan East Road, Shanghai",
        "individual": {
            "given_name": "Na",
            "family_name": "Li",
            "gender": "female",
            "date_of_birth": "1990-01-01",
            "annual_income": "350000.00",
        },
    }
    body.update(overrides)
    return body


def _corporate_body(branch, **overrides) -> dict:
    body = {
        "kind": "corporate",
        "home_branch": branch.pk,
        "phone": "+86 21 6000 1234",
        "email": "treasury@donghai.example.cn",
        "id_number": "91310000MA1K000042",
        "corporate": {
            "legal_name": "Donghai Shipping Co., Ltd.",
            "industry": "Shipping",
            "employees": 800,
            "annual_revenue": "250000000.00",
            "countries_of_operation": ["CN", "SG"],
        },
    }
    body.update(overrides)
    return body


@pytest.fixture
def customer(relationship_manager, branch):
    return make_individual(
        relationship_manager=relationship_manager,
        branch=branch,
        phone="+86 138 0013 5678",
        email="zhang.wei@example.cn",
        id_number="110105198001011234",
    )


@pytest.fixture
def rm(relationship_manager):
    return _client(relationship_manager)


@pytest.fixture
def service(service_account):
    return _client(service_account)


# --- list -----------------------------------------------------------------------------------


def test_list_shows_the_book_in_clear_and_nothing_else(
    rm, customer, other_relationship_manager, other_branch
):
    make_individual(relationship_manager=other_relationship_manager, branch=other_branch)

    response = rm.get(LIST_URL)

    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body["results"]] == [customer.pk]
    row = body["results"][0]
    assert row["number"] == customer.number
    assert row["phone"] == "+86 138 0013 5678"
    assert row["email"] == "zhang.wei@example.cn"
    assert row["aum"] == "0.00"
    assert row["masked_fields"] == []
    assert row["home_branch"] == {"id": customer.home_branch_id, "code": "SH01", "name": "Shanghai Lujiazui"}
    assert row["relationship_manager"]["username"] == "rm.one"
    assert set(body) == {"next", "previous", "results"}


def test_list_masks_for_branch_staff(branch_staff, customer):
    response = _client(branch_staff).get(LIST_URL)

    row = response.json()["results"][0]
    assert row["phone"] == "138****5678"
    assert row["email"] == "z***@example.cn"
    assert row["aum"] == "******"
    assert row["masked_fields"] == ["phone", "email", "aum"]


def test_list_filters_with_the_customer_filterset(rm, relationship_manager, branch, customer):
    company = make_corporate(relationship_manager=relationship_manager, branch=branch)
    make_individual(relationship_manager=relationship_manager, branch=branch, status="dormant")

    corporate = rm.get(LIST_URL, {"kind": "corporate"}).json()["results"]
    dormant = rm.get(LIST_URL, {"status": "dormant"}).json()["results"]

    assert [row["id"] for row in corporate] == [company.pk]
    assert [row["status"] for row in dormant] == ["dormant"]


def test_list_refuses_an_unknown_filter_value_with_a_field_error(rm, customer):
    fields = _fields(rm.get(LIST_URL, {"segment": "platinum", "kind": "robot"}))

    assert set(fields) == {"segment", "kind"}


def test_list_search_by_name(rm, relationship_manager, branch, customer):
    make_individual(
        relationship_manager=relationship_manager, branch=branch, given_name="Mei", family_name="Chen"
    )

    response = rm.get(LIST_URL, {"q": "chen"})

    assert [row["display_name"] for row in response.json()["results"]] == ["Chen Mei"]


def test_list_refuses_a_phone_number_in_the_url(rm, customer):
    fields = _fields(rm.get(LIST_URL, {"q": "+86 138 0013 5678"}))

    assert list(fields) == ["q"]


def test_search_by_exact_phone_email_or_id_in_the_body_uses_the_blind_index(
    rm, customer, relationship_manager, branch
):
    make_individual(relationship_manager=relationship_manager, branch=branch)

    by_phone = rm.post(SEARCH_URL, {"q": "13800135678"}, format="json")
    by_email = rm.post(SEARCH_URL, {"q": "ZHANG.WEI@example.cn"}, format="json")
    by_id = rm.post(SEARCH_URL, {"q": "110105-19800101-1234"}, format="json")

    for response in (by_phone, by_email, by_id):
        assert response.status_code == 200
        assert [row["id"] for row in response.json()["results"]] == [customer.pk]


def test_search_needs_a_term(rm):
    assert list(_fields(rm.post(SEARCH_URL, {}, format="json"))) == ["q"]


def test_list_sorts_by_name_with_cursor_pagination(rm, relationship_manager, branch):
    for given in ("Cheng", "An", "Bo"):
        make_individual(
            relationship_manager=relationship_manager, branch=branch, given_name=given, family_name="Wu"
        )

    first = rm.get(LIST_URL, {"sort": "name", "page_size": 2}).json()
    second = rm.get(first["next"]).json()

    assert [row["display_name"] for row in first["results"]] == ["Wu An", "Wu Bo"]
    assert [row["display_name"] for row in second["results"]] == ["Wu Cheng"]
    assert second["next"] is None


def test_list_refuses_an_ordering_cursors_cannot_follow(rm, customer):
    assert list(_fields(rm.get(LIST_URL, {"sort": "last_contact"}))) == ["sort"]


def _count_queries(client, url, data=None) -> int:
    client.get(url, data)  # warm process-wide caches (permission ids, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data)
    assert response.status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_the_page(service, branch, relationship_manager):
    for _ in range(3):
        make_individual(relationship_manager=relationship_manager, branch=branch)
    few = _count_queries(service, LIST_URL)
    for _ in range(12):
        make_corporate(relationship_manager=relationship_manager, branch=branch)

    many = _count_queries(service, LIST_URL)

    assert many == few


def test_list_query_count_does_not_grow_for_a_masked_viewer(branch_staff, branch, relationship_manager):
    client = _client(branch_staff)
    for _ in range(2):
        make_individual(relationship_manager=relationship_manager, branch=branch)
    few = _count_queries(client, LIST_URL)
    for _ in range(10):
        make_individual(relationship_manager=relationship_manager, branch=branch)

    assert _count_queries(client, LIST_URL) == few


# --- detail ---------------------------------------------------------------------------------


def test_detail_of_an_individual(rm, customer):
    response = rm.get(_detail(customer))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == customer.pk
    assert body["kind"] == "individual"
    assert body["id_number"] == "110105198001011234"
    assert body["address"].endswith("Shanghai")
    assert body["corporate"] is None
    assert body["individual"]["given_name"] == customer.individual.given_name
    assert body["individual"]["date_of_birth"] == customer.individual.date_of_birth.isoformat()
    assert body["individual"]["annual_income"] == "250000.00"
    assert body["masked_fields"] == []


def test_detail_of_a_corporate_customer_masked_for_the_branch_manager(
    branch_manager, relationship_manager, branch
):
    company = make_corporate(relationship_manager=relationship_manager, branch=branch)

    body = _client(branch_manager).get(_detail(company)).json()

    assert body["individual"] is None
    assert body["corporate"]["legal_name"] == company.corporate.legal_name
    assert body["corporate"]["annual_revenue"] == "******"
    assert body["id_number"].startswith("****")
    assert body["masked_fields"] == ["id_number", "phone", "email", "address", "aum", "annual_revenue"]


def test_detail_of_a_missing_customer_is_404_in_the_error_format(rm):
    response = rm.get("/api/v1/customers/999999999/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_reading_in_clear_is_audited_once_per_request(rm, relationship_manager, customer):
    before = AuditEvent.objects.filter(action="pii.revealed").count()

    rm.get(_detail(customer))

    event = AuditEvent.objects.filter(action="pii.revealed").latest("sequence")
    assert AuditEvent.objects.filter(action="pii.revealed").count() == before + 1
    assert event.actor_id == relationship_manager.pk
    assert event.extra["objects"] == {"customers.customer": [customer.pk]}
    assert {"phone", "email", "id_number", "date_of_birth"} <= set(event.fields)


# --- create ---------------------------------------------------------------------------------


def test_rm_creates_an_individual_in_their_own_book(rm, relationship_manager, branch):
    response = rm.post(LIST_URL, _individual_body(branch), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    customer = Customer.objects.get(pk=body["id"])
    assert customer.relationship_manager_id == relationship_manager.pk
    assert (customer.phone, customer.email, customer.id_number) == (
        "+8613800138000",
        "li.na@example.cn",
        "110105199001011234",
    )
    assert customer.individual.annual_income == Decimal("350000.00")
    assert customer.display_name == "Li Na"
    assert body["phone"] == "+8613800138000"
    assert body["masked_fields"] == []
    assert CustomerEvent.objects.filter(customer=customer, kind="created").count() == 1


def test_service_account_creates_a_corporate_customer(service, branch):
    response = service.post(LIST_URL, _corporate_body(branch, segment="large"), format="json")

    assert response.status_code == 201, response.content
    customer = Customer.objects.get(pk=response.json()["id"])
    assert (customer.kind, customer.segment, customer.relationship_manager_id) == ("corporate", "large", None)
    assert customer.corporate.countries_of_operation == ["CN", "SG"]
    assert response.json()["corporate"]["annual_revenue"] == "250000000.00"


def test_create_refuses_bad_fields_one_by_one_and_saves_nothing(rm, branch, branch_staff):
    body = _individual_body(
        branch,
        phone="12",
        email="not-an-email",
        id_number="---",
        since="2999-01-01",
        status="sleeping",
        relationship_manager=branch_staff.pk,
        individual={
            "given_name": "",
            "family_name": "Li",
            "date_of_birth": "1990-02-30",
            "annual_income": "-5",
            "gender": "robot",
        },
    )

    fields = _fields(rm.post(LIST_URL, body, format="json"))

    assert set(fields) == {
        "phone",
        "email",
        "id_number",
        "since",
        "status",
        "relationship_manager",
        "individual.given_name",
        "individual.date_of_birth",
        "individual.annual_income",
        "individual.gender",
    }
    assert fields["phone"] == ["Enter a valid phone number."]
    assert Customer.objects.count() == 0


def test_create_refuses_a_branch_that_does_not_exist(rm, branch):
    fields = _fields(rm.post(LIST_URL, _individual_body(branch, home_branch=999999), format="json"))

    assert list(fields) == ["home_branch"]


def test_create_needs_the_profile_of_its_kind(rm, branch):
    missing = _individual_body(branch)
    del missing["individual"]
    crossed = _individual_body(branch, corporate=_corporate_body(branch)["corporate"])

    assert list(_fields(rm.post(LIST_URL, missing, format="json"))) == ["individual"]
    assert list(_fields(rm.post(LIST_URL, crossed, format="json"))) == ["corporate"]
    assert Customer.objects.count() == 0


def test_create_refuses_a_segment_of_the_other_kind(rm, branch):
    fields = _fields(rm.post(LIST_URL, _individual_body(branch, segment=Segment.LARGE), format="json"))

    assert list(fields) == ["segment"]


def test_create_refuses_unknown_fields(rm, branch):
    body = _individual_body(branch, number="C0000000001", aum="5")

    assert set(_fields(rm.post(LIST_URL, body, format="json"))) == {"number", "aum"}


def test_create_refuses_malformed_json(rm):
    response = rm.post(LIST_URL, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_create_refuses_a_list_body(rm):
    assert list(_fields(rm.post(LIST_URL, [1, 2], format="json"))) == ["non_field_errors"]


def test_branch_staff_may_add_only_to_their_own_branch(branch_staff, other_branch):
    response = _client(branch_staff).post(LIST_URL, _individual_body(other_branch), format="json")

    assert list(_fields(response)) == ["home_branch"]
    assert Customer.objects.count() == 0


def test_a_service_validation_error_becomes_a_field_error(service, branch, customer):
    Customer.objects.filter(pk=customer.pk).update(external_reference="CB-1")

    response = service.post(LIST_URL, _individual_body(branch, external_reference="CB-1"), format="json")

    assert list(_fields(response)) == ["external_reference"]
    assert Customer.objects.count() == 1


def test_create_with_an_idempotency_key_happens_once(rm, branch):
    body = _individual_body(branch)

    first = rm.post(LIST_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="create-li-na")
    retry = rm.post(LIST_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="create-li-na")

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert Customer.objects.count() == 1


def test_create_with_a_reused_key_and_another_body_is_422(rm, branch):
    rm.post(LIST_URL, _individual_body(branch), format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    response = rm.post(
        LIST_URL, _individual_body(branch, phone="139 0000 0000"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Customer.objects.count() == 1


def test_a_refused_create_does_not_keep_the_key(rm, branch):
    bad = rm.post(LIST_URL, _individual_body(branch, phone="12"), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    good = rm.post(LIST_URL, _individual_body(branch), format="json", HTTP_IDEMPOTENCY_KEY="k-2")

    assert (bad.status_code, good.status_code) == (400, 201)
    assert "Idempotent-Replayed" not in good
    assert IdempotencyRecord.objects.get().status_code == 201


# --- update ---------------------------------------------------------------------------------


def test_rm_changes_details_and_profile(rm, customer):
    response = rm.patch(
        _detail(customer),
        {"phone": "+86 139 0000 0000", "do_not_contact": True, "individual": {"occupation": "Doctor"}},
        format="json",
    )

    assert response.status_code == 200, response.content
    customer = Customer.objects.select_related("individual").get(pk=customer.pk)
    assert customer.phone == "+8613900000000"
    assert customer.do_not_contact is True
    assert customer.individual.occupation == "Doctor"
    assert response.json()["phone"] == "+8613900000000"
    event = CustomerEvent.objects.filter(customer=customer, kind="updated").get()
    assert event.data == {"fields": ["do_not_contact", "occupation", "phone"]}


def test_update_refuses_bad_input_and_changes_nothing(rm, customer):
    response = rm.patch(
        _detail(customer), {"email": "nope", "individual": {"annual_income": "lots"}}, format="json"
    )

    assert set(_fields(response)) == {"email", "individual.annual_income"}
    customer.refresh_from_db()
    assert customer.email == "zhang.wei@example.cn"
    assert not CustomerEvent.objects.filter(customer=customer, kind="updated").exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("kind", "corporate"),
        ("relationship_manager", 1),
        ("segment", "vip"),
        ("number", "C1"),
    ],
)
def test_update_refuses_fields_that_change_elsewhere(rm, customer, field, value):
    assert list(_fields(rm.patch(_detail(customer), {field: value}, format="json"))) == [field]


def test_update_refuses_the_profile_of_the_other_kind(rm, customer):
    response = rm.patch(_detail(customer), {"corporate": {"industry": "Mining"}}, format="json")

    assert list(_fields(response)) == ["corporate"]


def test_update_maps_a_service_validation_error_to_its_field(rm, customer, relationship_manager, branch):
    other = make_individual(relationship_manager=relationship_manager, branch=branch)
    Customer.objects.filter(pk=other.pk).update(external_reference="CB-9")

    response = rm.patch(_detail(customer), {"external_reference": "CB-9"}, format="json")

    assert list(_fields(response)) == ["external_reference"]


def test_branch_manager_sees_masked_and_may_not_update(branch_manager, customer):
    response = _client(branch_manager).patch(_detail(customer), {"do_not_contact": True}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    customer.refresh_from_db()
    assert customer.do_not_contact is False


# --- upsert by reference --------------------------------------------------------------------


def _by_reference(reference: str) -> str:
    return f"/api/v1/customers/by-reference/{reference}/"


def test_upsert_creates_then_updates_without_duplicating(service, branch):
    created = service.put(_by_reference("CB-1001"), _corporate_body(branch), format="json")
    updated_body = _corporate_body(branch, phone="+86 21 6000 9999")
    updated_body["corporate"]["employees"] = 950
    updated = service.put(_by_reference("CB-1001"), updated_body, format="json")

    assert created.status_code == 201, created.content
    assert updated.status_code == 200, updated.content
    customer = Customer.objects.select_related("corporate").get(external_reference="CB-1001")
    assert Customer.objects.count() == 1
    assert customer.phone == "+862160009999"
    assert customer.corporate.employees == 950
    assert updated.json()["id"] == created.json()["id"] == customer.pk


def test_upsert_of_the_same_body_changes_nothing(service, branch):
    service.put(_by_reference("CB-2"), _individual_body(branch), format="json")

    again = service.put(_by_reference("CB-2"), _individual_body(branch), format="json")

    assert again.status_code == 200
    customer = Customer.objects.get(external_reference="CB-2")
    assert list(CustomerEvent.objects.filter(customer=customer).values_list("kind", flat=True)) == ["created"]


def test_upsert_refuses_a_change_of_kind_or_manager(service, branch, relationship_manager):
    service.put(_by_reference("CB-3"), _individual_body(branch), format="json")
    company = _corporate_body(branch)
    managed = _individual_body(branch, relationship_manager=relationship_manager.pk)

    assert list(_fields(service.put(_by_reference("CB-3"), company, format="json"))) == ["kind"]
    assert list(_fields(service.put(_by_reference("CB-3"), managed, format="json"))) == [
        "relationship_manager"
    ]
    assert Customer.objects.get(external_reference="CB-3").kind == CustomerKind.INDIVIDUAL


def test_upsert_refuses_bad_input(service, branch):
    body = _individual_body(branch, email="x@", individual={"family_name": "Li"})

    assert set(_fields(service.put(_by_reference("CB-4"), body, format="json"))) == {
        "email",
        "individual.given_name",
    }
    assert Customer.objects.count() == 0


def test_upsert_is_for_service_accounts_only(rm, branch):
    response = rm.put(_by_reference("CB-5"), _individual_body(branch), format="json")

    assert response.status_code == 403
    assert Customer.objects.count() == 0


# --- holdings -------------------------------------------------------------------------------


def _holdings(customer) -> str:
    return f"/api/v1/customers/{customer.pk}/holdings/"


def _holding_body(**overrides) -> dict:
    body = {
        "external_reference": "H-77",
        "product_type": "term_deposit",
        "product_name": "12-month deposit",
        "account_number": "6222 0210 0100 7788",
        "balance": "500000.00",
        "currency": "CNY",
        "opened_on": "2024-03-01",
        "matures_on": "2025-03-01",
    }
    body.update(overrides)
    return body


def test_holdings_in_clear_for_the_rm(rm, customer):
    holding = make_holding(customer, account_number="6222 0210 0100 4321", balance=Decimal("1234.50"))

    body = rm.get(_holdings(customer)).json()

    assert body["results"] == [
        {
            "id": holding.pk,
            "external_reference": holding.external_reference,
            "product_type": "savings_account",
            "product_name": "Savings",
            "account_number": "6222 0210 0100 4321",
            "balance": "1234.50",
            "currency": "CNY",
            "status": "active",
            "opened_on": "2020-01-01",
            "matures_on": None,
            "updated_at": body["results"][0]["updated_at"],
            "masked_fields": [],
        }
    ]


def test_holdings_masked_for_branch_staff(branch_staff, customer):
    make_holding(customer, account_number="6222 0210 0100 4321")

    row = _client(branch_staff).get(_holdings(customer)).json()["results"][0]

    assert row["account_number"] == "****4321"
    assert row["balance"] == "******"
    assert row["masked_fields"] == ["account_number", "balance"]


def test_holding_upsert_by_reference_in_the_body(service, customer):
    created = service.post(_holdings(customer), _holding_body(), format="json")
    updated = service.post(_holdings(customer), _holding_body(balance="600000.00"), format="json")

    assert (created.status_code, updated.status_code) == (201, 200)
    holding = Holding.objects.get(external_reference="H-77")
    assert (holding.balance, holding.account_number, holding.account_last4) == (
        Decimal("600000.00"),
        "6222021001007788",
        "7788",
    )
    assert Holding.objects.filter(customer=customer).count() == 1
    customer.refresh_from_db()
    assert customer.aum == Decimal("600000.00")


def test_holding_put_by_reference_creates_then_updates(service, customer):
    url = f"{_holdings(customer)}H-88/"
    body = _holding_body()
    del body["external_reference"]

    created = service.put(url, body, format="json")
    updated = service.put(url, {**body, "status": "matured"}, format="json")

    assert (created.status_code, updated.status_code) == (201, 200)
    assert Holding.objects.get(external_reference="H-88").status == "matured"


def test_holding_bad_input_is_field_errors(service, customer):
    body = _holding_body(balance="abc", product_type="gold_bar", opened_on="2999-01-01", currency="yuan")

    assert set(_fields(service.post(_holdings(customer), body, format="json"))) == {
        "balance",
        "product_type",
        "opened_on",
        "currency",
    }
    assert not Holding.objects.exists()


def test_holding_cannot_mature_before_it_opens(service, customer):
    body = _holding_body(matures_on="2020-01-01")

    assert list(_fields(service.post(_holdings(customer), body, format="json"))) == ["matures_on"]


def test_individual_cannot_hold_a_corporate_product(service, customer):
    body = _holding_body(product_type="trade_finance")

    assert list(_fields(service.post(_holdings(customer), body, format="json"))) == ["product_type"]


def test_holding_reference_of_another_customer_is_a_field_error(
    service, customer, relationship_manager, branch
):
    other = make_individual(relationship_manager=relationship_manager, branch=branch)
    make_holding(other, external_reference="H-77")

    response = service.post(_holdings(customer), _holding_body(), format="json")

    assert list(_fields(response)) == ["external_reference"]
    assert Holding.objects.get(external_reference="H-77").customer_id == other.pk


def test_holdings_query_count_does_not_grow(rm, customer):
    make_holding(customer)
    few = _count_queries(rm, _holdings(customer))
    for _ in range(8):
        make_holding(customer)

    assert _count_queries(rm, _holdings(customer)) == few


# --- needs ----------------------------------------------------------------------------------


def _needs(customer) -> str:
    return f"/api/v1/customers/{customer.pk}/needs/"


def test_rm_records_and_lists_needs(rm, relationship_manager, customer):
    created = rm.post(
        _needs(customer), {"need_type": "wealth_growth", "note": "Wants a pension plan"}, format="json"
    )
    listed = rm.get(_needs(customer)).json()["results"]

    assert created.status_code == 201, created.content
    need = Need.objects.get()
    assert (need.customer_id, need.need_type, need.note, need.recorded_by_id) == (
        customer.pk,
        "wealth_growth",
        "Wants a pension plan",
        relationship_manager.pk,
    )
    assert [row["note"] for row in listed] == ["Wants a pension plan"]
    assert listed[0]["masked_fields"] == []


def test_need_notes_are_masked_for_the_branch_manager(rm, branch_manager, customer):
    rm.post(_needs(customer), {"need_type": "investment", "note": "Wants a pension plan"}, format="json")

    row = _client(branch_manager).get(_needs(customer)).json()["results"][0]

    assert row["note"] == "Wa****"
    assert row["masked_fields"] == ["note"]


def test_need_outside_the_kinds_catalogue_is_a_field_error(rm, customer):
    assert list(_fields(rm.post(_needs(customer), {"need_type": "trade_finance"}, format="json"))) == [
        "need_type"
    ]
    assert list(_fields(rm.post(_needs(customer), {"need_type": "financing"}, format="json"))) == [
        "need_type"
    ]
    assert not Need.objects.exists()


def test_branch_staff_may_not_record_needs(branch_staff, customer):
    response = _client(branch_staff).post(_needs(customer), {"need_type": "investment"}, format="json")

    assert response.status_code == 403
    assert not Need.objects.exists()


# --- relationships --------------------------------------------------------------------------


def test_relationships_hide_customers_the_caller_may_not_see(
    rm, relationship_manager, branch, customer, other_relationship_manager, other_branch
):
    spouse = make_individual(relationship_manager=relationship_manager, branch=branch)
    company = make_corporate(relationship_manager=other_relationship_manager, branch=other_branch)
    Relationship.objects.create(from_customer=customer, to_customer=spouse, kind="spouse")
    Relationship.objects.create(from_customer=customer, to_customer=company, kind="director", role="CFO")
    Relationship.objects.create(from_customer=spouse, to_customer=customer, kind="guarantor")

    rows = rm.get(f"/api/v1/customers/{customer.pk}/relationships/").json()["results"]

    by_kind = {row["kind"]: row for row in rows}
    assert by_kind["spouse"]["related_customer"] == {
        "id": spouse.pk,
        "number": spouse.number,
        "display_name": spouse.display_name,
    }
    assert by_kind["spouse"]["direction"] == "outgoing"
    assert by_kind["director"]["related_customer"] == {
        "id": None,
        "number": None,
        "display_name": "Another customer",
    }
    assert by_kind["director"]["role"] == "CFO"
    assert by_kind["guarantor"]["direction"] == "incoming"
    assert company.display_name not in str(rows)


# --- interactions ---------------------------------------------------------------------------


def _interactions(customer) -> str:
    return f"/api/v1/customers/{customer.pk}/interactions/"


def test_interactions_newest_first_with_cursor(rm, customer):
    now = timezone.now()
    for days in (3, 1, 2):
        make_interaction(customer, occurred_at=now - datetime.timedelta(days=days), summary=f"Call {days}")

    first = rm.get(_interactions(customer), {"page_size": 2}).json()
    second = rm.get(first["next"]).json()

    assert [row["summary"] for row in first["results"]] == ["Call 1", "Call 2"]
    assert [row["summary"] for row in second["results"]] == ["Call 3"]


def test_interaction_summaries_are_masked_for_branch_staff(branch_staff, customer):
    make_interaction(customer, summary="Asked about early withdrawal")

    row = _client(branch_staff).get(_interactions(customer)).json()["results"][0]

    assert row["summary"] == "As****"
    assert row["masked_fields"] == ["summary"]


def test_channel_pushes_an_interaction_once_per_reference(service, customer):
    body = {
        "channel": "mobile_app",
        "interaction_type": "transaction",
        "summary": "Transfer confirmed",
        "system": "mobile-banking",
        "external_reference": "APP-9001",
        "occurred_at": (timezone.now() - datetime.timedelta(minutes=3)).isoformat(),
    }

    first = service.post(_interactions(customer), body, format="json")
    again = service.post(_interactions(customer), body, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    interaction = Interaction.objects.get()
    assert (interaction.system, interaction.staff_id) == ("mobile-banking", None)
    customer.refresh_from_db()
    assert customer.last_contact_at == interaction.occurred_at


def test_staff_logs_an_interaction_with_an_idempotency_key(rm, relationship_manager, customer):
    body = {"channel": "phone", "summary": "Called about the deposit"}

    first = rm.post(_interactions(customer), body, format="json", HTTP_IDEMPOTENCY_KEY="call-1")
    retry = rm.post(_interactions(customer), body, format="json", HTTP_IDEMPOTENCY_KEY="call-1")

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry["Idempotent-Replayed"] == "true"
    assert Interaction.objects.get().staff_id == relationship_manager.pk


def test_interaction_bad_input_is_field_errors(rm, customer):
    response = rm.post(
        _interactions(customer),
        {"channel": "pigeon", "summary": "", "occurred_at": "yesterday"},
        format="json",
    )

    assert set(_fields(response)) == {"channel", "summary", "occurred_at"}


def test_an_interaction_in_the_future_is_refused_by_the_service_as_a_field_error(rm, customer):
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()

    response = rm.post(
        _interactions(customer), {"channel": "phone", "summary": "x", "occurred_at": future}, format="json"
    )

    assert list(_fields(response)) == ["occurred_at"]
    assert not Interaction.objects.exists()


def test_an_interaction_reference_of_another_customer_is_refused(
    service, customer, relationship_manager, branch
):
    other = make_individual(relationship_manager=relationship_manager, branch=branch)
    make_interaction(other, external_reference="APP-1", system="app")

    response = service.post(
        _interactions(customer),
        {"channel": "phone", "summary": "x", "external_reference": "APP-1"},
        format="json",
    )

    assert list(_fields(response)) == ["external_reference"]
    assert Interaction.objects.count() == 1


def test_interactions_query_count_does_not_grow(rm, customer):
    make_interaction(customer)
    few = _count_queries(rm, _interactions(customer))
    for _ in range(8):
        make_interaction(customer)

    assert _count_queries(rm, _interactions(customer)) == few


# --- schema ---------------------------------------------------------------------------------


def test_schema_documents_the_customer_endpoints_without_warnings(client, relationship_manager):
    from drf_spectacular.drainage import GENERATOR_STATS

    GENERATOR_STATS.reset()
    client.force_login(relationship_manager)

    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    own = [
        message
        for message in (*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache)
        if "Customer" in message or "customers" in message
    ]
    assert own == []
    schema = response.json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/customers/"])
    assert {"get", "patch"} <= set(paths["/api/v1/customers/{id}/"])
    assert "put" in paths["/api/v1/customers/by-reference/{external_reference}/"]
    for nested in ("holdings", "needs", "interactions"):
        assert {"get", "post"} <= set(paths[f"/api/v1/customers/{{id}}/{nested}/"])
    create = paths["/api/v1/customers/"]["post"]
    assert "Idempotency-Key" in [parameter["name"] for parameter in create["parameters"]]
    assert {"201", "400", "403", "409", "422"} <= set(create["responses"])
    customer_schema = schema["components"]["schemas"]["CustomerOutput"]
    assert "masked_fields" in customer_schema["properties"]
    assert customer_schema["properties"]["phone"]["type"] == "string"
