"""Creating, changing and upserting customers through the API: input validation field by
field, idempotency, and the services' rules as field errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm.models import IdempotencyRecord
from customers.models import (
    Customer,
    CustomerEvent,
    CustomerKind,
    Segment,
)
from tests.customers.api.helpers import (
    LIST_URL,
    client_for,
    corporate_body,
    detail_url,
    field_errors,
    individual_body,
)
from tests.customers.factories import make_individual

pytestmark = pytest.mark.django_db


# --- create ---------------------------------------------------------------------------------


def test_rm_creates_an_individual_in_their_own_book(rm, relationship_manager, branch):
    response = rm.post(LIST_URL, individual_body(branch), format="json")

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
    assert body["phone"] == "138 0013 8000"
    assert body["masked_fields"] == []
    assert CustomerEvent.objects.filter(customer=customer, kind="created").count() == 1


def test_service_account_creates_a_corporate_customer(service, branch):
    response = service.post(LIST_URL, corporate_body(branch, segment="large"), format="json")

    assert response.status_code == 201, response.content
    customer = Customer.objects.get(pk=response.json()["id"])
    assert (customer.kind, customer.segment, customer.relationship_manager_id) == ("corporate", "large", None)
    assert customer.corporate.countries_of_operation == ["CN", "SG"]
    assert response.json()["corporate"]["annual_revenue"] == "250000000.00"


def test_create_refuses_bad_fields_one_by_one_and_saves_nothing(rm, branch, branch_staff):
    body = individual_body(
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

    fields = field_errors(rm.post(LIST_URL, body, format="json"))

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
    fields = field_errors(rm.post(LIST_URL, individual_body(branch, home_branch=999999), format="json"))

    assert list(fields) == ["home_branch"]


def test_create_needs_the_profile_of_its_kind(rm, branch):
    missing = individual_body(branch)
    del missing["individual"]
    crossed = individual_body(branch, corporate=corporate_body(branch)["corporate"])

    assert list(field_errors(rm.post(LIST_URL, missing, format="json"))) == ["individual"]
    assert list(field_errors(rm.post(LIST_URL, crossed, format="json"))) == ["corporate"]
    assert Customer.objects.count() == 0


def test_create_refuses_a_segment_of_the_other_kind(rm, branch):
    fields = field_errors(rm.post(LIST_URL, individual_body(branch, segment=Segment.LARGE), format="json"))

    assert list(fields) == ["segment"]


def test_create_refuses_unknown_fields(rm, branch):
    body = individual_body(branch, number="C0000000001", aum="5")

    assert set(field_errors(rm.post(LIST_URL, body, format="json"))) == {"number", "aum"}


def test_create_refuses_malformed_json(rm):
    response = rm.post(LIST_URL, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_create_refuses_a_list_body(rm):
    assert list(field_errors(rm.post(LIST_URL, [1, 2], format="json"))) == ["non_field_errors"]


def test_branch_staff_may_add_only_to_their_own_branch(branch_staff, other_branch):
    response = client_for(branch_staff).post(LIST_URL, individual_body(other_branch), format="json")

    assert list(field_errors(response)) == ["home_branch"]
    assert Customer.objects.count() == 0


def test_a_service_validation_error_becomes_a_field_error(service, branch, customer):
    Customer.objects.filter(pk=customer.pk).update(external_reference="CB-1")

    response = service.post(LIST_URL, individual_body(branch, external_reference="CB-1"), format="json")

    assert list(field_errors(response)) == ["external_reference"]
    assert Customer.objects.count() == 1


def test_create_with_an_idempotency_key_happens_once(rm, branch):
    body = individual_body(branch)

    first = rm.post(LIST_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="create-li-na")
    retry = rm.post(LIST_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="create-li-na")

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert Customer.objects.count() == 1


def test_create_with_a_reused_key_and_another_body_is_422(rm, branch):
    rm.post(LIST_URL, individual_body(branch), format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    response = rm.post(
        LIST_URL, individual_body(branch, phone="139 0000 0000"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Customer.objects.count() == 1


def test_a_refused_create_does_not_keep_the_key(rm, branch):
    bad = rm.post(LIST_URL, individual_body(branch, phone="12"), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    good = rm.post(LIST_URL, individual_body(branch), format="json", HTTP_IDEMPOTENCY_KEY="k-2")

    assert (bad.status_code, good.status_code) == (400, 201)
    assert "Idempotent-Replayed" not in good
    assert IdempotencyRecord.objects.get().status_code == 201


def test_create_answers_409_with_the_possible_duplicates_and_saves_nothing(rm, customer, branch):
    body = individual_body(branch, phone=" 138-0013-5678 ", email="other@example.cn",
                           id_number="110105199001011238")

    response = rm.post(LIST_URL, body, format="json")

    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "possible_duplicates"
    assert error["candidates"] == [{"id": customer.pk, "number": customer.number,
                                    "display_name": customer.display_name, "reasons": ["phone"]}]
    assert error["elsewhere"] is False
    assert Customer.objects.count() == 1


def test_create_with_a_reason_goes_ahead_and_the_audit_names_the_candidates(rm, customer, branch):
    from compliance.models import AuditEvent

    body = individual_body(branch, phone="138 0013 5678", email="other@example.cn",
                           id_number="110105199001011238")

    short = rm.post(LIST_URL, {**body, "duplicate_reason": "twin"}, format="json")
    created = rm.post(LIST_URL, {**body, "duplicate_reason": "Daughter sharing the family phone"},
                      format="json")

    assert list(field_errors(short)) == ["duplicate_reason"]
    assert created.status_code == 201, created.content
    assert Customer.objects.count() == 2
    event = AuditEvent.objects.filter(action="customer.created", object_id=str(created.json()["id"])).get()
    assert event.extra["possible_duplicates"] == [customer.pk]
    assert "Daughter" not in str(event.extra)


def test_create_says_only_that_customers_elsewhere_match(other_relationship_manager, customer, other_branch):
    body = individual_body(other_branch, phone="138 0013 5678", email="other@example.cn",
                           id_number="110105199001011238")

    response = client_for(other_relationship_manager).post(LIST_URL, body, format="json")

    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["candidates"], error["elsewhere"]) == ([], True)
    assert customer.number not in response.content.decode()


# --- update ---------------------------------------------------------------------------------


def test_rm_changes_details_and_profile(rm, customer):
    response = rm.patch(
        detail_url(customer),
        {"phone": "+86 139 0000 0000", "do_not_contact": True, "individual": {"occupation": "Doctor"}},
        format="json",
    )

    assert response.status_code == 200, response.content
    customer = Customer.objects.select_related("individual").get(pk=customer.pk)
    assert customer.phone == "+8613900000000"
    assert customer.do_not_contact is True
    assert customer.individual.occupation == "Doctor"
    assert response.json()["phone"] == "139 0000 0000"  # shown as on every surface
    event = CustomerEvent.objects.filter(customer=customer, kind="updated").get()
    assert event.data == {"fields": ["do_not_contact", "occupation", "phone"]}


def test_update_refuses_bad_input_and_changes_nothing(rm, customer):
    response = rm.patch(
        detail_url(customer), {"email": "nope", "individual": {"annual_income": "lots"}}, format="json"
    )

    assert set(field_errors(response)) == {"email", "individual.annual_income"}
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
    assert list(field_errors(rm.patch(detail_url(customer), {field: value}, format="json"))) == [field]


def test_update_refuses_the_profile_of_the_other_kind(rm, customer):
    response = rm.patch(detail_url(customer), {"corporate": {"industry": "Mining"}}, format="json")

    assert list(field_errors(response)) == ["corporate"]


def test_update_maps_a_service_validation_error_to_its_field(service, customer, relationship_manager, branch):
    other = make_individual(relationship_manager=relationship_manager, branch=branch)
    Customer.objects.filter(pk=other.pk).update(external_reference="CB-9")

    response = service.patch(detail_url(customer), {"external_reference": "CB-9"}, format="json")

    assert list(field_errors(response)) == ["external_reference"]


def test_rm_may_not_change_the_core_banking_reference(rm, customer):
    response = rm.patch(detail_url(customer), {"external_reference": "CB-77"}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Only core banking may change a customer's reference."
    customer.refresh_from_db()
    assert customer.external_reference is None


def test_rm_may_not_move_their_customer_to_another_branch(rm, customer, other_branch, branch):
    response = rm.patch(detail_url(customer), {"home_branch": other_branch.pk}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "Only the branch manager or head office may move a customer to another branch."
    )
    customer.refresh_from_db()
    assert customer.home_branch_id == branch.pk


def test_branch_manager_changes_what_they_see_but_not_masked_fields(branch_manager, customer):
    client = client_for(branch_manager)

    refused = client.patch(detail_url(customer), {"phone": "+86 139 0000 0000"}, format="json")
    changed = client.patch(detail_url(customer), {"do_not_contact": True}, format="json")

    assert refused.status_code == 400
    assert field_errors(refused) == {"phone": ["You may change only details you see in clear."]}
    assert changed.status_code == 200, changed.content
    customer.refresh_from_db()
    assert customer.do_not_contact is True
    assert customer.phone == "+86 138 0013 5678"


# --- upsert by reference --------------------------------------------------------------------


def _by_reference(reference: str) -> str:
    return f"/api/v1/customers/by-reference/{reference}/"


def test_upsert_creates_then_updates_without_duplicating(service, branch):
    created = service.put(_by_reference("CB-1001"), corporate_body(branch), format="json")
    updated_body = corporate_body(branch, phone="+86 21 6000 9999")
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
    service.put(_by_reference("CB-2"), individual_body(branch), format="json")

    again = service.put(_by_reference("CB-2"), individual_body(branch), format="json")

    assert again.status_code == 200
    customer = Customer.objects.get(external_reference="CB-2")
    assert list(CustomerEvent.objects.filter(customer=customer).values_list("kind", flat=True)) == ["created"]


def test_upsert_refuses_a_change_of_kind_or_manager(service, branch, relationship_manager):
    service.put(_by_reference("CB-3"), individual_body(branch), format="json")
    company = corporate_body(branch)
    managed = individual_body(branch, relationship_manager=relationship_manager.pk)

    assert list(field_errors(service.put(_by_reference("CB-3"), company, format="json"))) == ["kind"]
    assert list(field_errors(service.put(_by_reference("CB-3"), managed, format="json"))) == [
        "relationship_manager"
    ]
    assert Customer.objects.get(external_reference="CB-3").kind == CustomerKind.INDIVIDUAL


def test_upsert_refuses_bad_input(service, branch):
    body = individual_body(branch, email="x@", individual={"family_name": "Li"})

    assert set(field_errors(service.put(_by_reference("CB-4"), body, format="json"))) == {
        "email",
        "individual.given_name",
    }
    assert Customer.objects.count() == 0


def test_upsert_is_for_service_accounts_only(rm, branch):
    response = rm.put(_by_reference("CB-5"), individual_body(branch), format="json")

    assert response.status_code == 403
    assert Customer.objects.count() == 0
