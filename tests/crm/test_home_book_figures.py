"""The home page's book figures for a relationship manager (customers.selectors.home_figures)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.roles import Role
from customers import services
from customers.models import Need
from tests.customers.factories import make_individual, make_interaction
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(relationship_manager, branch):
    return make_individual(relationship_manager=relationship_manager, branch=branch)


@pytest.fixture
def colleague(branch):
    return UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=branch, username="rm.two")


def test_home_shows_the_rms_book_in_figures(client, relationship_manager, branch, customer, colleague):
    now = timezone.now()
    vip = make_individual(relationship_manager=relationship_manager, branch=branch, segment="vip")
    make_interaction(vip, occurred_at=now - datetime.timedelta(days=10))
    make_individual(relationship_manager=colleague, branch=branch)
    services.need_record(actor=relationship_manager, customer=customer, need_type="investment")
    met = services.need_record(actor=relationship_manager, customer=vip, need_type="investment")
    Need.objects.filter(pk=met.pk).update(status="met")
    client.force_login(relationship_manager)

    response = client.get(reverse("home"))

    figures = response.context["book_figures"]
    assert figures["book"] == 2
    assert [(code, count) for code, _label, count in figures["by_segment"]] == [("mass", 1), ("vip", 1)]
    assert figures["not_contacted"] == 1
    assert figures["open_needs"] == 1
    assert 'data-testid="book-size"' in response.content.decode()


def test_home_book_figures_take_constant_queries(client, relationship_manager, branch):
    make_individual(relationship_manager=relationship_manager, branch=branch)
    client.force_login(relationship_manager)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for _index in range(10):
        make_individual(relationship_manager=relationship_manager, branch=branch, segment="vip")

    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("home"))

    assert response.context["book_figures"]["book"] == 11
    assert len(many.captured_queries) == len(few.captured_queries)


def test_home_has_no_book_figures_for_other_roles(client, branch_manager):
    client.force_login(branch_manager)

    assert client.get(reverse("home")).context["book_figures"] is None
