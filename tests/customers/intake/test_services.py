"""Import job services: upload checks, applying, idempotence, resuming, holdings."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.crypto import blind_index
from compliance.models import AuditEvent
from crm.roles import Role
from customers.intake import columns, services
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
from tests.customers.intake.helpers import (
    applied,
    checked,
    create_job,
    fixture_bytes,
    generated_customers,
    problem_keys,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------
# Upload
# ---------------------------------------------------------------------------------------------


def test_create_stores_the_file_encrypted_and_counts_rows(branch_manager, branch):
    job = create_job(branch_manager, fixture_bytes("customers_valid.csv"))

    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM customers_importjob WHERE id = %s", [job.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("v2:")
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
        (b"external_reference;kind\nA;individual\n",
         "unknown columns: \u201cexternal_reference;kind\u201d (column 1, did you mean "
         "external_reference?)."),
        (b"external_reference,kind,Zhang Wei\nA,individual,x\n", "unknown columns: column 3."),
        (b"external_reference,kind,given_nmae,notes\nA,individual,Wei,x\n",
         "unknown columns: \u201cgiven_nmae\u201d (column 3, did you mean given_name?); "
         "\u201cnotes\u201d (column 4)."),
        (b"external_reference,kind,Zhang Wei,+86 138 0013 8000,110105198001011234,w@example.cn,1980-01-01\n"
         b"A,individual,x,y,z,v,w\n", "unknown columns: column 3; column 4; column 5; column 6; column 7."),
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
    monkeypatch.setattr(columns, "MAX_FILE_BYTES", 100)

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

    with pytest.raises(services.ImportJobStateError):
        services.import_job_apply(job_id=job.pk, actor_id=branch_manager.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED
    assert Customer.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="import.", action__endswith="applied").exists()


def test_apply_is_refused_to_a_user_without_the_import_permission(branch_manager, relationship_manager):
    job = checked(branch_manager, fixture_bytes("customers_valid.csv").replace(b"RM0001", b""))

    with pytest.raises(PermissionDenied):
        services.import_job_apply(job_id=job.pk, actor_id=relationship_manager.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED
    assert Customer.objects.count() == 0


def test_apply_resumes_after_an_interruption(branch_manager, manager_rm, monkeypatch):
    job = checked(branch_manager, generated_customers(25))
    original = services.write_customers
    calls = []

    def failing_second_batch(context, outcomes):
        calls.append(len(outcomes))
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return original(context, outcomes)

    monkeypatch.setattr(services, "write_customers", failing_second_batch)
    with pytest.raises(RuntimeError):
        services.import_job_apply(job_id=job.pk, actor_id=branch_manager.pk, batch_size=10)

    job.refresh_from_db()
    assert (job.status, job.rows_processed, job.rows_created) == (ImportStatus.APPLYING, 10, 10)
    assert Customer.objects.count() == 10

    monkeypatch.setattr(services, "write_customers", original)
    job = services.import_job_apply(job_id=job.pk, actor_id=branch_manager.pk, batch_size=10)

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


def test_queries_per_batch_do_not_grow_with_the_batch(branch_manager, manager_rm):
    applied(branch_manager, generated_customers(2, start=900))  # warm per-process caches
    small = checked(branch_manager, generated_customers(5, start=1))
    large = checked(branch_manager, generated_customers(60, start=100))

    with CaptureQueriesContext(connection) as small_queries:
        services.import_job_apply(job_id=small.pk, actor_id=branch_manager.pk, batch_size=100)
    with CaptureQueriesContext(connection) as large_queries:
        services.import_job_apply(job_id=large.pk, actor_id=branch_manager.pk, batch_size=100)

    assert Customer.objects.count() == 67
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
    assert deposit.account_number_mask == "****0002"
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
    from customers.intake.merging import customers_merge

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
