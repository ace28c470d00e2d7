"""One length limit per field, the model's, on every surface that writes it: the service
(full_clean), the browser edit and create forms, the API, the import and the admin; and the
API takes only text where text is expected."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from customers import services
from customers.intake import services as intake
from customers.models import Customer, Holding, Interaction, Need
from tests.customers.api.helpers import LIST_URL, client_for, field_errors, individual_body
from tests.customers.factories import make_individual

pytestmark = pytest.mark.django_db

ADDRESS = "1 Century Avenue, Pudong, Shanghai"
LIMIT = 500


@pytest.fixture
def customer(relationship_manager, branch):
    return make_individual(relationship_manager=relationship_manager, branch=branch, address=ADDRESS)


def stored_address(customer) -> str:
    return Customer.objects.get(pk=customer.pk).address


def test_the_limits_live_on_the_model_fields():
    limits = {(model.__name__, name): model._meta.get_field(name).max_length for model, name in (
        (Customer, "id_number"), (Customer, "phone"), (Customer, "email"), (Customer, "address"),
        (Holding, "account_number"), (Need, "note"), (Interaction, "summary"))}

    assert limits == {
        ("Customer", "id_number"): 40, ("Customer", "phone"): 40, ("Customer", "email"): 254,
        ("Customer", "address"): 500, ("Holding", "account_number"): 40, ("Need", "note"): 2000,
        ("Interaction", "summary"): 4000,
    }


def test_the_service_refuses_an_address_over_the_limit(relationship_manager, customer):
    with pytest.raises(ValidationError) as raised:
        services.customer_update(actor=relationship_manager, customer=customer,
                                 fields={"address": "x" * (LIMIT + 1)})

    assert list(raised.value.message_dict) == ["address"]
    assert stored_address(customer) == ADDRESS


def test_the_service_takes_an_address_at_the_limit(relationship_manager, customer):
    services.customer_update(actor=relationship_manager, customer=customer, fields={"address": "x" * LIMIT})

    assert stored_address(customer) == "x" * LIMIT


def _edit_data(form) -> dict:
    return {name: (",".join(value) if isinstance(value, list) else value)
            for name, value in form.initial.items() if value not in (None, False)}


def test_the_browser_edit_form_refuses_a_megabyte_address(client, relationship_manager, customer):
    client.force_login(relationship_manager)
    url = reverse("customer-edit", args=[customer.pk])
    data = _edit_data(client.get(url).context["form"])
    data["address"] = "x" * 1_000_000

    response = client.post(url, data)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["address"]
    assert stored_address(customer) == ADDRESS


def test_the_browser_create_form_refuses_an_address_over_the_limit(client, relationship_manager, branch):
    client.force_login(relationship_manager)
    entry = {
        "kind": "individual", "family_name": "Li", "given_name": "Na", "gender": "female",
        "date_of_birth": "1990-01-01", "phone": "+86 139 1111 2222", "address": "x" * (LIMIT + 1),
        "home_branch": str(branch.pk),
    }

    response = client.post(reverse("customer-create"), entry)

    assert response.status_code == 200
    assert "address" in response.context["form"].errors
    assert Customer.objects.count() == 0


def test_the_api_refuses_an_address_over_the_limit(relationship_manager, customer):
    response = client_for(relationship_manager).patch(
        f"{LIST_URL}{customer.pk}/", {"address": "x" * (LIMIT + 1)}, format="json")

    assert response.status_code == 400
    assert list(field_errors(response)) == ["address"]
    assert stored_address(customer) == ADDRESS


@pytest.mark.parametrize("body", ['{"address": 1e400}', '{"address": 12}', '{"display_name": 42}',
                                  '{"address": true}', '{"individual": {"occupation": 3.5}}'])
def test_the_api_refuses_a_number_where_text_is_expected(relationship_manager, customer, body):
    response = client_for(relationship_manager).generic(
        "PATCH", f"{LIST_URL}{customer.pk}/", body, content_type="application/json")

    assert response.status_code == 400
    errors = response.json()["error"]["fields"]
    assert errors in ({"address": ["Enter text, not a number or another JSON type."]},
                      {"display_name": ["Enter text, not a number or another JSON type."]},
                      {"individual.occupation": ["Enter text, not a number or another JSON type."]})
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.address, stored.individual.occupation) == (ADDRESS, customer.individual.occupation)


def test_the_api_create_uses_the_same_limit(service_account, branch):
    body = individual_body(branch, address="x" * (LIMIT + 1))

    response = client_for(service_account).post(LIST_URL, body, format="json")

    assert response.status_code == 400
    assert list(field_errors(response)) == ["address"]
    assert Customer.objects.count() == 0


def test_the_import_reports_an_address_over_the_limit(service_account, branch):
    record = {"external_reference": "CB-0001", "kind": "individual", "given_name": "Na",
              "family_name": "Li", "branch_code": branch.code, "address": "x" * (LIMIT + 1)}
    sent = client_for(service_account).post("/api/v1/imports/", {"kind": "customers", "records": [record]},
                                            format="json")
    job = intake.import_job_validate(job_id=sent.json()["id"])

    problems = client_for(service_account).get(f"/api/v1/imports/{job.pk}/").json()["problems"]
    assert [(p["record"], p["field"], p["code"]) for p in problems if p["severity"] == "error"] == [
        (1, "address", "too_long")]


def test_the_admin_offers_no_way_to_write_a_customer(client, administrator, customer):
    client.force_login(administrator)

    response = client.post(f"/admin/customers/customer/{customer.pk}/change/",
                           {"address": "x" * (LIMIT + 1)})

    assert response.status_code == 403
    assert stored_address(customer) == ADDRESS
