"""customers.selectors: the 360° read, its rows, the timeline and needs, and the acting user's
facts loaded in one query."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from compliance.audit import audit_request_context
from crm.roles import Role, user_roles
from customers import overview, permissions, segmentation, selectors, services
from customers.models import CustomerEvent, Relationship, RelationshipKind
from customers.overview import display
from tests.customers.factories import make_holding, make_individual, make_interaction
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PHONE = "+86 138 0013 8000"
PHONE_SHOWN = "138 0013 8000"  # PHONE in clear, as every surface shows it


@pytest.fixture
def customer(relationship_manager, branch):
    return make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Wei",
                           family_name="Zhang", phone=PHONE)


def _fresh(user):
    """The user as a new request sees it: nothing cached from earlier questions."""
    return get_user_model().objects.get(pk=user.pk)


def _read(user, customer, **kwargs):
    """customer_360 as a request runs it: clear reads noted for one pii.revealed event."""
    user = _fresh(user)
    with audit_request_context(ip_address="10.0.0.1", user_agent="test", request_id="r1") as context:
        page = overview.customer_360(actor=user, customer=selectors.customer_get(actor=user, pk=customer.pk),
                                      **kwargs)
    return page, context


@pytest.fixture
def rich(customer, relationship_manager, branch):
    make_holding(customer, account_number="6222 0210 0100 4321", balance=Decimal("123456.78"))
    make_interaction(customer, summary="Discussed the inheritance")
    services.need_record(actor=relationship_manager, customer=customer, need_type="investment",
                         note="Wants a fund for the children")
    return customer


# ---------------------------------------------------------------------------------------------
# customer_360
# ---------------------------------------------------------------------------------------------


def test_the_rm_reads_the_whole_record_in_clear_and_the_reads_are_noted(relationship_manager, rich):
    page, context = _read(relationship_manager, rich)

    holding, = page.holdings
    need, = page.needs
    item, = page.timeline["items"]
    assert page.every_clear is True
    assert (holding["account"], holding["account_masked"]) == ("6222 0210 0100 4321", False)
    assert (holding["balance"], holding["balance_masked"]) == ("123,456.78", False)
    assert (need["note"], need["note_masked"]) == ("Wants a fund for the children", False)
    assert (item["summary"], item["masked"]) == ("Discussed the inheritance", False)
    assert {row["label"]: row["text"] for row in page.contact_rows}["phone"] == PHONE_SHOWN
    assert context.revealed_objects == {
        "customers.customer": {rich.pk},
        "customers.holding": {holding["holding"].pk},
        "customers.need": {need["need"].pk},
        "customers.interaction": {item["interaction"].pk},
    }
    assert {"phone", "aum", "account_number", "note", "summary"} <= context.revealed_fields


def test_branch_staff_read_the_record_masked_and_nothing_is_noted(branch_staff, rich):
    page, context = _read(branch_staff, rich)

    holding, = page.holdings
    need, = page.needs
    item, = page.timeline["items"]
    assert page.every_clear is False
    assert (holding["account"], holding["account_masked"]) == ("****4321", True)
    assert (holding["balance"], holding["balance_masked"]) == ("******", True)
    assert need["note_masked"] is True and "fund" not in need["note"]
    assert item["masked"] is True and "inheritance" not in item["summary"]
    assert context.revealed_objects == {}


@pytest.mark.parametrize(("viewer", "flags"), [
    ("relationship_manager", {"may_act": True, "may_record_need": True, "may_edit": True,
                              "may_reveal": False, "may_reassign": False, "may_override_segment": False}),
    ("branch_manager", {"may_act": True, "may_record_need": True, "may_edit": True,
                        "may_reveal": True, "may_reassign": True, "may_override_segment": True}),
    ("branch_staff", {"may_act": True, "may_record_need": True, "may_edit": False,
                      "may_reveal": False, "may_reassign": False, "may_override_segment": False}),
    ("compliance_officer", {"may_act": False, "may_record_need": False, "may_edit": False,
                            "may_reveal": True, "may_reassign": False, "may_override_segment": False}),
])
def test_the_may_flags_are_the_policys_answers(request, customer, viewer, flags):
    user = request.getfixturevalue(viewer)

    page, _context = _read(user, customer)

    actions = {"may_act": "log_interaction", "may_record_need": "record_need", "may_edit": "change",
               "may_reveal": "reveal", "may_reassign": "reassign", "may_override_segment": "override_segment"}
    fresh = _fresh(user)
    assert {name: getattr(page, name) for name in flags} == {
        name: permissions.allows(fresh, action, customer) for name, action in actions.items()
    }
    assert {name: getattr(page, name) for name in flags} == flags


def test_related_customers_the_viewer_may_not_see_stay_unnamed(
    relationship_manager, branch, customer, other_relationship_manager, other_branch
):
    spouse = make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Li",
                             family_name="Zhang")
    hidden = make_individual(relationship_manager=other_relationship_manager, branch=other_branch)
    Relationship.objects.create(from_customer=spouse, to_customer=customer, kind=RelationshipKind.SPOUSE)
    Relationship.objects.create(from_customer=hidden, to_customer=customer,
                                kind=RelationshipKind.HOUSEHOLD_MEMBER)

    page, _context = _read(relationship_manager, customer)

    assert sorted(row["other_name"] for row in page.relationships) == ["Zhang Li", "another customer"]
    hidden_rows = [row for row in page.relationships if row["other_name"] == "another customer"]
    assert [row["other_href"] for row in hidden_rows] == [None]
    assert page.household["members"] == 3 and page.household["counted"] == 2


def test_an_override_reason_follows_the_overrides_own_view(branch_manager, relationship_manager, branch_staff,
                                                            customer):
    expires = timezone.localdate() + datetime.timedelta(days=30)
    segmentation.segment_override_set(actor=branch_manager, customer=customer, segment="vip",
                                      reason="Inheritance arriving next month", expires_on=expires)

    rm_page, rm_context = _read(relationship_manager, customer)
    staff_page, _context = _read(branch_staff, customer)

    assert rm_page.segment["override"] == {"expires_on": expires, "reason": "Inheritance arriving next month",
                                           "reason_masked": False}
    assert "customers.segmentoverride" in rm_context.revealed_objects
    assert staff_page.segment["override"]["reason_masked"] is True
    assert "Inheritance" not in staff_page.segment["override"]["reason"]


def test_the_timeline_pages_newest_first(relationship_manager, customer):
    now = timezone.now()
    for index in range(23):
        make_interaction(customer, summary=f"Call {index}",
                         occurred_at=now - datetime.timedelta(hours=index + 1))
    user = _fresh(relationship_manager)

    with audit_request_context(ip_address=None, user_agent="", request_id=""):
        first = overview.customer_timeline(actor=user, customer=customer)
        second = overview.customer_timeline(actor=user, customer=customer, before=first["more"])

    assert [item["summary"] for item in first["items"]] == [f"Call {index}" for index in range(20)]
    assert [item["summary"] for item in second["items"]] == ["Call 20", "Call 21", "Call 22"]
    assert second["more"] is None


def test_customer_360_reads_a_fixed_number_of_queries(relationship_manager, branch, customer,
                                                      django_assert_num_queries, own_panels_only):
    def grow(count):
        for index in range(count):
            make_holding(customer)
            make_interaction(customer, summary=f"Note {index}")
            services.need_record(actor=relationship_manager, customer=customer, need_type="investment")
            other = make_individual(relationship_manager=relationship_manager, branch=branch)
            Relationship.objects.create(from_customer=other, to_customer=customer,
                                        kind=RelationshipKind.HOUSEHOLD_MEMBER)

    grow(1)
    _read(relationship_manager, customer)  # warm the process-wide caches
    for count in (0, 8):
        grow(count)
        user = _fresh(relationship_manager)
        visible = selectors.customer_get(actor=user, pk=customer.pk)
        # Relationships, clear fields (2, read once for the customer and reused for holdings,
        # needs and interactions), override, holdings, needs, timeline, history, the consent
        # and contact panel, and the suitable-offers panel (open suggestions, active rules, the
        # customer's needs and holdings).
        with django_assert_num_queries(12), audit_request_context(ip_address=None, user_agent="",
                                                                  request_id=""):
            overview.customer_360(actor=user, customer=visible)


# ---------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------


def test_history_sentence_for_a_segment_move():
    event = CustomerEvent(kind="segment_changed", data={"from": "mass", "to": "vip", "version": 2})
    assert display.history_sentence(event, {}) == "Moved up to VIP (from Mass retail). (rules v2)"
    event = CustomerEvent(kind="segment_changed", data={"from": "private", "to": "vip"})
    assert display.history_sentence(event, {}) == "Moved down to VIP (from Private banking)."


def test_history_names_the_people_of_a_reassignment(branch_manager, relationship_manager, customer, branch):
    colleague = UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=branch, username="rm.two")
    services.customer_reassign(actor=branch_manager, customer=customer, relationship_manager=colleague)

    page, _context = _read(branch_manager, customer)

    assert page.history[0]["sentence"] == (
        f"{branch_manager.get_full_name()} reassigned the customer from "
        f"{relationship_manager.get_full_name()} to {colleague.get_full_name()}.")


def test_compact_amount():
    values = ("7200000.00", "6000000", "250000", "999", "1234567890")
    assert [display.compact_amount(value) for value in values] == ["7.2M", "6M", "250K", "999", "1.23B"]


# ---------------------------------------------------------------------------------------------
# actor_load
# ---------------------------------------------------------------------------------------------


def _answers(user):
    profile = getattr(user, "staff_profile", None)
    return (user_roles(user), permissions.model_permissions(user),
            sorted(permissions.delegated_managers(user)), profile.branch if profile else None)


@pytest.mark.parametrize("viewer", ["relationship_manager", "branch_manager", "branch_staff",
                                    "compliance_officer", "service_account", "administrator"])
def test_actor_load_gives_the_answers_of_the_lookups_it_saves(request, viewer, branch, branch_manager,
                                                              django_assert_num_queries):
    user = request.getfixturevalue(viewer)
    absent = UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=branch, username="rm.away")
    today = timezone.localdate()
    if viewer in ("relationship_manager", "branch_manager"):  # the roles a book may be delegated to
        services.delegation_create(actor=branch_manager, relationship_manager=absent, delegate=user,
                                   starts_on=today, ends_on=today + datetime.timedelta(days=3),
                                   reason="Annual leave")
    expected = _answers(_fresh(user))
    loaded = _fresh(user)

    with django_assert_num_queries(1):
        selectors.actor_load(loaded)
    with django_assert_num_queries(0):
        answers = _answers(loaded)

    assert answers == expected


def test_actor_load_leaves_an_anonymous_user_alone(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(0):
        selectors.actor_load(AnonymousUser())
