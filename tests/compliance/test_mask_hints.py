"""A masked value never needs decryption: what its mask shows is written beside the ciphertext.

Decryptions are counted where the key ring hands out ciphers (`decryption_log`), so a
surface that decrypts anything, through any module, is caught.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as global_apps
from django.core.exceptions import FieldDoesNotExist
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from compliance import access, mask_hints
from compliance.access import RecordView
from compliance.crypto import encrypt, generate_key
from compliance.fields import EncryptedField, MaskHintField
from compliance.mask_hints import refresh_mask_hints
from compliance.masking import FIXED_MASKS, mask
from compliance.rotation import rotate
from crm.roles import Role
from customers import services
from customers.intake import services as imports
from customers.intake.merging import customers_merge
from customers.models import Customer, Holding, ImportKind, Interaction, Need
from tests.compliance.unbound import store_unbound
from tests.customers.factories import make_corporate, make_holding, make_individual, make_interaction
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PHONE = "+86 138 0013 8000"
EMAIL = "wei.zhang@example.cn"
ID_NUMBER = "110105198001011234"
ADDRESS = "88 Century Avenue, Pudong"
ACCOUNT = "6222 0210 0100 4321"
CUSTOMER_HINTS = ("phone_mask", "email_mask", "id_number_mask")
HINTED = {"phone_mask": ("phone", "phone"), "email_mask": ("email", "email"),
          "id_number_mask": ("id_number", "last4")}
PAGE = 25


def _stored_hints(customer) -> dict[str, str]:
    return Customer.objects.filter(pk=customer.pk).values(*CUSTOMER_HINTS).get()


def _expected_hints(customer) -> dict[str, str]:
    """The masks of the customer's current plaintext (decrypting it, as only a test may)."""
    fresh = Customer.objects.get(pk=customer.pk)
    return {hint: mask(getattr(fresh, source), kind) for hint, (source, kind) in HINTED.items()}


@pytest.fixture
def customer(relationship_manager, branch):
    return make_individual(relationship_manager=relationship_manager, branch=branch, phone=PHONE,
                           email=EMAIL, id_number=ID_NUMBER, address=ADDRESS)


@pytest.fixture
def branch_page(relationship_manager, branch):
    """A full page of branch customers, individuals and companies, each with a holding."""
    customers = [make_individual(relationship_manager=relationship_manager, branch=branch)
                 for _ in range(PAGE - 5)]
    customers += [make_corporate(relationship_manager=relationship_manager, branch=branch,
                                 phone=f"+86 21 6888 {n:04d}", email=f"desk{n}@corp.example.cn",
                                 address=f"{n} Lujiazui Ring Road")
                  for n in range(5)]
    for each in customers:
        make_holding(each)
    return customers


# ---------------------------------------------------------------------------------------------
# Surfaces that show masked values decrypt nothing
# ---------------------------------------------------------------------------------------------


def test_branch_managers_customer_list_decrypts_nothing(client, branch_manager, branch_page, decryption_log):
    client.force_login(branch_manager)

    response = client.get(reverse("customer-list"))

    assert response.status_code == 200
    assert len(response.context["rows"]) == PAGE
    assert '<span class="masked" data-masked="true">138****' in response.content.decode()
    assert decryption_log == []


def test_branch_managers_filtered_fragment_and_name_search_decrypt_nothing(
    client, branch_manager, branch_page, decryption_log
):
    client.force_login(branch_manager)

    fragment = client.get(reverse("customer-list"), {"kind": "corporate"}, HTTP_HX_REQUEST="true")
    search = client.get(reverse("customer-list"), {"q": "zhang"})

    assert (fragment.status_code, search.status_code) == (200, 200)
    assert len(fragment.context["rows"]) == 5
    assert len(search.context["rows"]) == PAGE - 5
    assert decryption_log == []


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


def test_masked_list_and_export_read_the_hints_with_the_page_not_per_row(
    client, branch_manager, relationship_manager, branch, decryption_log
):
    client.force_login(branch_manager)
    make_individual(relationship_manager=relationship_manager, branch=branch)
    few = (_queries(client, reverse("customer-list")), _queries(client, reverse("customer-export")))
    for _ in range(6):
        make_individual(relationship_manager=relationship_manager, branch=branch)
    decryption_log.clear()

    many = (_queries(client, reverse("customer-list")), _queries(client, reverse("customer-export")))

    assert many == few
    assert decryption_log == []


def test_api_list_for_a_masked_viewer_decrypts_nothing(branch_manager, branch_page, decryption_log):
    api = APIClient()
    api.force_authenticate(branch_manager)

    response = api.get("/api/v1/customers/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == PAGE
    assert all(row["masked_fields"] == ["phone", "email", "aum"] for row in rows)
    assert {row["phone"][3:7] for row in rows} == {"****"}
    assert decryption_log == []


def test_the_counter_sees_the_decryptions_of_a_viewer_in_clear(client, relationship_manager, branch_page,
                                                               decryption_log):
    client.force_login(relationship_manager)

    response = client.get(reverse("customer-list"))

    assert response.status_code == 200
    assert decryption_log.count("customers.customer.phone") == PAGE


# ---------------------------------------------------------------------------------------------
# The masked text is the same as masking the plaintext
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("maker", [make_individual, make_corporate])
def test_every_masked_field_shows_the_mask_of_its_plaintext(maker, branch_manager, relationship_manager,
                                                            branch, decryption_log):
    record = maker(relationship_manager=relationship_manager, branch=branch)
    loaded = Customer.objects.select_related("individual", "corporate").get(pk=record.pk)
    shown = {name: RecordView.for_object(branch_manager, loaded).field(name)
             for name in access.sensitive_fields(Customer)}
    assert decryption_log == []

    for name, spec in access.sensitive_fields(Customer).items():
        plaintext = _plaintext(loaded, spec.path)
        assert shown[name].text == mask(plaintext, spec.mask_kind), name
        assert shown[name].masked is (plaintext not in (None, "")), name
        assert shown[name].value is None


def test_empty_fields_show_empty_and_unmasked(branch_manager, relationship_manager, branch):
    record = make_individual(relationship_manager=relationship_manager, branch=branch, phone=None,
                             email="", address=None, date_of_birth=None, annual_income=None)
    view = RecordView.for_object(branch_manager, Customer.objects.get(pk=record.pk))

    for name in ("phone", "email", "address", "date_of_birth", "annual_income", "annual_revenue"):
        assert (view.field(name).text, view.field(name).masked) == ("", False), name


def test_an_empty_address_shows_empty_and_a_written_one_the_fixed_mask(branch_manager, relationship_manager,
                                                                       branch, decryption_log):
    empty = make_individual(relationship_manager=relationship_manager, branch=branch, address="")
    written = make_individual(relationship_manager=relationship_manager, branch=branch, address=ADDRESS)
    decryption_log.clear()

    views = RecordView.for_objects(branch_manager, Customer.objects.filter(pk__in=[empty.pk, written.pk])
                                   .order_by("pk"))

    assert [(view.field("address").text, view.field("address").masked) for view in views] == [
        ("", False), ("****", True)]
    assert decryption_log == []


def _plaintext(record, path):
    value = record
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def test_every_registered_encrypted_field_masked_by_its_value_names_a_matching_hint():
    registered = []
    for model in global_apps.get_models():
        try:
            fields = access.sensitive_fields(model)
        except LookupError:
            continue
        for spec in fields.values():
            owner, source = _field_at(model, spec.path)
            needs_hint = isinstance(source, EncryptedField) and spec.mask_kind not in FIXED_MASKS
            if spec.hint is None:
                assert not needs_hint, f"{model._meta.label} {spec.name} needs a mask hint"
                continue
            hint_owner, hint = _field_at(model, spec.hint)
            assert isinstance(hint, MaskHintField), spec.name
            assert (hint_owner, hint.source, hint.kind) == (owner, source.name, spec.mask_kind), spec.name
            registered.append(spec.name)

    assert {"phone", "email", "id_number", "account_number"} <= set(registered)


def test_free_text_keeps_no_hint_column():
    # Free text may mention anything, so its mask shows none of it and nothing is kept in clear.
    for model in (Customer, Need, Interaction):
        assert not [field for field in model._meta.concrete_fields
                    if isinstance(field, MaskHintField) and field.kind == "text"], model


def _field_at(model, path):
    *relations, name = path.split(".")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    try:
        return model, model._meta.get_field(name)
    except FieldDoesNotExist:  # a property or another computed attribute
        return model, None


# ---------------------------------------------------------------------------------------------
# Every writer leaves the right hint
# ---------------------------------------------------------------------------------------------


def test_hints_are_the_masks_after_create(customer):
    assert _stored_hints(customer) == {
        "phone_mask": "138****8000", "email_mask": "w***@example.cn",
        "id_number_mask": "****1234",
    }


def test_hints_follow_an_update_that_changes_and_clears_values(customer, relationship_manager):
    services.customer_update(actor=relationship_manager, customer=customer,
                             fields={"phone": "+86 139 1234 5678", "email": "", "address": None})

    assert _stored_hints(customer) == {
        "phone_mask": "139****5678", "email_mask": "", "id_number_mask": "****1234",
    }


def test_an_update_of_other_fields_keeps_the_hints_without_decrypting_them(customer, relationship_manager,
                                                                          decryption_log):
    before = _stored_hints(customer)
    loaded = Customer.objects.get(pk=customer.pk)
    loaded.do_not_contact = True

    loaded.save()

    assert _stored_hints(customer) == before
    assert decryption_log == []


def test_holding_hints_follow_the_upsert(customer):
    holding = make_holding(customer, account_number=ACCOUNT, external_reference="H-1")
    assert Holding.objects.get(pk=holding.pk).account_number_mask == "****4321"

    make_holding(customer, account_number="6222 0210 0100 9876", external_reference="H-1")

    assert Holding.objects.get(pk=holding.pk).account_number_mask == "****9876"


def test_notes_and_summaries_mask_without_a_hint_or_a_decryption(customer, relationship_manager,
                                                                  branch_manager, decryption_log):
    need = services.need_record(actor=relationship_manager, customer=customer, need_type="investment",
                                note="Wants a fund for the children")
    empty = services.need_record(actor=relationship_manager, customer=customer, need_type="consumer_credit")
    interaction = make_interaction(customer, summary="Asked about term deposits")
    decryption_log.clear()

    needs = Need.objects.filter(pk__in=[need.pk, empty.pk]).select_related("customer").order_by("pk")
    shown = [view.field("note") for view in RecordView.for_objects(branch_manager, needs)]
    (timeline,) = RecordView.for_objects(
        branch_manager, Interaction.objects.filter(pk=interaction.pk).select_related("customer"))

    assert [(value.text, value.masked) for value in shown] == [("****", True), ("", False)]
    assert (timeline.field("summary").text, timeline.field("summary").masked) == ("****", True)
    assert decryption_log == []


@pytest.fixture
def importer(branch):
    rm = UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=branch, username="rm.import")
    rm.staff_profile.employee_number = "RM0009"
    rm.staff_profile.save(update_fields=["employee_number"])
    return UserFactory(role=Role.BRANCH_MANAGER, branch=branch, username="manager.import")


def _apply(actor, content: bytes, kind=ImportKind.CUSTOMERS):
    job = imports.import_job_create(actor=actor, kind=kind, file_name="file.csv", content=content,
                                    home_branch=None)
    imports.import_job_validate(job_id=job.pk)
    return imports.import_job_apply(job_id=job.pk, actor_id=actor.pk)


CUSTOMER_CSV = (
    "external_reference,kind,given_name,family_name,branch_code,rm_employee_number,phone,email,"
    "id_number,address\n"
)


def test_hints_are_written_by_the_import_on_create_and_on_update(importer):
    _apply(importer, (CUSTOMER_CSV + "IMP-1,individual,Wei,Zhang,SH01,RM0009,+86 138 0013 8000,"
                      "wei.zhang@example.cn,110105198001011234,88 Century Avenue\n").encode())
    created = Customer.objects.get(external_reference="IMP-1")
    assert _stored_hints(created) == {"phone_mask": "138****8000", "email_mask": "w***@example.cn",
                                      "id_number_mask": "****1234"}

    _apply(importer, (CUSTOMER_CSV + "IMP-1,individual,Wei,Zhang,SH01,RM0009,+86 139 0000 1111,"
                      "li.na@example.com,110105198001015678,1 Zhongshan Road\n").encode())

    assert _stored_hints(created) == {"phone_mask": "139****1111", "email_mask": "l***@example.com",
                                      "id_number_mask": "****5678"}
    assert _stored_hints(created) == _expected_hints(created)


HOLDING_CSV = (
    "customer_reference,holding_reference,product_type,product_name,account_number,balance,currency,"
    "status,opened_on\n"
)


def test_hints_are_written_by_the_holdings_import_on_create_and_on_update(importer):
    _apply(importer, (CUSTOMER_CSV + "IMP-2,individual,Na,Li,SH01,RM0009,,,,\n").encode())

    _apply(importer, (HOLDING_CSV + f"IMP-2,HLD-1,savings_account,Savings,{ACCOUNT},1000.00,CNY,active,"
                      "2020-01-01\n").encode(), kind=ImportKind.HOLDINGS)
    assert Holding.objects.get(external_reference="HLD-1").account_number_mask == "****4321"

    _apply(importer, (HOLDING_CSV + "IMP-2,HLD-1,savings_account,Savings,6222 0210 0100 8765,1000.00,CNY,"
                      "active,2020-01-01\n").encode(), kind=ImportKind.HOLDINGS)
    assert Holding.objects.get(external_reference="HLD-1").account_number_mask == "****8765"


def test_merging_keeps_both_records_hints(customer, relationship_manager, branch, branch_manager):
    duplicate = make_individual(relationship_manager=relationship_manager, branch=branch,
                                phone="+86 138 0013 9999", email="w.zhang@example.com")
    survivor_hints, merged_hints = _stored_hints(customer), _stored_hints(duplicate)

    customers_merge(actor=branch_manager, survivor=customer, merged=duplicate)

    assert _stored_hints(customer) == survivor_hints == _expected_hints(customer)
    assert _stored_hints(duplicate) == merged_hints == _expected_hints(duplicate)


def test_key_rotation_keeps_the_hints(customer, settings, decryption_log):
    make_holding(customer, account_number=ACCOUNT)
    hints = _stored_hints(customer)
    old_token = Customer.objects.values_list("phone", flat=True).get(pk=customer.pk).token
    settings.FIELD_ENCRYPTION_KEYS = [f"knew:{generate_key()}", *settings.FIELD_ENCRYPTION_KEYS]

    rotate(batch_size=2)

    assert Customer.objects.values_list("phone", flat=True).get(pk=customer.pk).token != old_token
    assert _stored_hints(customer) == hints == _expected_hints(customer)
    assert Holding.objects.get(customer=customer).account_number_mask == "****4321"


# ---------------------------------------------------------------------------------------------
# The database holds nothing in clear beyond the masks
# ---------------------------------------------------------------------------------------------


def test_raw_rows_hold_no_plaintext_beyond_the_masks(customer):
    holding = make_holding(customer, account_number=ACCOUNT)
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(c)::text FROM customers_customer c WHERE id = %s", [customer.pk])
        (customer_row,) = cursor.fetchone()
        cursor.execute("SELECT row_to_json(h)::text FROM customers_holding h WHERE id = %s", [holding.pk])
        (holding_row,) = cursor.fetchone()

    for secret in ("13800138000", "0013 8000", "0013", "wei.zhang", "zhang@", "11010519800101",
                   "Century", "Pudong", "88 C", "0210 0100", "62220210"):
        assert secret not in customer_row, secret
        assert secret not in holding_row, secret
    assert "address_mask" not in customer_row
    for shown in ('"138****8000"', '"w***@example.cn"', '"****1234"'):
        assert shown in customer_row
    assert '"****4321"' in holding_row


# ---------------------------------------------------------------------------------------------
# Refreshing hints (the migration and manage.py refresh_mask_hints)
# ---------------------------------------------------------------------------------------------


def _blank_hints():
    Customer.objects.update(**dict.fromkeys(CUSTOMER_HINTS, ""))
    Holding.objects.update(account_number_mask="")


def test_refresh_fills_blank_hints_in_batches_and_then_has_nothing_to_do(customer, relationship_manager,
                                                                        branch):
    second = make_individual(relationship_manager=relationship_manager, branch=branch, email=None)
    make_holding(customer, account_number=ACCOUNT)
    expected = {record.pk: _stored_hints(record) for record in (customer, second)}
    _blank_hints()

    result = refresh_mask_hints(batch_size=1)

    assert {record.pk: _stored_hints(record) for record in (customer, second)} == expected
    assert Holding.objects.get(customer=customer).account_number_mask == "****4321"
    assert result.checked == {"customers.Customer": 2, "customers.Holding": 1}
    assert result.written == {"customers.Customer": 5, "customers.Holding": 1}
    assert refresh_mask_hints().total_written == 0


def test_missing_only_reads_rows_with_a_blank_hint_and_a_full_run_corrects_stale_ones(
    customer, relationship_manager, branch
):
    blank = make_individual(relationship_manager=relationship_manager, branch=branch)
    Customer.objects.filter(pk=customer.pk).update(phone_mask="139****0000")
    Customer.objects.filter(pk=blank.pk).update(email_mask="")

    missing = refresh_mask_hints(only_missing=True)

    assert (missing.checked["customers.Customer"], missing.written["customers.Customer"]) == (1, 1)
    assert _stored_hints(blank) == _expected_hints(blank)
    assert _stored_hints(customer)["phone_mask"] == "139****0000"
    refresh_mask_hints()
    assert _stored_hints(customer) == _expected_hints(customer)


def test_refresh_leaves_a_value_changed_meanwhile_with_its_own_hint(customer, monkeypatch):
    Customer.objects.filter(pk=customer.pk).update(phone_mask="")
    real = mask_hints._plaintext

    def changed_meanwhile(source, stored, pk, identity):
        if source.name == "phone":
            other = Customer.objects.get(pk=pk)
            other.phone = "+86 139 1111 2222"
            other.save()
        return real(source, stored, pk, identity)

    monkeypatch.setattr(mask_hints, "_plaintext", changed_meanwhile)

    refresh_mask_hints()

    assert _stored_hints(customer)["phone_mask"] == "139****2222"


def test_refresh_reports_values_that_do_not_decrypt_by_primary_key(customer, capsys):
    foreign = encrypt("13800138000", context="customers.customer.email")
    Customer.objects.filter(pk=customer.pk).update(phone_mask="")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE customers_customer SET phone = %s WHERE id = %s", [foreign, customer.pk])

    with pytest.raises(CommandError) as raised:
        call_command("refresh_mask_hints")

    assert raised.value.returncode == 1
    assert f"primary keys {customer.pk}" in capsys.readouterr().err
    assert _stored_hints(customer)["phone_mask"] == ""


def test_refresh_command_reports_what_it_wrote(customer, capsys):
    Customer.objects.filter(pk=customer.pk).update(id_number_mask="")

    call_command("refresh_mask_hints", "--batch-size", "10")

    out = capsys.readouterr().out
    assert "customers.Customer: 1 rows checked" in out
    assert "1 hints written." in out
    assert "1234" not in out


def test_the_migration_fills_hints_through_the_historical_models(customer):
    holding = make_holding(customer, account_number=ACCOUNT)
    expected = _stored_hints(customer)
    # The migration ran before values were bound to their rows, on tokens of that format.
    for name in ("phone", "email", "id_number"):
        store_unbound(Customer, customer.pk, name, getattr(customer, name))
    store_unbound(Holding, holding.pk, "account_number", ACCOUNT)
    _blank_hints()
    migration = importlib.import_module("customers.migrations.0006_fill_mask_hints")
    state = MigrationExecutor(connection).loader.project_state(("customers", "0006_fill_mask_hints"))

    with connection.schema_editor() as schema_editor:
        migration.fill_mask_hints(state.apps, schema_editor)

    assert _stored_hints(customer) == expected
    assert Holding.objects.get(customer=customer).account_number_mask == "****4321"


def test_refresh_refuses_an_empty_batch():
    with pytest.raises(ValueError, match="batch_size"):
        refresh_mask_hints(batch_size=0)


def test_amounts_need_no_hint(customer, branch_manager, decryption_log):
    view = RecordView.for_object(branch_manager, Customer.objects.select_related("individual").get(
        pk=customer.pk))

    assert (view.field("annual_income").text, view.field("date_of_birth").text) == ("******", "****-**-**")
    assert (view.field("annual_income").masked, view.field("date_of_birth").masked) == (True, True)
    assert decryption_log == []
