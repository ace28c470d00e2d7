"""The branch manager's books: book sizes, moving a book, delegations."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import (
    BookDelegation,
    Customer,
)
from tests.customers.factories import make_individual
from tests.customers.views.pages import (
    PHONE_SHOWN,
    body_of,
    detail,
)

pytestmark = pytest.mark.django_db

def test_books_page_lists_book_sizes(client, branch_manager, relationship_manager, colleague, customer,
                                     branch):
    make_individual(relationship_manager=relationship_manager, branch=branch)
    make_individual(relationship_manager=colleague, branch=branch)
    make_individual(branch=branch)
    client.force_login(branch_manager)

    response = client.get(reverse("customer-books"))

    sizes = {book["manager"].username: book["customers"] for book in response.context["books"]}
    assert sizes == {"rm.one": 2, "rm.two": 1}
    assert response.context["unassigned"] == 1


def test_moving_a_whole_book(client, branch_manager, relationship_manager, colleague, customer, branch):
    second = make_individual(relationship_manager=relationship_manager, branch=branch)
    client.force_login(branch_manager)

    response = client.post(reverse("customer-book-reassign"),
                           {"from_manager": relationship_manager.pk, "to_manager": colleague.pk}, follow=True)

    assert set(Customer.objects.filter(relationship_manager=colleague).values_list("pk", flat=True)) == {
        customer.pk, second.pk}
    assert "2 customers moved" in body_of(response)


def test_moving_a_book_to_itself_is_refused(client, branch_manager, relationship_manager, customer):
    client.force_login(branch_manager)

    response = client.post(reverse("customer-book-reassign"),
                           {"from_manager": relationship_manager.pk, "to_manager": relationship_manager.pk})

    assert response.context["book_form"].errors["to_manager"]
    assert not customer.history.filter(kind="reassigned").exists()


def test_delegation_lets_a_colleague_cover_the_book_until_ended(client, branch_manager, relationship_manager,
                                                                colleague, customer):
    today = timezone.localdate()
    client.force_login(branch_manager)

    client.post(reverse("customer-delegation-create"), {
        "relationship_manager": relationship_manager.pk, "delegate": colleague.pk,
        "starts_on": today.isoformat(), "ends_on": (today + datetime.timedelta(days=5)).isoformat(),
        "reason": "Annual leave",
    })
    delegation = BookDelegation.objects.get()
    client.force_login(colleague)
    covered = body_of(detail(client, customer))
    client.force_login(branch_manager)
    client.post(reverse("customer-delegation-end", args=[delegation.pk]))
    client.force_login(colleague)
    after = detail(client, customer)

    assert (delegation.relationship_manager, delegation.delegate, delegation.reason) == (
        relationship_manager, colleague, "Annual leave")
    assert PHONE_SHOWN in covered
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    assert after.status_code == 404


def test_bad_delegation_is_redisplayed(client, branch_manager, relationship_manager, colleague):
    today = timezone.localdate()
    client.force_login(branch_manager)

    response = client.post(reverse("customer-delegation-create"), {
        "relationship_manager": relationship_manager.pk, "delegate": colleague.pk,
        "starts_on": today.isoformat(), "ends_on": (today - datetime.timedelta(days=1)).isoformat(),
        "reason": "Annual leave",
    })

    assert response.status_code == 200
    assert response.context["delegation_form"].errors["ends_on"]
    assert not BookDelegation.objects.exists()
