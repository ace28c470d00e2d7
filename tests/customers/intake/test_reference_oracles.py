"""The import never tells an importer that a reference exists in a book they cannot see: a row
naming another branch's customer, one they cannot see, reads exactly as a row naming a
customer they do see but may not import (compared: each row's problems as field, code and
message)."""

from __future__ import annotations

import pytest

from customers import permissions
from customers.models import Customer, ImportKind
from tests.customers.factories import make_holding, make_individual
from tests.customers.intake.helpers import CUSTOMER_HEADER, checked

pytestmark = pytest.mark.django_db

HOLDING_HEADER = "customer_reference,holding_reference,product_type,product_name,balance,opened_on"


def _problems_by_row(job) -> dict[int, list[tuple[str, str, str]]]:
    rows: dict[int, list[tuple[str, str, str]]] = {}
    for entry in job.errors:
        if entry["severity"] == "error":
            rows.setdefault(entry["row"], []).append((entry["field"], entry["code"], entry["message"]))
    return rows


def test_a_customer_reference_of_another_book_reads_as_one_the_importer_sees_but_may_not_import(
    branch_manager, other_branch, other_relationship_manager
):
    make_individual(branch=other_branch, relationship_manager=other_relationship_manager,
                    external_reference="FAR-1")
    seen = make_individual(branch=other_branch, relationship_manager=other_relationship_manager,
                           external_reference="FAR-2")
    # The branch manager sees FAR-2 (an object permission), but it is not their branch's.
    permissions.grant_book_permissions(user_id=branch_manager.pk, customer_ids=[seen.pk])
    rows = "\nFAR-1,individual,Wei,Zhang,,,,\nFAR-2,individual,Wei,Zhang,,,,\n"

    job = checked(branch_manager, (CUSTOMER_HEADER + rows).encode())

    problems = _problems_by_row(job)
    assert problems[2] == problems[3] == [
        ("external_reference", "reference_unavailable", "This reference cannot be used in this import.")
    ]
    assert Customer.objects.get(external_reference="FAR-1").home_branch == other_branch


def test_a_holding_reference_of_another_book_reads_as_one_of_the_importers_other_customer(
    branch_manager, branch, relationship_manager, other_branch, other_relationship_manager
):
    mine = make_individual(branch=branch, relationship_manager=relationship_manager,
                           external_reference="OWN-1")
    other_mine = make_individual(branch=branch, relationship_manager=relationship_manager)
    far = make_individual(branch=other_branch, relationship_manager=other_relationship_manager)
    make_holding(far, external_reference="H-FAR")
    make_holding(other_mine, external_reference="H-OWN")
    rows = (
        "\nOWN-1,H-FAR,savings_account,Savings,10.00,2020-01-01"
        "\nOWN-1,H-OWN,savings_account,Savings,10.00,2020-01-01\n"
    )

    job = checked(branch_manager, (HOLDING_HEADER + rows).encode(), kind=ImportKind.HOLDINGS)

    problems = _problems_by_row(job)
    assert problems[2] == problems[3] == [
        ("holding_reference", "holding_other_customer",
         "This holding reference cannot be used for this customer."),
    ]
    assert not mine.holdings.exists()
