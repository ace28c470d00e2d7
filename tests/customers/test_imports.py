"""CSV imports: upload checks, the dry run, applying, idempotence, resuming, tasks and pages."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.crypto import blind_index
from compliance.models import AuditEvent
from crm.roles import Role
from customers import imports
from customers.import_tasks import apply_import
from customers.models import (
    CorporateProfile,
    Customer,
    CustomerEvent,
    CustomerEventKind,
    CustomerUserObjectPermission,
    Holding,
    ImportJob,
    ImportKind,
    ImportStatus,
    IndividualProfile,
)
from customers.selectors import customer_list
from tests.customers.factories import make_individual
from tests.factories import BranchFactory, UserFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
CUSTOMER_HEADER = (
    "external_reference,kind,given_name,family_name,date_of_birth,branch_code,rm_employee_number,phone"
)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def manager_rm(relationship_manager):
    """The relationship manager the fixture files name by employee number RM0001."""
    profile = relationship_manager.staff_profile
    profile.employee_number = "RM0001"
    profile.save(update_fields=["employee_number"])
    return relationship_manager


def create_job(actor, content, *, kind=ImportKind.CUSTOMERS, home_branch=None, name="customers.csv"):
    return imports.import_job_create(
        actor=actor, kind=kind, file_name=name, content=content, home_branch=home_branch
    )


def checked(actor, content, **kwargs) -> ImportJob:
    job = create_job(actor, content, **kwargs)
    return imports.import_job_validate(job_id=job.pk)


def applied(actor, content, **kwargs) -> ImportJob:
    job = checked(actor, content, **kwargs)
    return imports.import_job_apply(job_id=job.pk, actor_id=actor.pk)


def generated_customers(count: int, *, start: int = 1, manager_number: str = "RM0001") -> bytes:
    lines = [CUSTOMER_HEADER]
    for n in range(start, start + count):
        lines.append(
            f"GEN-{n:06d},individual,Given{n},Family{n},1970-01-{n % 28 + 1:02d},SH01,{manager_number},"
            f"+86 138 {n // 10000 % 10000:04d} {n % 10000:04d}"
        )
    return ("\n".join(lines) + "\n").encode()


def problem_keys(job: ImportJob, severity: str = "error") -> list[tuple[int, str, str]]:
    return [
        (entry["row"], entry["field"], entry["code"]) for entry in job.errors if entry["severity"] == severity
    ]


# ---------------------------------------------------------------------------------------------
# Upload
# ---------------------------------------------------------------------------------------------


def test_create_stores_the_file_encrypted_and_counts_rows(branch_manager, branch):
    job = create_job(branch_manager, fixture_bytes("customers_valid.csv"))

    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM customers_importjob WHERE id = %s", [job.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("v1:")
    for plaintext in (
        "CUST-0001",
        "Zhang",
        "110105198003140011",
        "zhang.wei@example.cn",
        "external_reference",
    ):
        assert plaintext not in stored
    job.refresh_from_db()
    assert job.status == ImportStatus.PENDING
    assert job.rows_total == 4
    assert job.home_branch == branch  # a branch manager's default branch is their own
    assert job.content.startswith("external_reference,kind")
    event = AuditEvent.objects.get(action="import.created")
    assert event.extra == {"kind": "customers", "rows": 4}


def test_create_tolerates_a_byte_order_mark(branch_manager):
    job = create_job(branch_manager, b"\xef\xbb\xbf" + fixture_bytes("customers_valid.csv"))

    assert job.rows_total == 4
    assert job.content.startswith("external_reference")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "empty"),
        (b"external_reference,kind\n", "no rows"),
        (b"kind,given_name\nindividual,Wei\n", "required columns: external_reference"),
        (b"external_reference;kind\nA;individual\n", "positions 1"),
        (b"external_reference,kind,Zhang Wei\nA,individual,x\n", "positions 3"),
        (b"external_reference,kind,kind\nA,individual,individual\n", "more than once: kind"),
        ("external_reference,kind,given_name\nA,individual,张伟\n".encode("gbk"), "not UTF-8"),
    ],
)
def test_create_refuses_bad_files_with_a_clear_message_and_saves_nothing(branch_manager, content, fragment):
    with pytest.raises(ValidationError) as refused:
        create_job(branch_manager, content)

    assert fragment in " ".join(refused.value.message_dict["content"])
    assert "Zhang" not in " ".join(refused.value.message_dict["content"])
    assert ImportJob.objects.count() == 0


def test_create_refuses_files_over_the_size_limit(branch_manager, monkeypatch):
    monkeypatch.setattr(imports, "MAX_FILE_BYTES", 100)

    with pytest.raises(ValidationError) as refused:
        create_job(branch_manager, fixture_bytes("customers_valid.csv"))

    assert refused.value.message_dict == {"content": ["The file is larger than 50 MB."]}
    assert ImportJob.objects.count() == 0


def test_create_requires_the_import_permission(relationship_manager, branch_staff, compliance_officer):
    for user in (relationship_manager, branch_staff, compliance_officer):
        with pytest.raises(PermissionDenied):
            create_job(user, fixture_bytes("customers_valid.csv"))
    assert ImportJob.objects.count() == 0
    assert not AuditEvent.objects.filter(action="import.created").exists()


def test_branch_manager_may_not_choose_another_branch(branch_manager, other_branch):
    with pytest.raises(ValidationError) as refused:
        create_job(branch_manager, fixture_bytes("customers_valid.csv"), home_branch=other_branch)

    assert list(refused.value.message_dict) == ["home_branch"]
    assert ImportJob.objects.count() == 0


def test_create_queues_the_dry_run_after_commit(
    branch_manager, manager_rm, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = create_job(branch_manager, fixture_bytes("customers_valid.csv"))

    job.refresh_from_db()
    assert len(callbacks) == 1
    assert job.status == ImportStatus.VALIDATED


# ---------------------------------------------------------------------------------------------
# Dry run
# ---------------------------------------------------------------------------------------------


def test_dry_run_reports_row_errors_by_row_and_column_without_values(branch_manager):
    job = checked(branch_manager, fixture_bytes("customers_errors.csv"))

    assert job.status == ImportStatus.VALIDATED
    assert problem_keys(job) == [
        (3, "phone", "invalid_phone"),
        (4, "date_of_birth", "invalid_date"),
        (5, "branch_code", "unknown_branch"),
        (6, "kind", "invalid_choice"),
        (7, "external_reference", "duplicate_reference"),
    ]
    assert {entry["message"] for entry in job.errors} == {
        "Enter a valid phone number.",
        "Enter a date as YYYY-MM-DD.",
        "Unknown branch code.",
        "Not one of the allowed values.",
        "Another row of this file has the same reference.",
    }
    stored = json.dumps(job.errors)
    for value in ('"123"', "1990-02-30", "ZZ99", "person", "ERR-0", "Duplicate Reference", "Zhang"):
        assert value not in stored
    assert (job.rows_total, job.rows_failed, job.rows_created, job.rows_updated) == (6, 5, 1, 0)
    assert Customer.objects.count() == 0
    assert CustomerEvent.objects.count() == 0


def test_dry_run_checks_required_values_and_kind_specific_columns(branch_manager):
    content = (
        b"external_reference,kind,given_name,family_name,legal_name,industry,email,since,annual_income\n"
        b"R-1,individual,,Zhang,,,not-an-email,2015-01-01,12.345\n"
        b"R-2,corporate,,,Acme Ltd.,,,2999-01-01,\n"
        b"R-3,individual,Wei,Zhang,Acme Ltd.,,,,-5\n"
        b",individual,Wei,Zhang,,,,,\n"
    )

    job = checked(branch_manager, content)

    assert problem_keys(job) == [
        (2, "email", "invalid_email"),
        (2, "annual_income", "invalid_amount"),
        (2, "given_name", "required_new"),
        (3, "since", "date_in_future"),
        (3, "industry", "required_new"),
        (4, "legal_name", "wrong_kind_column"),
        (4, "annual_income", "negative_amount"),
        (5, "external_reference", "required"),
    ]
    assert job.rows_failed == 4


def test_dry_run_refuses_other_branches_for_a_branch_manager(branch_manager, other_branch):
    content = (CUSTOMER_HEADER + "\nR-1,individual,Wei,Zhang,1980-01-01,GZ01,,\n").encode()

    job = checked(branch_manager, content)

    assert problem_keys(job) == [(2, "branch_code", "branch_not_allowed")]


def test_dry_run_reports_unknown_relationship_managers_and_kind_changes(
    branch_manager, branch, relationship_manager
):
    make_individual(branch=branch, relationship_manager=relationship_manager, external_reference="R-9")
    content = (
        CUSTOMER_HEADER + "\nR-1,individual,Wei,Zhang,1980-01-01,SH01,NOBODY,\nR-9,corporate,,,,,,\n"
    ).encode()

    job = checked(branch_manager, content)

    assert problem_keys(job) == [(2, "rm_employee_number", "unknown_manager"), (3, "kind", "kind_changed")]


def test_dry_run_warns_about_rows_that_match_existing_customers(branch_manager, branch, relationship_manager):
    existing = make_individual(
        branch=branch,
        relationship_manager=relationship_manager,
        phone="+86 138 0013 8001",
        given_name="Wei",
        family_name="Zhang",
        date_of_birth=datetime.date(1980, 3, 14),
    )
    content = (CUSTOMER_HEADER + "\nR-1,individual,Wei,Zhang,1980-03-14,SH01,,13800138001\n").encode()

    job = checked(branch_manager, content)

    assert job.rows_failed == 0
    assert problem_keys(job, "warning") == [(2, "phone", "possible_duplicate")]
    warning = job.errors[0]
    assert warning["customer"] == existing.number
    assert warning["reasons"] == ["phone", "name_and_date_of_birth"]
    assert "13800138001" not in json.dumps(job.errors)


def test_dry_run_does_not_name_customers_the_importer_cannot_see(
    branch_manager, other_branch, other_relationship_manager
):
    make_individual(
        branch=other_branch, relationship_manager=other_relationship_manager, phone="+86 138 0013 8001"
    )
    content = (CUSTOMER_HEADER + "\nR-1,individual,Wei,Zhang,1980-03-14,SH01,,+86 138 0013 8001\n").encode()

    job = checked(branch_manager, content)

    assert job.errors == []


def test_dry_run_counts_new_changed_and_unchanged_rows(branch_manager, manager_rm):
    applied(branch_manager, fixture_bytes("customers_valid.csv"))
    content = fixture_bytes("customers_valid.csv").replace(b"Wholesale trade", b"Import and export")

    job = checked(branch_manager, content)

    assert (job.rows_created, job.rows_updated, job.rows_failed, job.rows_total) == (0, 1, 0, 4)


# ---------------------------------------------------------------------------------------------
# Apply
# ---------------------------------------------------------------------------------------------


def test_apply_creates_the_customers_with_profiles_indexes_access_and_history(
    branch_manager, manager_rm, branch
):
    job = applied(branch_manager, fixture_bytes("customers_valid.csv"))

    assert job.status == ImportStatus.APPLIED
    assert (job.rows_processed, job.rows_created, job.rows_updated, job.rows_failed) == (4, 4, 0, 0)
    assert job.finished_at is not None
    zhang = Customer.objects.select_related("individual").get(external_reference="CUST-0001")
    assert zhang.kind == "individual"
    assert zhang.number.startswith("C")
    assert zhang.display_name == "Zhang Wei"
    assert zhang.home_branch == branch
    assert zhang.relationship_manager == manager_rm
    assert zhang.segment == "mass"
    assert str(zhang.since) == "2015-06-01"
    assert zhang.phone == "+86 138 0013 8001"
    assert zhang.address == "1 Century Avenue Pudong Shanghai"
    assert zhang.individual.local_name == "张伟"
    assert str(zhang.individual.date_of_birth) == "1980-03-14"
    assert zhang.individual.annual_income == Decimal("250000.00")
    assert zhang.individual.income_band == Decimal("100000")
    # bulk_create computed the blind indexes and the search form
    assert Customer.objects.get(phone_index=blind_index("13800138001", kind="phone")) == zhang
    assert Customer.objects.get(email_index=blind_index("ZHANG.WEI@example.cn", kind="email")) == zhang
    assert (
        Customer.objects.get(id_number_index=blind_index("110105198003140011", kind="national_id")) == zhang
    )
    assert (
        IndividualProfile.objects.get(date_of_birth_index=blind_index("1980-03-14", kind="date")).customer
        == zhang
    )
    assert "zhang wei" in zhang.search_name and "zhangwei" in zhang.search_name
    huaxin = Customer.objects.select_related("corporate").get(external_reference="CUST-0003")
    assert huaxin.corporate.countries_of_operation == ["CN", "HK"]
    assert huaxin.corporate.revenue_band == Decimal("50000000")
    assert huaxin.segment == "sme"
    dongfang = Customer.objects.get(external_reference="CUST-0004")
    assert (dongfang.status, dongfang.home_branch, dongfang.relationship_manager) == (
        "prospect",
        branch,
        None,
    )
    assert CorporateProfile.objects.count() == 2
    assert set(customer_list(actor=manager_rm).values_list("external_reference", flat=True)) == {
        "CUST-0001",
        "CUST-0002",
        "CUST-0003",
    }
    assert CustomerUserObjectPermission.objects.filter(user=manager_rm).count() == 6
    assert CustomerEvent.objects.filter(kind=CustomerEventKind.IMPORTED).count() == 4
    applied_event = AuditEvent.objects.get(action="import.applied")
    assert applied_event.extra == {"kind": "customers", "rows": 4, "created": 4, "updated": 0, "failed": 0}
    assert applied_event.fields == []
    batch_event = AuditEvent.objects.get(action="import.batch_applied")
    assert sorted(batch_event.extra["created"]) == sorted(Customer.objects.values_list("pk", flat=True))
    assert "zhang" not in json.dumps(batch_event.extra).lower()


def test_reapplying_the_same_file_changes_nothing(branch_manager, manager_rm):
    applied(branch_manager, fixture_bytes("customers_valid.csv"))
    before = list(Customer.objects.order_by("pk").values_list("pk", "number", "updated_at"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, phone, email, id_number, address FROM customers_customer ORDER BY id")
        tokens = cursor.fetchall()
    events = CustomerEvent.objects.count()

    again = applied(branch_manager, fixture_bytes("customers_valid.csv"))

    assert (again.rows_created, again.rows_updated, again.rows_failed) == (0, 0, 0)
    assert list(Customer.objects.order_by("pk").values_list("pk", "number", "updated_at")) == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, phone, email, id_number, address FROM customers_customer ORDER BY id")
        assert cursor.fetchall() == tokens
    assert CustomerEvent.objects.count() == events
    assert AuditEvent.objects.filter(action="import.batch_applied").count() == 1  # the first apply only


def test_apply_updates_changed_rows_and_moves_book_access(branch_manager, manager_rm, branch):
    applied(branch_manager, fixture_bytes("customers_valid.csv"))
    new_manager = UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=branch, username="rm.two")
    new_manager.staff_profile.employee_number = "RM0002"
    new_manager.staff_profile.save()
    content = (
        b"external_reference,kind,rm_employee_number,phone,family_name,annual_income\n"
        b"CUST-0001,individual,RM0002,+86 138 0013 9999,Zhang,250000.00\n"
        b"CUST-0002,individual,,,Li,1200000\n"
    )

    job = applied(branch_manager, content)

    assert (job.rows_created, job.rows_updated, job.rows_total) == (0, 1, 2)
    zhang = Customer.objects.get(external_reference="CUST-0001")
    assert zhang.relationship_manager == new_manager
    assert zhang.phone == "+86 138 0013 9999"
    assert zhang.phone_index == blind_index("+8613800139999", kind="phone")
    assert zhang.email == "zhang.wei@example.cn"  # blank cell: kept
    assert zhang in customer_list(actor=new_manager)
    assert zhang not in customer_list(actor=manager_rm)
    updated = CustomerEvent.objects.get(customer=zhang, kind=CustomerEventKind.UPDATED)
    assert updated.data == {"fields": ["phone", "relationship_manager"], "import": job.pk}
    reassigned = CustomerEvent.objects.get(customer=zhang, kind=CustomerEventKind.REASSIGNED)
    assert reassigned.data == {"from": manager_rm.pk, "to": new_manager.pk, "import": job.pk}
    assert not CustomerEvent.objects.filter(
        customer__external_reference="CUST-0002", kind=CustomerEventKind.UPDATED
    ).exists()


def test_apply_is_refused_after_a_dry_run_with_errors_and_changes_nothing(branch_manager):
    job = checked(branch_manager, fixture_bytes("customers_errors.csv"))

    with pytest.raises(imports.ImportJobStateError):
        imports.import_job_apply(job_id=job.pk, actor_id=branch_manager.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED
    assert Customer.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="import.", action__endswith="applied").exists()


def test_apply_is_refused_to_a_user_without_the_import_permission(branch_manager, relationship_manager):
    job = checked(branch_manager, fixture_bytes("customers_valid.csv").replace(b"RM0001", b""))

    with pytest.raises(PermissionDenied):
        imports.import_job_apply(job_id=job.pk, actor_id=relationship_manager.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED
    assert Customer.objects.count() == 0


def test_apply_resumes_after_an_interruption(branch_manager, manager_rm, monkeypatch):
    job = checked(branch_manager, generated_customers(25))
    original = imports._write_customers
    calls = []

    def failing_second_batch(context, outcomes):
        calls.append(len(outcomes))
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return original(context, outcomes)

    monkeypatch.setattr(imports, "_write_customers", failing_second_batch)
    with pytest.raises(RuntimeError):
        imports.import_job_apply(job_id=job.pk, actor_id=branch_manager.pk, batch_size=10)

    job.refresh_from_db()
    assert (job.status, job.rows_processed, job.rows_created) == (ImportStatus.APPLYING, 10, 10)
    assert Customer.objects.count() == 10

    monkeypatch.setattr(imports, "_write_customers", original)
    job = imports.import_job_apply(job_id=job.pk, actor_id=branch_manager.pk, batch_size=10)

    assert (job.status, job.rows_processed, job.rows_created, job.rows_updated) == (
        ImportStatus.APPLIED,
        25,
        25,
        0,
    )
    assert Customer.objects.count() == 25
    assert sorted(Customer.objects.values_list("external_reference", flat=True)) == [
        f"GEN-{n:06d}" for n in range(1, 26)
    ]
    assert CustomerEvent.objects.filter(kind=CustomerEventKind.IMPORTED).count() == 25


def test_task_records_the_interruption_and_the_import_can_be_resumed(
    branch_manager, manager_rm, monkeypatch, django_capture_on_commit_callbacks
):
    job = checked(branch_manager, generated_customers(12))
    original = imports._process_batch
    calls = []

    def failing_second_batch(context, records):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("Zhang Wei 13800138001")  # a message quoting data must not be stored
        return original(context, records)

    monkeypatch.setattr(imports, "_process_batch", failing_second_batch)
    monkeypatch.setattr(imports, "BATCH_SIZE", 5)
    apply_import.delay(job.pk, branch_manager.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.APPLYING
    assert job.rows_processed == 5
    assert "RuntimeError" in job.failure_reason
    assert "Zhang" not in job.failure_reason and "138" not in job.failure_reason

    monkeypatch.setattr(imports, "_process_batch", original)
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_job_request_apply(actor=branch_manager, job=job)

    job.refresh_from_db()
    assert (job.status, job.rows_processed, job.rows_created, job.failure_reason) == (
        ImportStatus.APPLIED,
        12,
        12,
        "",
    )
    assert Customer.objects.count() == 12


def test_task_records_why_it_cannot_apply(branch_manager):
    job = checked(branch_manager, fixture_bytes("customers_errors.csv"))

    apply_import.delay(job.pk, branch_manager.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED
    assert job.failure_reason == "Importing: The dry run found errors: correct the file and upload it again."


def test_queries_per_batch_do_not_grow_with_the_batch(branch_manager, manager_rm):
    applied(branch_manager, generated_customers(2, start=900))  # warm per-process caches
    small = checked(branch_manager, generated_customers(5, start=1))
    large = checked(branch_manager, generated_customers(60, start=100))

    with CaptureQueriesContext(connection) as small_queries:
        imports.import_job_apply(job_id=small.pk, actor_id=branch_manager.pk, batch_size=100)
    with CaptureQueriesContext(connection) as large_queries:
        imports.import_job_apply(job_id=large.pk, actor_id=branch_manager.pk, batch_size=100)

    assert Customer.objects.count() == 67
    assert len(large_queries) == len(small_queries)


def test_dry_run_queries_do_not_grow_with_the_batch(branch_manager, manager_rm):
    checked(branch_manager, generated_customers(2, start=900))
    small = create_job(branch_manager, generated_customers(5, start=1))
    large = create_job(branch_manager, generated_customers(60, start=100))

    with CaptureQueriesContext(connection) as small_queries:
        imports.import_job_validate(job_id=small.pk)
    with CaptureQueriesContext(connection) as large_queries:
        imports.import_job_validate(job_id=large.pk)

    assert len(large_queries) == len(small_queries)


# ---------------------------------------------------------------------------------------------
# Holdings
# ---------------------------------------------------------------------------------------------


def test_holdings_import_creates_holdings_and_refreshes_aum(branch_manager, manager_rm):
    applied(branch_manager, fixture_bytes("customers_valid.csv"))

    job = applied(branch_manager, fixture_bytes("holdings_valid.csv"), kind=ImportKind.HOLDINGS)

    assert (job.status, job.rows_created, job.rows_updated, job.rows_failed) == (
        ImportStatus.APPLIED,
        3,
        0,
        0,
    )
    deposit = Holding.objects.get(external_reference="HOLD-0002")
    assert deposit.customer.external_reference == "CUST-0001"
    assert (deposit.product_type, deposit.balance, str(deposit.matures_on)) == (
        "term_deposit",
        Decimal("500000.00"),
        "2026-05-01",
    )
    assert deposit.account_last4 == "0002"
    assert deposit.account_number_index == blind_index("6222021001000002", kind="account_number")
    assert Customer.objects.get(external_reference="CUST-0001").aum == Decimal("650000.00")
    assert Customer.objects.get(external_reference="CUST-0003").aum == Decimal("0.00")
    batch_event = AuditEvent.objects.filter(action="import.batch_applied").latest("sequence")
    assert batch_event.extra["kind"] == "holdings"
    assert len(batch_event.extra["customers"]) == 2

    again = applied(
        branch_manager,
        fixture_bytes("holdings_valid.csv").replace(b"150000.00", b"175000.00"),
        kind=ImportKind.HOLDINGS,
    )

    assert (again.rows_created, again.rows_updated) == (0, 1)
    assert Customer.objects.get(external_reference="CUST-0001").aum == Decimal("675000.00")
    assert Holding.objects.count() == 3


def test_holdings_dry_run_reports_unknown_customers_and_misplaced_holdings(
    branch_manager, manager_rm, other_branch, other_relationship_manager
):
    applied(branch_manager, fixture_bytes("customers_valid.csv"))
    applied(branch_manager, fixture_bytes("holdings_valid.csv"), kind=ImportKind.HOLDINGS)
    make_individual(
        branch=other_branch, relationship_manager=other_relationship_manager, external_reference="FAR-0001"
    )
    content = (
        b"customer_reference,holding_reference,product_type,product_name,balance,opened_on\n"
        b"NOPE-0001,HOLD-0100,savings_account,Savings,10.00,2020-01-01\n"
        b"FAR-0001,HOLD-0101,savings_account,Savings,10.00,2020-01-01\n"
        b"CUST-0002,HOLD-0001,savings_account,Savings,10.00,2020-01-01\n"
        b"CUST-0002,HOLD-0102,corporate_loan,Loan,10.00,2020-01-01\n"
        b"CUST-0002,HOLD-0103,,,,\n"
    )

    job = checked(branch_manager, content, kind=ImportKind.HOLDINGS)

    assert problem_keys(job) == [
        (2, "customer_reference", "unknown_customer"),
        (3, "customer_reference", "unknown_customer"),  # another branch's customer: same answer as missing
        (4, "holding_reference", "holding_other_customer"),
        (5, "product_type", "product_not_retail"),
        (6, "product_type", "required_new"),
        (6, "product_name", "required_new"),
        (6, "balance", "required_new"),
        (6, "opened_on", "required_new"),
    ]


def test_holdings_for_a_merged_record_go_to_the_record_it_was_merged_into(branch_manager, branch):
    from customers.merging import customers_merge

    survivor = make_individual(branch=branch, external_reference="KEEP-1")
    merged = make_individual(branch=branch, external_reference="GONE-1")
    customers_merge(actor=branch_manager, survivor=survivor, merged=merged)
    content = (
        b"customer_reference,holding_reference,product_type,product_name,balance,opened_on\n"
        b"GONE-1,HOLD-0200,savings_account,Savings,1000.00,2020-01-01\n"
    )

    applied(branch_manager, content, kind=ImportKind.HOLDINGS)

    assert Holding.objects.get(external_reference="HOLD-0200").customer == survivor
    survivor.refresh_from_db()
    assert survivor.aum == Decimal("1000.00")


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------


def test_import_pages_need_sign_in(client):
    for url in (reverse("importjob-list"), reverse("importjob-create")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_import_pages_are_refused_without_the_import_permission(client, relationship_manager, branch_manager):
    job = create_job(branch_manager, fixture_bytes("customers_valid.csv"))
    client.force_login(relationship_manager)

    for url in (
        reverse("importjob-list"),
        reverse("importjob-create"),
        reverse("importjob-detail", args=[job.pk]),
        reverse("importjob-progress", args=[job.pk]),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("importjob-apply", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == ImportStatus.PENDING


def test_branch_manager_uploads_checks_and_applies_through_the_pages(
    client, branch_manager, manager_rm, django_capture_on_commit_callbacks
):
    client.force_login(branch_manager)
    assert client.get(reverse("importjob-create")).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("importjob-create"),
            {
                "kind": "customers",
                "file": _upload("customers_valid.csv", fixture_bytes("customers_valid.csv")),
            },
        )

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("importjob-detail", args=[job.pk])
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-status="validated"' in body
    assert 'data-testid="apply-import"' in body
    assert "hx-trigger" not in body

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("importjob-apply", args=[job.pk]))

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.APPLIED
    assert Customer.objects.count() == 4
    listing = client.get(reverse("importjob-list")).content.decode()
    assert "customers_valid.csv" in listing


def test_running_job_panel_polls_every_two_seconds(client, branch_manager):
    job = create_job(branch_manager, fixture_bytes("customers_valid.csv"))
    client.force_login(branch_manager)

    fragment = client.get(reverse("importjob-progress", args=[job.pk]), HTTP_HX_REQUEST="true")

    body = fragment.content.decode()
    assert fragment.status_code == 200
    assert 'hx-trigger="every 2s"' in body
    assert f'hx-get="{reverse("importjob-progress", args=[job.pk])}"' in body
    assert "<html" not in body


def test_job_page_lists_row_errors_and_offers_no_apply(client, branch_manager):
    job = checked(branch_manager, fixture_bytes("customers_errors.csv"))
    client.force_login(branch_manager)

    body = client.get(reverse("importjob-detail", args=[job.pk])).content.decode()

    assert body.count('data-severity="error"') == 5
    assert "Unknown branch code." in body
    assert 'data-testid="apply-import"' not in body
    assert "ZZ99" not in body and "1990-02-30" not in body


def test_bad_upload_redisplays_the_form_with_the_reason(client, branch_manager):
    client.force_login(branch_manager)

    response = client.post(
        reverse("importjob-create"),
        {
            "kind": "customers",
            "file": _upload("x.csv", b"kind,given_name\nindividual,Wei\n"),
        },
    )

    assert response.status_code == 200
    assert "The header lacks the required columns: external_reference." in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_another_branch_managers_job_is_not_found(client, branch_manager, other_branch):
    other_manager = UserFactory(role=Role.BRANCH_MANAGER, branch=other_branch, username="manager.far")
    job = create_job(branch_manager, fixture_bytes("customers_valid.csv"))
    client.force_login(other_manager)

    assert client.get(reverse("importjob-detail", args=[job.pk])).status_code == 404
    assert client.post(reverse("importjob-apply", args=[job.pk])).status_code == 404
    assert job.pk not in [row.pk for row in client.get(reverse("importjob-list")).context["jobs"]]


def test_import_list_query_count_does_not_grow_with_jobs(
    client, branch_manager, django_assert_max_num_queries
):
    client.force_login(branch_manager)
    create_job(branch_manager, fixture_bytes("customers_valid.csv"))
    client.get(reverse("importjob-list"))
    for n in range(10):
        create_job(branch_manager, fixture_bytes("customers_valid.csv"), name=f"file{n}.csv")
    BranchFactory(code="BJ01")

    with django_assert_max_num_queries(12):
        response = client.get(reverse("importjob-list"))
    assert len(response.context["jobs"]) == 11


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_tasks_retry_on_database_errors_then_record_the_failure(branch_manager, manager_rm, monkeypatch):
    from django.db import OperationalError

    from crm.celery import app as celery_app
    from customers import import_tasks

    job = create_job(branch_manager, fixture_bytes("customers_valid.csv"))
    original = imports.import_job_validate
    calls = []

    def flaky(*, job_id):
        calls.append(job_id)
        if len(calls) == 1:
            raise OperationalError("connection lost")
        return original(job_id=job_id)

    monkeypatch.setattr(imports, "import_job_validate", flaky)
    monkeypatch.setattr(import_tasks, "_backoff", lambda retries: 0)
    # Eager Celery re-runs a retried task itself only when it does not propagate the Retry.
    celery_app.conf.task_eager_propagates = False
    try:
        import_tasks.validate_import.delay(job.pk)
    finally:
        celery_app.conf.task_eager_propagates = True

    job.refresh_from_db()
    assert calls == [job.pk, job.pk]
    assert job.status == ImportStatus.VALIDATED

    broken = create_job(branch_manager, fixture_bytes("customers_valid.csv"))

    def always_down(*, job_id):
        raise OperationalError("connection lost")

    monkeypatch.setattr(imports, "import_job_validate", always_down)
    celery_app.conf.task_eager_propagates = False
    try:
        import_tasks.validate_import.delay(broken.pk)
    finally:
        celery_app.conf.task_eager_propagates = True

    broken.refresh_from_db()
    assert broken.status == ImportStatus.FAILED
    assert broken.failure_reason == "Checking: the database was unavailable. Try again later."


def test_an_unreachable_broker_is_recorded_on_the_job(branch_manager, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    from customers import import_tasks

    def broker_down(*args):
        raise ConnectionRefusedError

    monkeypatch.setattr(import_tasks.validate_import, "delay", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        job = create_job(branch_manager, fixture_bytes("customers_valid.csv"))

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.failure_reason == (
        "Checking could not be queued (ConnectionRefusedError). Upload the file again later.")
