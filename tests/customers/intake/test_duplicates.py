"""Duplicate candidates: each reason, visibility, merged records, cost, and the page."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.intake.duplicates import (
    SAME_EMAIL,
    SAME_ID_NUMBER,
    SAME_PHONE,
    SIMILAR_NAME_SAME_BIRTH_DATE,
    duplicate_candidates,
)
from customers.intake.merging import customers_merge
from tests.customers.factories import make_corporate, make_individual

pytestmark = pytest.mark.django_db

BORN = datetime.date(1980, 3, 14)


@pytest.fixture
def original(branch, relationship_manager):
    return make_individual(
        branch=branch,
        relationship_manager=relationship_manager,
        given_name="Wei",
        family_name="Zhang",
        local_name="张伟",
        date_of_birth=BORN,
        phone="+86 138 0013 8001",
        email="zhang.wei@example.cn",
        id_number="110105198003140011",
    )


def reasons_by_number(candidates) -> dict[str, list[str]]:
    return {candidate.customer.number: candidate.reasons for candidate in candidates}


def test_candidates_by_each_reason(original, branch, relationship_manager):
    same_id = make_individual(
        branch=branch, relationship_manager=relationship_manager, id_number="1101 0519 8003 1400 11"
    )
    same_phone = make_individual(
        branch=branch, relationship_manager=relationship_manager, phone="13800138001"
    )
    same_email = make_individual(
        branch=branch, relationship_manager=relationship_manager, email="ZHANG.WEI@example.cn"
    )
    similar = make_individual(
        branch=branch,
        relationship_manager=relationship_manager,
        given_name="Wei",
        family_name="Zhang",
        local_name="张伟",
        date_of_birth=BORN,
    )
    # Similar name, another birthday; same birthday, another name: neither is a candidate.
    make_individual(
        branch=branch,
        relationship_manager=relationship_manager,
        given_name="Wei",
        family_name="Zhang",
        local_name="张伟",
        date_of_birth=datetime.date(1981, 3, 14),
    )
    make_individual(
        branch=branch,
        relationship_manager=relationship_manager,
        given_name="Xiaoming",
        family_name="Ouyang",
        date_of_birth=BORN,
    )

    candidates = duplicate_candidates(actor=relationship_manager, customer=original)

    assert reasons_by_number(candidates) == {
        same_id.number: [SAME_ID_NUMBER],
        same_phone.number: [SAME_PHONE],
        same_email.number: [SAME_EMAIL],
        similar.number: [SIMILAR_NAME_SAME_BIRTH_DATE],
    }
    similar_candidate = next(each for each in candidates if each.customer == similar)
    assert similar_candidate.similarity >= 0.6
    assert similar_candidate.reason_labels == ["similar name and same date of birth"]


def test_candidates_with_several_reasons_come_first(original, branch, relationship_manager):
    one = make_individual(
        branch=branch, relationship_manager=relationship_manager, email="zhang.wei@example.cn"
    )
    three = make_individual(
        branch=branch,
        relationship_manager=relationship_manager,
        phone="+8613800138001",
        given_name="Wei",
        family_name="Zhang",
        local_name="张伟",
        date_of_birth=BORN,
        email="zhang.wei@example.cn",
    )

    candidates = duplicate_candidates(actor=relationship_manager, customer=original)

    assert [candidate.customer for candidate in candidates] == [three, one]
    assert candidates[0].reasons == [SAME_PHONE, SAME_EMAIL, SIMILAR_NAME_SAME_BIRTH_DATE]
    assert candidates[0].reason_labels == ["same phone", "same e-mail", "similar name and same date of birth"]


def test_candidates_are_restricted_to_customers_the_actor_sees(
    original, branch, other_branch, relationship_manager, other_relationship_manager, branch_manager
):
    mine = make_individual(
        branch=branch, relationship_manager=relationship_manager, phone="+86 138 0013 8001"
    )
    colleagues = make_individual(branch=branch, relationship_manager=None, phone="+86 138 0013 8001")
    far = make_individual(
        branch=other_branch, relationship_manager=other_relationship_manager, phone="+86 138 0013 8001"
    )

    assert set(reasons_by_number(duplicate_candidates(actor=relationship_manager, customer=original))) == {
        mine.number
    }
    assert set(reasons_by_number(duplicate_candidates(actor=branch_manager, customer=original))) == {
        mine.number,
        colleagues.number,
    }
    assert (
        set(reasons_by_number(duplicate_candidates(actor=other_relationship_manager, customer=far))) == set()
    )


def test_merged_records_and_the_record_itself_are_not_candidates(
    original, branch, relationship_manager, branch_manager
):
    survivor = make_individual(
        branch=branch, relationship_manager=relationship_manager, phone="+86 138 0013 8001"
    )
    merged = make_individual(
        branch=branch, relationship_manager=relationship_manager, phone="+86 138 0013 8001"
    )
    customers_merge(actor=branch_manager, survivor=survivor, merged=merged)

    candidates = duplicate_candidates(actor=relationship_manager, customer=original)

    assert reasons_by_number(candidates) == {survivor.number: [SAME_PHONE]}


def test_candidates_for_entered_values(original, relationship_manager):
    by_phone = duplicate_candidates(actor=relationship_manager, values={"phone": "138-0013-8001"})
    by_name = duplicate_candidates(
        actor=relationship_manager,
        values={
            "kind": "individual",
            "given_name": "Wei",
            "family_name": "Zhang",
            "local_name": "张伟",
            "date_of_birth": "1980-03-14",
        },
    )
    unusable = duplicate_candidates(
        actor=relationship_manager, values={"phone": "not a number", "email": "x"}
    )

    assert reasons_by_number(by_phone) == {original.number: [SAME_PHONE]}
    assert reasons_by_number(by_name) == {original.number: [SIMILAR_NAME_SAME_BIRTH_DATE]}
    assert unusable == []


def test_corporates_match_by_identifiers(branch, relationship_manager):
    company = make_corporate(
        branch=branch, relationship_manager=relationship_manager, id_number="91310000MA1K000777"
    )
    twin = make_corporate(
        branch=branch, relationship_manager=relationship_manager, id_number="91310000-MA1K000777"
    )

    assert reasons_by_number(duplicate_candidates(actor=relationship_manager, customer=company)) == {
        twin.number: [SAME_ID_NUMBER]
    }


def test_candidates_cost_a_fixed_number_of_queries(original, branch, relationship_manager):
    duplicate_candidates(actor=relationship_manager, customer=original)
    with CaptureQueriesContext(connection) as few:
        duplicate_candidates(actor=relationship_manager, customer=original)
    for _ in range(8):
        make_individual(
            branch=branch,
            relationship_manager=relationship_manager,
            phone="+86 138 0013 8001",
            given_name="Wei",
            family_name="Zhang",
            local_name="张伟",
            date_of_birth=BORN,
        )
    # Creating a customer in the RM's book drops what the policy had read about the RM.
    duplicate_candidates(actor=relationship_manager, customer=original)

    with CaptureQueriesContext(connection) as many:
        candidates = duplicate_candidates(actor=relationship_manager, customer=original)

    assert len(candidates) == 8
    assert len(many) == len(few) == 3  # the profile's birth-date index, exact matches, similar names


# ---------------------------------------------------------------------------------------------
# Page
# ---------------------------------------------------------------------------------------------


def test_duplicates_page_access(
    client, original, branch, relationship_manager, branch_manager, other_relationship_manager
):
    twin = make_individual(
        branch=branch, relationship_manager=relationship_manager, phone="+86 138 0013 8001"
    )
    url = reverse("customer-duplicates", args=[original.pk])

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))

    client.force_login(other_relationship_manager)
    assert client.get(url).status_code == 404

    client.force_login(relationship_manager)
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert f'data-customer="{twin.number}"' in body
    assert "same phone" in body
    assert reverse("customer-merge", args=[original.pk, twin.pk]) not in body  # an RM does not merge

    client.force_login(branch_manager)
    body = client.get(url).content.decode()
    assert reverse("customer-merge", args=[original.pk, twin.pk]) in body
    assert "+86 138 0013 8001" not in body  # a branch manager sees the phone masked


def test_duplicates_page_queries_do_not_grow_with_candidates(
    client, original, branch, relationship_manager, django_assert_max_num_queries
):
    client.force_login(relationship_manager)
    make_individual(branch=branch, relationship_manager=relationship_manager, phone="+86 138 0013 8001")
    url = reverse("customer-duplicates", args=[original.pk])
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(6):
        make_individual(branch=branch, relationship_manager=relationship_manager, phone="+86 138 0013 8001")

    with CaptureQueriesContext(connection) as seven:
        response = client.get(url)

    assert len(response.context["rows"]) == 7
    assert len(seven) == len(one)
