"""The new-customer page: who may open it, creating individuals and corporates, bad input,
and the possible duplicates shown before anything is saved."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from compliance.models import AuditEvent
from customers.models import Customer, CustomerKind
from tests.customers.factories import make_individual
from tests.customers.views.pages import REQUEST_OVERHEAD, body_of, list_page

URL = reverse("customer-create")


def individual_entry(branch, **overrides) -> dict:
    entry = {
        "kind": "individual", "family_name": "Li", "given_name": "Na", "local_name": "李娜",
        "gender": "female", "date_of_birth": "1990-01-01", "id_number": "110105199001011234",
        "phone": "+86 139 1111 2222", "email": "li.na@example.cn", "address": "1 Zhongshan Road",
        "home_branch": str(branch.pk),
    }
    entry.update(overrides)
    return entry


def corporate_entry(branch, **overrides) -> dict:
    entry = {
        "kind": "corporate", "legal_name": "Donghai Shipping Co., Ltd.", "industry": "Shipping",
        "employees": "800", "id_number": "91310000MA1K000042", "phone": "+86 21 6000 1234",
        "email": "treasury@donghai.example.cn", "address": "88 Bund Road", "home_branch": str(branch.pk),
    }
    entry.update(overrides)
    return entry


def created_events():
    return list(AuditEvent.objects.filter(action="customer.created").order_by("pk"))


# ---------------------------------------------------------------------------------------------
# Who may open the page


@pytest.mark.parametrize("role", ["branch_staff", "relationship_manager", "branch_manager"])
def test_the_roles_that_add_customers_get_the_form(client, request, role):
    client.force_login(request.getfixturevalue(role))

    response = client.get(URL)

    assert response.status_code == 200
    assert 'data-testid="customer-create-form"' in body_of(response)


@pytest.mark.parametrize("role", ["compliance_officer", "administrator", "service_account"])
def test_roles_that_may_not_add_customers_are_refused(client, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"kind": "individual"}).status_code == 403
    assert Customer.objects.count() == 0


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_list_offers_new_customer_to_those_who_may_add(client, branch_staff, compliance_officer):
    client.force_login(branch_staff)
    assert 'data-testid="new-customer"' in body_of(list_page(client))
    client.force_login(compliance_officer)
    assert 'data-testid="new-customer"' not in body_of(list_page(client))


def test_the_home_branch_is_the_users_own_and_no_other(client, branch_staff, branch, other_branch):
    client.force_login(branch_staff)

    form = client.get(URL).context["form"]
    assert list(form.fields["home_branch"].queryset) == [branch]

    response = client.post(URL, individual_entry(other_branch))
    assert response.status_code == 200
    assert response.context["form"].errors["home_branch"]
    assert Customer.objects.count() == 0


def test_only_who_may_set_segments_by_hand_is_offered_the_segment(client, branch_staff, branch_manager):
    client.force_login(branch_staff)
    assert "segment" not in client.get(URL).context["form"].fields
    client.force_login(branch_manager)
    assert "segment" in client.get(URL).context["form"].fields


def test_the_form_costs_one_query_beyond_the_request(client, branch_staff, django_assert_num_queries):
    client.force_login(branch_staff)
    client.get(URL)
    # The branches the user may add to.
    with django_assert_num_queries(REQUEST_OVERHEAD + 1):
        client.get(URL)


# ---------------------------------------------------------------------------------------------
# Creating


def test_branch_staff_create_an_individual(client, branch_staff, branch):
    client.force_login(branch_staff)

    response = client.post(URL, individual_entry(branch))

    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("customer-detail", args=[customer.pk])
    assert (customer.kind, customer.display_name) == ("individual", "Li Na")
    assert customer.home_branch_id == branch.pk
    assert customer.relationship_manager_id is None
    assert customer.individual.date_of_birth == datetime.date(1990, 1, 1)
    assert customer.individual.local_name == "李娜"
    assert customer.phone == "+86 139 1111 2222"
    [event] = created_events()
    assert event.actor_id == branch_staff.pk
    assert event.object_id == str(customer.pk)
    assert event.purpose == ""
    assert "phone" in event.fields


def test_a_relationship_manager_creates_a_corporate_in_their_own_book(client, relationship_manager, branch):
    client.force_login(relationship_manager)

    response = client.post(URL, corporate_entry(branch))

    customer = Customer.objects.get()
    assert response.status_code == 302
    assert customer.kind == CustomerKind.CORPORATE
    assert customer.display_name == "Donghai Shipping Co., Ltd."
    assert customer.corporate.employees == 800
    assert customer.relationship_manager_id == relationship_manager.pk


def test_a_branch_manager_sets_the_segment(client, branch_manager, branch):
    client.force_login(branch_manager)

    client.post(URL, individual_entry(branch, segment="vip"))

    assert Customer.objects.get().segment == "vip"


@pytest.mark.parametrize(("field", "value"), [
    ("phone", "call me"), ("email", "not-an-address"), ("date_of_birth", "1990-13-45"), ("family_name", ""),
])
def test_invalid_input_shows_the_field_error_and_keeps_the_entry(client, branch_staff, branch, field, value):
    client.force_login(branch_staff)
    entry = individual_entry(branch, **{field: value})

    response = client.post(URL, entry)

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    for name in ("given_name", "local_name", "address", "email", "phone"):
        assert form[name].value() == entry[name]
    assert Customer.objects.count() == 0
    assert created_events() == []


def test_an_unknown_kind_falls_back_to_an_individual(client, branch_staff):
    client.force_login(branch_staff)

    assert client.get(f"{URL}?kind=robot").context["kind"] == "individual"


# ---------------------------------------------------------------------------------------------
# Possible duplicates


@pytest.fixture
def existing(relationship_manager, branch):
    return make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Na",
                           family_name="Li", phone="+86 139 1111 2222", email="someone@example.cn",
                           id_number="110105197001019999", date_of_birth=datetime.date(1970, 1, 1))


def test_a_shared_phone_shows_the_existing_customer_masked_and_saves_nothing(
    client, branch_staff, branch, existing
):
    client.force_login(branch_staff)
    events_before = len(created_events())

    response = client.post(URL, individual_entry(branch, phone="139 1111 2222"))

    assert response.status_code == 200
    assert Customer.objects.count() == 1
    [row] = response.context["duplicates"]
    assert row["candidate"].customer.pk == existing.pk
    assert row["candidate"].reasons == ["phone"]
    body = body_of(response)
    assert reverse("customer-detail", args=[existing.pk]) in body
    assert "139****2222" in body
    assert "+86 139 1111 2222" not in body.split('data-testid="customer-create-form"')[0]
    assert 'name="duplicate_reason"' in body
    assert len(created_events()) == events_before


def test_a_similar_name_and_the_same_birth_date_is_a_possible_duplicate(client, branch_staff, branch,
                                                                        existing):
    client.force_login(branch_staff)

    response = client.post(URL, individual_entry(branch, date_of_birth="1970-01-01", phone="", email="",
                                                 id_number="", local_name=""))

    [row] = response.context["duplicates"]
    assert row["candidate"].reasons == ["name_and_date_of_birth"]
    assert Customer.objects.count() == 1


def test_creating_anyway_needs_a_reason_and_records_it(client, branch_staff, branch, existing):
    client.force_login(branch_staff)
    before = {event.pk for event in created_events()}

    short = client.post(URL, individual_entry(branch, duplicate_reason="twin"))
    assert short.status_code == 200
    assert short.context["form"].errors["duplicate_reason"]
    assert Customer.objects.count() == 1

    reason = "Twin sister, shares the family phone"
    response = client.post(URL, individual_entry(branch, duplicate_reason=reason))

    assert response.status_code == 302
    created = Customer.objects.exclude(pk=existing.pk).get()
    [event] = [event for event in created_events() if event.pk not in before]
    assert event.object_id == str(created.pk)
    assert event.purpose == reason
    assert event.extra == {"possible_duplicates": [existing.pk]}


def test_a_duplicate_the_user_may_not_see_is_only_mentioned(
    client, branch_staff, branch, other_branch, other_relationship_manager
):
    hidden = make_individual(relationship_manager=other_relationship_manager, branch=other_branch,
                             given_name="Hidden", family_name="Person", phone="+86 139 1111 2222")
    client.force_login(branch_staff)

    response = client.post(URL, individual_entry(branch))

    assert response.status_code == 200
    assert response.context["duplicates"] == []
    body = body_of(response)
    assert 'data-testid="duplicate-elsewhere"' in body
    for detail in (hidden.number, hidden.display_name, other_branch.code, other_branch.name,
                   reverse("customer-detail", args=[hidden.pk])):
        assert detail not in body
    assert Customer.objects.count() == 1

    response = client.post(URL, individual_entry(branch, duplicate_reason="Checked with head office today"))
    assert response.status_code == 302
    assert created_events()[-1].extra == {"possible_duplicates": [hidden.pk]}


def test_the_duplicate_check_costs_a_fixed_number_of_queries(
    client, branch_staff, branch, existing, django_assert_num_queries
):
    client.force_login(branch_staff)
    client.post(URL, individual_entry(branch))
    # The branches (the choice, the chosen one), the visible candidates (exact, similar name),
    # every customer's (exact, similar name; all of them seen already), and the candidates'
    # clear fields (object permissions, reveal grants).
    with django_assert_num_queries(REQUEST_OVERHEAD + 2 + 2 + 2 + 2):
        response = client.post(URL, individual_entry(branch))
    assert len(response.context["duplicates"]) == 1


def test_the_form_takes_no_core_banking_reference(client, relationship_manager, branch, other_branch,
                                                  other_relationship_manager):
    # A reference held in another book, sent with the form, is neither looked up nor stored:
    # the page has no such field, so it answers as for any other new customer.
    make_individual(branch=other_branch, relationship_manager=other_relationship_manager,
                    external_reference="FAR-1")
    client.force_login(relationship_manager)

    response = client.post(URL, individual_entry(branch, external_reference="FAR-1"))

    created = Customer.objects.exclude(external_reference="FAR-1").get()
    assert response.status_code == 302
    assert response["Location"] == reverse("customer-detail", args=[created.pk])
    assert created.external_reference is None
