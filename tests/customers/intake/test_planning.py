"""The dry run: row problems by row and column, warnings, counts, and its cost."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.roles import Role
from customers.intake import services
from customers.intake.parsing import InvalidCell, parse_date
from customers.models import (
    Customer,
    CustomerEvent,
    ImportStatus,
)
from tests.customers.factories import make_individual
from tests.customers.intake.helpers import (
    CUSTOMER_HEADER,
    applied,
    checked,
    create_job,
    fixture_bytes,
    generated_customers,
    problem_keys,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------
# Dry run
# ---------------------------------------------------------------------------------------------


def test_dry_run_reports_row_errors_by_row_and_column_without_values(branch_manager):
    job = checked(branch_manager, fixture_bytes("customers_errors.csv"))

    assert job.status == ImportStatus.VALIDATED
    assert problem_keys(job) == [
        (3, "phone", "invalid_phone"),
        (4, "date_of_birth", "not_a_real_date"),
        (5, "branch_code", "unknown_branch"),
        (6, "kind", "invalid_choice"),
        (7, "external_reference", "duplicate_reference"),
    ]
    assert {entry["message"] for entry in job.errors} == {
        "Enter a valid phone number.",
        "This date does not exist: check the day and the month.",
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


@pytest.mark.parametrize(("text", "code"), [
    ("1980-02-30", "not_a_real_date"), ("2023-02-29", "not_a_real_date"), ("1980-13-01", "not_a_real_date"),
    ("1980年2月30日", "not_a_real_date"), ("30/02/1980", "invalid_date"), ("yesterday", "invalid_date"),
])
def test_an_impossible_date_is_told_apart_from_a_badly_written_one(text, code):
    with pytest.raises(InvalidCell) as refused:
        parse_date(text, today=datetime.date(2026, 1, 1))

    assert refused.value.code == code


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


def test_dry_run_queries_do_not_grow_with_the_batch(branch_manager, manager_rm):
    checked(branch_manager, generated_customers(2, start=900))
    small = create_job(branch_manager, generated_customers(5, start=1))
    large = create_job(branch_manager, generated_customers(60, start=100))

    with CaptureQueriesContext(connection) as small_queries:
        services.import_job_validate(job_id=small.pk)
    with CaptureQueriesContext(connection) as large_queries:
        services.import_job_validate(job_id=large.pk)

    assert len(large_queries) == len(small_queries)


def test_a_reference_the_importer_cannot_see_gets_one_neutral_answer(
    branch_manager, other_branch, other_relationship_manager
):
    from customers.intake.merging import customers_merge
    from tests.factories import UserFactory

    make_individual(branch=other_branch, relationship_manager=other_relationship_manager,
                    external_reference="FAR-1")
    survivor = make_individual(branch=other_branch, external_reference="FAR-2")
    merged = make_individual(branch=other_branch, external_reference="FAR-3")
    other_manager = UserFactory(role=Role.BRANCH_MANAGER, branch=other_branch, username="manager.far")
    customers_merge(actor=other_manager, survivor=survivor, merged=merged)
    rows = "\nFAR-1,individual,Wei,Zhang,,,,\nFAR-3,individual,Wei,Zhang,,,,\n"
    content = (CUSTOMER_HEADER + rows).encode()

    job = checked(branch_manager, content)

    # A live record and a merged-away one in another branch read the same, and the message
    # says nothing of where or whether the record exists.
    assert problem_keys(job) == [
        (2, "external_reference", "reference_unavailable"),
        (3, "external_reference", "reference_unavailable"),
    ]
    messages = {entry["message"] for entry in job.errors}
    assert messages == {"This reference cannot be used in this import."}
    assert Customer.objects.get(external_reference="FAR-1").home_branch == other_branch
