"""Merging duplicate records and reversing merges: what moves, what comes back, who may."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from compliance.models import AuditEvent
from crm.roles import Role
from customers.intake.merging import customers_merge, customers_unmerge
from customers.models import (
    Customer,
    CustomerEvent,
    CustomerEventKind,
    CustomerUserObjectPermission,
    Holding,
    Interaction,
    MergeRecord,
    Need,
    Relationship,
    RelationshipKind,
)
from customers.selectors import customer_list, customer_queryset
from customers.services import need_record
from tests.customers.factories import make_corporate, make_holding, make_individual, make_interaction
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_manager(branch):
    return UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=branch, username="rm.two")


@pytest.fixture
def pair(branch, relationship_manager, second_manager):
    """Two records of one person, each with holdings, interactions, needs and relationships."""
    survivor = make_individual(branch=branch, relationship_manager=relationship_manager)
    merged = make_individual(branch=branch, relationship_manager=second_manager, status="dormant")
    spouse = make_individual(branch=branch, relationship_manager=relationship_manager)
    company = make_corporate(branch=branch, relationship_manager=relationship_manager)
    make_holding(survivor, balance=Decimal("1000.00"))
    make_holding(merged, balance=Decimal("250.00"))
    make_holding(merged, balance=Decimal("750.00"))
    make_interaction(survivor)
    make_interaction(merged)
    need_record(actor=second_manager, customer=merged, need_type="investment")
    Relationship.objects.create(from_customer=survivor, to_customer=spouse, kind=RelationshipKind.SPOUSE)
    Relationship.objects.create(
        from_customer=merged,
        to_customer=spouse,
        kind=RelationshipKind.SPOUSE,
        role="duplicate of the survivor's link",
    )
    Relationship.objects.create(
        from_customer=merged, to_customer=survivor, kind=RelationshipKind.HOUSEHOLD_MEMBER
    )
    Relationship.objects.create(
        from_customer=merged,
        to_customer=company,
        kind=RelationshipKind.DIRECTOR,
        role="Chair",
        share_percent=Decimal("12.50"),
    )
    Relationship.objects.create(from_customer=company, to_customer=merged, kind=RelationshipKind.KEY_CONTACT)
    for customer in (survivor, merged):
        customer.refresh_from_db()
    return survivor, merged


def snapshot():
    """Everything a merge may touch, by row id, with the customer each row belongs to."""
    return {
        "holdings": dict(Holding.objects.values_list("pk", "customer_id")),
        "interactions": dict(Interaction.objects.values_list("pk", "customer_id")),
        "needs": dict(Need.objects.values_list("pk", "customer_id")),
        "history": dict(CustomerEvent.objects.values_list("pk", "customer_id")),
        "relationships": {
            row[0]: row[1:]
            for row in Relationship.objects.values_list(
                "pk", "from_customer_id", "to_customer_id", "kind", "role", "share_percent", "created_at"
            )
        },
        "permissions": dict(CustomerUserObjectPermission.objects.values_list("pk", "content_object_id")),
        "customers": {
            row[0]: row[1:]
            for row in Customer.objects.values_list(
                "pk", "status", "merged_into_id", "aum", "last_contact_at", "relationship_manager_id"
            )
        },
    }


def test_merge_moves_everything_to_the_survivor(branch_manager, pair, relationship_manager, second_manager):
    survivor, merged = pair
    before = snapshot()
    merged_holdings = set(Holding.objects.filter(customer=merged).values_list("pk", flat=True))
    merged_events = set(CustomerEvent.objects.filter(customer=merged).values_list("pk", flat=True))

    record = customers_merge(actor=branch_manager, survivor=survivor, merged=merged)

    survivor.refresh_from_db()
    merged.refresh_from_db()
    assert (merged.merged_into, merged.status) == (survivor, "closed")
    assert Holding.objects.filter(customer=merged).count() == 0
    assert set(Holding.objects.filter(customer=survivor).values_list("pk", flat=True)) >= merged_holdings
    assert Interaction.objects.filter(customer=survivor).count() == 2
    assert Need.objects.filter(customer=survivor).count() == 1
    assert survivor.aum == Decimal("2000.00")
    assert merged.aum == Decimal("0.00")
    assert set(record.moved["history"]) == merged_events
    assert CustomerEvent.objects.filter(pk__in=merged_events, customer=survivor).count() == len(merged_events)
    # The duplicate spouse link and the link to the survivor itself are dropped and recorded.
    assert sorted((item["kind"], item["to"]) for item in record.moved["relationships_dropped"]) == [
        ("household_member", survivor.pk),
        ("spouse", before_spouse(before, survivor)),
    ]
    assert (
        Relationship.objects.filter(from_customer=survivor, kind=RelationshipKind.DIRECTOR).get().role
        == "Chair"
    )
    assert Relationship.objects.filter(to_customer=survivor, kind=RelationshipKind.KEY_CONTACT).exists()
    assert not Relationship.objects.filter(from_customer=merged).exists()
    assert not Relationship.objects.filter(to_customer=merged).exists()
    # The merged record's manager keeps access through the survivor; the merged record itself
    # leaves every list.
    assert survivor in customer_list(actor=second_manager)
    assert merged not in customer_queryset()
    assert record.moved["merged_status"] == "dormant"
    for customer in (survivor, merged):
        event = CustomerEvent.objects.get(customer=customer, kind=CustomerEventKind.MERGED)
        assert event.data == {"merge": record.pk, "survivor": survivor.pk, "merged": merged.pk}
        assert event.actor == branch_manager
    audit = AuditEvent.objects.get(action="customer.merged")
    assert (audit.object_type, audit.object_id) == ("customers.customer", str(survivor.pk))
    assert audit.extra["merged"] == merged.pk
    assert audit.extra["moved"]["holdings"] == 2
    assert audit.extra["dropped_relationships"] == 2


def before_spouse(before, survivor) -> int:
    return next(
        to
        for (frm, to, kind, *_rest) in before["relationships"].values()
        if frm == survivor.pk and kind == "spouse"
    )


def test_unmerge_restores_exactly(branch_manager, pair):
    survivor, merged = pair
    before = snapshot()
    record = customers_merge(actor=branch_manager, survivor=survivor, merged=merged)

    customers_unmerge(actor=branch_manager, merge=record)

    after = snapshot()
    new_events = set(after["history"]) - set(before["history"])
    assert {key: value for key, value in after["history"].items() if key in before["history"]} == before[
        "history"
    ]
    assert (
        CustomerEvent.objects.filter(pk__in=new_events)
        .values_list("customer_id", "kind")
        .order_by("pk")
        .count()
        == 4
    )
    for key in ("holdings", "interactions", "needs", "relationships", "permissions", "customers"):
        assert after[key] == before[key], key
    record.refresh_from_db()
    assert record.reversed_by == branch_manager
    assert record.reversed_at is not None
    for customer in (survivor, merged):
        assert CustomerEvent.objects.filter(customer=customer, kind=CustomerEventKind.UNMERGED).count() == 1
    assert AuditEvent.objects.get(action="customer.unmerged").extra == {
        "merged": merged.pk,
        "merge": record.pk,
    }


def test_unmerge_is_refused_twice_and_changes_nothing(branch_manager, pair):
    survivor, merged = pair
    record = customers_merge(actor=branch_manager, survivor=survivor, merged=merged)
    customers_unmerge(actor=branch_manager, merge=record)
    before = snapshot()

    with pytest.raises(ValidationError):
        customers_unmerge(actor=branch_manager, merge=record)

    assert snapshot() == before
    assert AuditEvent.objects.filter(action="customer.unmerged").count() == 1


def test_records_can_be_merged_again_after_a_reversal(branch_manager, pair):
    survivor, merged = pair
    customers_unmerge(
        actor=branch_manager, merge=customers_merge(actor=branch_manager, survivor=survivor, merged=merged)
    )

    again = customers_merge(actor=branch_manager, survivor=merged, merged=survivor)

    assert MergeRecord.objects.count() == 2
    survivor.refresh_from_db()
    assert survivor.merged_into_id == again.survivor_id == merged.pk


@pytest.mark.parametrize("who", ["relationship_manager", "branch_staff", "compliance_officer", "far_manager"])
def test_merge_is_refused_to_others_and_changes_nothing(request, pair, other_branch, who):
    actor = (
        UserFactory(role=Role.BRANCH_MANAGER, branch=other_branch, username="manager.far")
        if who == "far_manager"
        else request.getfixturevalue(who)
    )
    survivor, merged = pair
    before = snapshot()

    with pytest.raises(PermissionDenied):
        customers_merge(actor=actor, survivor=survivor, merged=merged)

    assert snapshot() == before
    assert MergeRecord.objects.count() == 0
    assert not AuditEvent.objects.filter(action="customer.merged").exists()


def test_unmerge_is_refused_to_others_and_changes_nothing(branch_manager, relationship_manager, pair):
    survivor, merged = pair
    record = customers_merge(actor=branch_manager, survivor=survivor, merged=merged)
    before = snapshot()

    with pytest.raises(PermissionDenied):
        customers_unmerge(actor=relationship_manager, merge=record)

    assert snapshot() == before
    record.refresh_from_db()
    assert record.reversed_at is None


def test_merge_refuses_bad_pairs(branch_manager, branch, relationship_manager):
    person = make_individual(branch=branch, relationship_manager=relationship_manager)
    other = make_individual(branch=branch, relationship_manager=relationship_manager)
    third = make_individual(branch=branch, relationship_manager=relationship_manager)
    company = make_corporate(branch=branch, relationship_manager=relationship_manager)

    with pytest.raises(ValidationError):
        customers_merge(actor=branch_manager, survivor=person, merged=person)
    with pytest.raises(ValidationError):
        customers_merge(actor=branch_manager, survivor=person, merged=company)
    customers_merge(actor=branch_manager, survivor=person, merged=other)
    with pytest.raises(ValidationError):  # already merged away
        customers_merge(actor=branch_manager, survivor=third, merged=other)
    with pytest.raises(ValidationError):  # has absorbed another record
        customers_merge(actor=branch_manager, survivor=third, merged=person)
    assert MergeRecord.objects.count() == 1


def test_unmerge_waits_for_later_merges_of_the_survivor(branch_manager, branch, relationship_manager):
    first = make_individual(branch=branch, relationship_manager=relationship_manager)
    second = make_individual(branch=branch, relationship_manager=relationship_manager)
    third = make_individual(branch=branch, relationship_manager=relationship_manager)
    earlier = customers_merge(actor=branch_manager, survivor=second, merged=first)
    customers_unmerge(actor=branch_manager, merge=earlier)
    earlier = customers_merge(actor=branch_manager, survivor=second, merged=first)
    with pytest.raises(ValidationError):
        customers_merge(actor=branch_manager, survivor=third, merged=second)
    assert MergeRecord.objects.filter(reversed_at__isnull=True).count() == 1
    customers_unmerge(actor=branch_manager, merge=earlier)
    later = customers_merge(actor=branch_manager, survivor=third, merged=second)
    assert later.merged == second


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------


def test_merge_pages_need_sign_in(client, pair):
    survivor, merged = pair
    for url in (reverse("merge-list"), reverse("customer-merge", args=[survivor.pk, merged.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_merge_pages_refuse_users_who_may_not_merge(
    client, pair, relationship_manager, other_relationship_manager
):
    survivor, merged = pair
    record = customers_merge(
        actor=UserFactory(role=Role.BRANCH_MANAGER, branch=survivor.home_branch, username="manager.two"),
        survivor=survivor,
        merged=merged,
    )
    client.force_login(relationship_manager)

    assert client.get(reverse("merge-list")).status_code == 403
    assert client.post(reverse("merge-reverse", args=[record.pk])).status_code == 403
    record.refresh_from_db()
    assert record.reversed_at is None

    client.force_login(other_relationship_manager)
    assert client.get(reverse("customer-merge", args=[survivor.pk, merged.pk])).status_code == 404


def test_branch_manager_confirms_a_merge_and_reverses_it(client, branch_manager, pair):
    survivor, merged = pair
    client.force_login(branch_manager)
    url = reverse("customer-merge", args=[merged.pk, survivor.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert survivor.number in page.content.decode()
    unconfirmed = client.post(url, {"survivor": survivor.pk})
    assert unconfirmed.status_code == 200
    assert MergeRecord.objects.count() == 0

    response = client.post(url, {"survivor": survivor.pk, "confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == reverse("merge-list")
    record = MergeRecord.objects.get()
    assert (record.survivor, record.merged) == (survivor, merged)
    listing = client.get(reverse("merge-list")).content.decode()
    assert f'data-merge="{record.pk}"' in listing
    assert 'data-testid="reverse-merge"' in listing

    reversed_response = client.post(reverse("merge-reverse", args=[record.pk]))

    assert reversed_response.status_code == 302
    record.refresh_from_db()
    assert record.reversed_by == branch_manager
    merged.refresh_from_db()
    assert merged.merged_into is None
    assert 'data-testid="reverse-merge"' not in client.get(reverse("merge-list")).content.decode()


def test_merge_page_shows_refusals_as_form_errors(client, branch_manager, branch, relationship_manager):
    person = make_individual(branch=branch, relationship_manager=relationship_manager)
    company = make_corporate(branch=branch, relationship_manager=relationship_manager)
    client.force_login(branch_manager)

    response = client.post(
        reverse("customer-merge", args=[person.pk, company.pk]), {"survivor": person.pk, "confirm": "on"}
    )

    assert response.status_code == 200
    assert "Only records of the same kind can be merged." in response.content.decode()
    assert MergeRecord.objects.count() == 0


def test_merge_list_query_count_does_not_grow(client, branch_manager, branch, relationship_manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(branch_manager)
    customers = [make_individual(branch=branch, relationship_manager=relationship_manager) for _ in range(8)]
    customers_merge(actor=branch_manager, survivor=customers[0], merged=customers[1])
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("merge-list"))
    for index in range(2, 8, 2):
        customers_merge(actor=branch_manager, survivor=customers[index], merged=customers[index + 1])

    with CaptureQueriesContext(connection) as four:
        response = client.get(reverse("merge-list"))

    assert len(response.context["page"].object_list) == 4
    assert len(four) == len(one)
