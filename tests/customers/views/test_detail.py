"""The customer 360° page: what each role sees, the timeline and history, relationships."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from customers import segmentation, services
from customers.models import (
    Customer,
    Relationship,
    RelationshipKind,
)
from tests.customers.factories import make_corporate, make_holding, make_individual, make_interaction
from tests.customers.views.pages import (
    DETAIL_BUDGET,
    HTMX,
    PHONE_SHOWN,
    PII_REVEALED_EVENT,
    REQUEST_OVERHEAD,
    body_of,
    detail,
    full_name,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------
# The 360° page
# ---------------------------------------------------------------------------------------------

def _place_in_private_banking(customer):
    Customer.objects.filter(pk=customer.pk).update(
        segment="private", segment_since=datetime.date(2026, 3, 1),
        segment_basis={"rule": 1, "version": 3, "conditions": [
            {"metric": "aum", "op": ">=", "value": "6000000", "figure": "7200000.00"}]},
    )


def test_segment_explanation_in_clear_for_the_rm(client, relationship_manager, customer):
    _place_in_private_banking(customer)
    client.force_login(relationship_manager)

    response = detail(client, customer)

    assert "Private banking since 2026-03-01: AUM 7.2M ≥ 6M" in " ".join(body_of(response).split())


def test_segment_explanation_masks_the_figure_for_the_branch_manager(client, branch_manager, customer):
    _place_in_private_banking(customer)
    client.force_login(branch_manager)

    body = " ".join(body_of(detail(client, customer)).split())

    assert ('Private banking since 2026-03-01: AUM <span class="masked" data-masked="true">******</span> ≥ 6M'
            in body)
    assert "7.2M" not in body


def test_segment_override_shows_reason_to_the_rm_and_masks_it_for_staff(
    client, branch_manager, relationship_manager, branch_staff, customer
):
    expires = timezone.localdate() + datetime.timedelta(days=30)
    segmentation.segment_override_set(actor=branch_manager, customer=customer, segment="vip",
                                      reason="Inheritance arriving next month", expires_on=expires)
    client.force_login(relationship_manager)
    rm_body = body_of(detail(client, customer))
    client.force_login(branch_staff)
    staff_body = body_of(detail(client, customer))

    assert f"until {expires:%Y-%m-%d}" in rm_body and "Inheritance arriving next month" in rm_body
    assert f"until {expires:%Y-%m-%d}" in staff_body
    assert "Inheritance arriving" not in staff_body


def test_profile_is_clear_for_the_rm_and_masked_for_the_branch_manager(
    client, relationship_manager, branch_manager, customer
):
    client.force_login(relationship_manager)
    rm_body = body_of(detail(client, customer))
    client.force_login(branch_manager)
    manager_body = body_of(detail(client, customer))

    for clear in (PHONE_SHOWN, "wei.zhang@example.cn", "110105198001011234", "250,000.00"):
        assert clear in rm_body
        assert clear not in manager_body
    masked_phone = '<span class="masked" data-masked="true">138****8000</span>'
    assert f'{masked_phone} <span class="masked-label">masked</span>' in manager_body
    assert '<span class="masked" data-masked="true">****-**-**</span>' in manager_body


def test_flags_are_shown(client, relationship_manager, branch):
    flagged = make_individual(relationship_manager=relationship_manager, branch=branch, is_vulnerable=True,
                              do_not_contact=True)
    client.force_login(relationship_manager)

    body = body_of(detail(client, flagged))

    assert 'data-testid="flag-vulnerable"' in body and 'data-testid="flag-do-not-contact"' in body


def test_holdings_show_balances_and_accounts_per_policy(client, relationship_manager, branch_staff, customer):
    make_holding(customer, account_number="6222 0210 0100 4321", balance=Decimal("123456.78"))
    client.force_login(relationship_manager)
    rm_body = body_of(detail(client, customer))
    client.force_login(branch_staff)
    staff_body = body_of(detail(client, customer))

    assert "6222 0210 0100 4321" in rm_body and "123,456.78" in rm_body
    assert '<span class="masked" data-masked="true">****4321</span>' in staff_body
    assert "6222 0210" not in staff_body and "123,456.78" not in staff_body


def test_relationship_graph_hides_customers_the_viewer_may_not_see(
    client, relationship_manager, branch, customer, other_relationship_manager, other_branch
):
    spouse = make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Li",
                             family_name="Zhang")
    company = make_corporate(relationship_manager=other_relationship_manager, branch=other_branch,
                             legal_name="Secret Holdings Ltd")
    Relationship.objects.create(from_customer=spouse, to_customer=customer, kind=RelationshipKind.SPOUSE)
    Relationship.objects.create(from_customer=customer, to_customer=company, kind=RelationshipKind.DIRECTOR)
    client.force_login(relationship_manager)

    response = detail(client, customer)

    body = body_of(response)
    graph = response.context["graph"]
    assert {node["title"] for node in graph["nodes"]} == {"Zhang Wei", "Zhang Li", "another customer"}
    assert sorted(edge["label"] for edge in graph["edges"]) == ["Director", "Spouse"]
    assert "<svg" in body and f'href="/customers/{spouse.pk}/"' in body
    assert "Secret Holdings" not in body
    assert f"/customers/{company.pk}/" not in body


def test_household_total_counts_only_members_seen_in_clear(
    client, relationship_manager, branch, customer, colleague
):
    make_holding(customer, balance=Decimal("100000.00"))
    mine = make_individual(relationship_manager=relationship_manager, branch=branch)
    make_holding(mine, balance=Decimal("50000.00"))
    theirs = make_individual(relationship_manager=colleague, branch=branch)
    make_holding(theirs, balance=Decimal("900000.00"))
    Relationship.objects.create(from_customer=mine, to_customer=customer, kind=RelationshipKind.SPOUSE)
    Relationship.objects.create(from_customer=theirs, to_customer=customer,
                                kind=RelationshipKind.HOUSEHOLD_MEMBER)
    client.force_login(relationship_manager)

    household = detail(client, customer).context["household"]

    assert household == {"members": 3, "counted": 2, "total": Decimal("150000.00"), "is_household": True}


def test_timeline_is_newest_first_and_loads_more(client, relationship_manager, customer):
    now = timezone.now()
    for index in range(23):
        make_interaction(customer, summary=f"Call number {index}",
                         occurred_at=now - datetime.timedelta(hours=index + 1))
    client.force_login(relationship_manager)

    timeline = detail(client, customer).context["timeline"]
    more_url = f"{reverse('customer-interactions', args=[customer.pk])}?before={timeline['more']}"
    more = client.get(more_url, **HTMX)
    without_js = client.get(more_url)
    older_page = detail(client, customer, f"?interactions_before={timeline['more']}")

    assert [item["summary"] for item in timeline["items"]] == [f"Call number {index}" for index in range(20)]
    assert [item["summary"] for item in more.context["timeline"]["items"]] == [
        "Call number 20", "Call number 21", "Call number 22"]
    assert more.context["timeline"]["more"] is None
    assert "<html" not in body_of(more)
    assert without_js.status_code == 302 and "interactions_before=" in without_js["Location"]
    assert older_page.context["timeline"]["items"][0]["summary"] == "Call number 20"


def test_timeline_summaries_are_masked_for_branch_staff(client, branch_staff, customer):
    make_interaction(customer, summary="Discussed the inheritance")
    client.force_login(branch_staff)

    body = body_of(detail(client, customer))

    assert "Discussed the inheritance" not in body
    assert "Phone · Follow-up" in " ".join(body.split())


def test_history_reads_as_sentences(client, branch_manager, relationship_manager, customer, colleague):
    services.customer_reassign(actor=branch_manager, customer=customer, relationship_manager=colleague)
    services.customer_update(actor=colleague, customer=Customer.objects.get(pk=customer.pk),
                             profile={"occupation": "Architect"})
    client.force_login(branch_manager)

    sentences = [item["sentence"] for item in detail(client, customer).context["history"]]

    assert sentences == [
        f"{full_name(colleague)} updated occupation.",
        f"{full_name(branch_manager)} reassigned the customer from {full_name(relationship_manager)} "
        f"to {full_name(colleague)}.",
        f"{full_name(relationship_manager)} created the customer record.",
    ]


def _rich_customer(customer, relationship_manager, branch, count: int):
    for index in range(count):
        make_holding(customer, product_name=f"Deposit {index}")
        make_interaction(customer, summary=f"Note {index}")
        services.need_record(actor=relationship_manager, customer=customer, need_type="investment",
                             note=f"Need {index}")
        other = make_individual(relationship_manager=relationship_manager, branch=branch)
        Relationship.objects.create(from_customer=other, to_customer=customer,
                                    kind=RelationshipKind.HOUSEHOLD_MEMBER)
        services.customer_update(actor=relationship_manager, customer=customer,
                                 profile={"occupation": f"Job {index}"})


# The page's own queries: the customer, its relationships (with whether the viewer may see
# each related customer), the clear fields of the customer and the related customers (object
# permissions, reveal grants), the segment override, holdings, needs, the timeline's first
# page, history, the consent and contact panel (one query), and the suitable-offers panel (its
# open suggestions; for those who work offers, the active rules and the customer's needs and
# holdings: three). Holdings, needs and interactions reuse the customer's clear fields, read
# once per request.
DETAIL_QUERIES = REQUEST_OVERHEAD + 13
# The relationship manager sees the record in clear (a pii.revealed event); the branch
# manager may reveal (their live grants are read with the clear fields, no query of their
# own) and reassign (the choice of managers).
DETAIL_EXTRA = {"relationship_manager": PII_REVEALED_EVENT, "branch_manager": 1}




@pytest.mark.parametrize("viewer", ["relationship_manager", "branch_manager"])
def test_detail_queries_are_constant_in_the_size_of_the_record(
    client, request, relationship_manager, branch, customer, viewer, django_assert_num_queries,
    own_panels_only,
):
    user = request.getfixturevalue(viewer)
    _rich_customer(customer, relationship_manager, branch, 1)
    client.force_login(user)
    detail(client, customer)
    expected = DETAIL_QUERIES + DETAIL_EXTRA[viewer]
    assert expected <= DETAIL_BUDGET

    with django_assert_num_queries(expected):
        small = detail(client, customer)
    _rich_customer(customer, relationship_manager, branch, 8)
    with django_assert_num_queries(expected):
        large = detail(client, customer)

    assert [len(small.context[name]) for name in ("holdings", "needs", "relationships")] == [1, 1, 1]
    assert [len(large.context[name]) for name in ("holdings", "needs", "relationships")] == [9, 9, 9]
    assert len(large.context["timeline"]["items"]) == 9
