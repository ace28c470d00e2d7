"""Who may open every customer page and use every action, and what they see in clear.

One customer (rm.one's book, branch SH01) and one user per role. Refused requests are checked
for what they did not change.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.roles import Role
from customers import outreach, services
from customers.models import (
    Appointment,
    BookDelegation,
    ConsentEvent,
    ContactHold,
    Customer,
    CustomerEvent,
    FollowUp,
    Interaction,
    Need,
    OfferRule,
    RevealGrant,
    SavedListView,
    SegmentOverride,
    Suggestion,
)
from tests.customers.factories import make_individual, make_interaction
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PHONE = "+86 138 0013 8000"
PHONE_SHOWN = "138 0013 8000"  # PHONE in clear, as every surface shows it
EMAIL = "wei.zhang@example.cn"
PURPOSE = "Investigating complaint 2026-118"
SI, OK, GO, NO, NF = "sign in", 200, 302, 403, 404
EMPTY = 204  # an htmx fragment with nothing to show

ROLES = ["anonymous", "other_rm", "assigned_rm", "branch_staff", "branch_manager", "other_branch_manager",
         "compliance_officer", "service_account", "administrator"]


@dataclass
class World:
    customer: Customer
    colleague: object
    delegation: BookDelegation
    hold: ContactHold
    list_view: SavedListView  # the assigned relationship manager's
    follow_up: FollowUp
    appointment: Appointment
    suggestion: Suggestion


@pytest.fixture
def world(relationship_manager, branch, branch_manager):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Wei",
                               family_name="Zhang", phone=PHONE, email=EMAIL)
    make_interaction(customer, summary="Discussed the renewal")
    colleague = UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=branch, username="rm.two")
    today = timezone.localdate()
    delegation = services.delegation_create(
        actor=branch_manager, relationship_manager=relationship_manager, delegate=colleague,
        starts_on=today + datetime.timedelta(days=10), ends_on=today + datetime.timedelta(days=12),
        reason="Training course",
    )
    hold, _created = outreach.contact_hold_place(actor=branch_manager, customer=customer, kind="other",
                                                 reason="Asked for a pause")
    list_view = services.list_view_create(actor=relationship_manager, name="VIP",
                                          filters={"segment": ["vip"]})
    follow_up = FollowUp.objects.create(customer=customer, assigned_to=relationship_manager,
                                        cycle_key="plan:1:2026-12-01", reason="plan",
                                        reason_data={"months": 1}, due_on=today)
    starts = timezone.now() + datetime.timedelta(days=1)
    appointment = Appointment.objects.create(customer=customer, staff=relationship_manager, starts_at=starts,
                                             ends_at=starts + datetime.timedelta(hours=1), place="Branch")
    rule = OfferRule.objects.select_related("product").get(name="Large deposits, no wealth product")
    suggestion = Suggestion.objects.create(customer=customer, product=rule.product, rule=rule)
    return World(customer=customer, colleague=colleague, delegation=delegation, list_view=list_view,
                 follow_up=follow_up, appointment=appointment, hold=hold, suggestion=suggestion)


@pytest.fixture
def other_branch_manager(other_branch):
    return UserFactory(role=Role.BRANCH_MANAGER, branch=other_branch, username="manager.far")


def _user(request, role):
    aliases = {"other_rm": "other_relationship_manager", "assigned_rm": "relationship_manager"}
    fixture = aliases.get(role, role)
    return None if role == "anonymous" else request.getfixturevalue(fixture)


def _state(world: World) -> tuple:
    customer = Customer.objects.select_related("individual").get(pk=world.customer.pk)
    return (
        Interaction.objects.count(), Need.objects.count(), RevealGrant.objects.count(),
        SegmentOverride.objects.count(), CustomerEvent.objects.count(), ConsentEvent.objects.count(),
        list(ContactHold.objects.order_by("pk").values_list("pk", "lifted_at")),
        list(BookDelegation.objects.order_by("pk").values_list("pk", "revoked_at")),
        customer.relationship_manager_id, customer.segment, customer.phone, customer.individual.occupation,
        list(SavedListView.objects.order_by("pk").values_list("pk", "owner_id", "name", "filters")),
        list(FollowUp.objects.order_by("pk").values_list("pk", "status", "due_on")),
        list(Appointment.objects.order_by("pk").values_list("pk", "cancelled_at")),
        list(Suggestion.objects.order_by("pk").values_list("pk", "status")),
    )


def _main(response) -> str:
    body = response.content.decode()
    return body[body.index("<main"):body.index("</main>")]


def _edit_data(world: World, *, with_phone: bool) -> dict:
    data = {"display_name": "Zhang Wei", "status": "active", "profile-given_name": "Wei",
            "profile-family_name": "Zhang", "profile-gender": "undisclosed",
            "profile-occupation": "Architect", "profile-preferred_language": "zh-hans",
            "profile-preferred_channel": "phone"}
    if with_phone:
        data.update({"phone": PHONE, "email": EMAIL})
    return data


# Each page: method, URL, POST data (None for GET), extra headers.
PAGES = {
    "list": lambda w: ("get", reverse("customer-list"), None),
    "search": lambda w: ("post", reverse("customer-search"), {"q": PHONE}),
    "export": lambda w: ("get", reverse("customer-export"), None),
    "books": lambda w: ("get", reverse("customer-books"), None),
    "book-reassign": lambda w: ("post", reverse("customer-book-reassign"), {
        "from_manager": w.customer.relationship_manager_id, "to_manager": w.colleague.pk}),
    "delegation-create": lambda w: ("post", reverse("customer-delegation-create"), {
        "relationship_manager": w.customer.relationship_manager_id, "delegate": w.colleague.pk,
        "starts_on": timezone.localdate().isoformat(),
        "ends_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(), "reason": "Sick leave"}),
    "delegation-end": lambda w: ("post", reverse("customer-delegation-end", args=[w.delegation.pk]), {}),
    "detail": lambda w: ("get", reverse("customer-detail", args=[w.customer.pk]), None),
    "interactions": lambda w: ("get", reverse("customer-interactions", args=[w.customer.pk]), None),
    "interaction-log": lambda w: ("post", reverse("customer-interaction-log", args=[w.customer.pk]), {
        "channel": "phone", "interaction_type": "service", "summary": "Called back"}),
    "need-record": lambda w: ("post", reverse("customer-need-record", args=[w.customer.pk]),
                              {"need_type": "investment", "note": "Funds"}),
    "reveal": lambda w: ("post", reverse("customer-reveal", args=[w.customer.pk]),
                         {"fields": ["phone"], "purpose": PURPOSE, "minutes": "15"}),
    "edit": lambda w: ("get", reverse("customer-edit", args=[w.customer.pk]), None),
    "edit-save": lambda w: ("post", reverse("customer-edit", args=[w.customer.pk]), "edit"),
    "reassign": lambda w: ("post", reverse("customer-reassign", args=[w.customer.pk]),
                           {"relationship_manager": w.colleague.pk}),
    "segment-override": lambda w: ("post", reverse("customer-segment-override", args=[w.customer.pk]), {
        "segment": "vip", "reason": "Moving 8M from another bank",
        "expires_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat()}),
    "consent-record": lambda w: ("post", reverse("customer-consent-record", args=[w.customer.pk]), {
        "status": "granted", "purpose": "marketing", "channel": "sms", "source": "branch_form",
        "evidence_reference": "FORM-1"}),
    "hold-place": lambda w: ("post", reverse("customer-hold-place", args=[w.customer.pk]),
                             {"kind": "bereavement", "reason": "Family matter"}),
    "hold-lift": lambda w: ("post", reverse("customer-hold-lift", args=[w.customer.pk]), {"hold": w.hold.pk}),
    "create": lambda w: ("get", reverse("customer-create"), None),
    "duplicates-overview": lambda w: ("get", reverse("customer-duplicates-overview"), None),
    "duplicates-notice": lambda w: ("get", reverse("customer-duplicates-notice", args=[w.customer.pk]), None),
    "list-views": lambda w: ("get", reverse("customer-list-views"), None),
    "list-view-save": lambda w: ("post", reverse("customer-list-view-save"),
                                 {"save-name": "Mine", "save-query": "kind=individual"}),
    "list-view-apply": lambda w: ("get", reverse("customer-list-view-apply", args=[w.list_view.pk]), None),
    "list-view-rename": lambda w: ("post", reverse("customer-list-view-rename", args=[w.list_view.pk]),
                                   {f"view-{w.list_view.pk}-name": "Renamed"}),
    "list-view-filters": lambda w: ("post", reverse("customer-list-view-filters", args=[w.list_view.pk]),
                                    {"query": "kind=corporate"}),
    "list-view-delete": lambda w: ("post", reverse("customer-list-view-delete", args=[w.list_view.pk]), {}),
    "follow-up-complete": lambda w: ("post", reverse("follow-up-complete", args=[w.follow_up.pk]),
                                     {"outcome": "reached", "channel": "phone"}),
    "follow-up-contact": lambda w: ("post", reverse("follow-up-contact", args=[w.follow_up.pk]),
                                    {"channel": "phone"}),
    "follow-up-reschedule": lambda w: ("post", reverse("follow-up-reschedule", args=[w.follow_up.pk]), {
        "due_on": (timezone.localdate() + datetime.timedelta(days=2)).isoformat(), "reason": "Travelling"}),
    "appointment-create": lambda w: ("post", reverse("appointment-create", args=[w.customer.pk]), {
        "day": (timezone.localdate() + datetime.timedelta(days=2)).isoformat(), "time": "10:00",
        "minutes": "60", "place": "Branch"}),
    "appointment-cancel": lambda w: ("post", reverse("appointment-cancel", args=[w.appointment.pk]), {}),
    "appointment-calendar": lambda w: ("get", reverse("appointment-calendar"), None),
    "appointment-calendar-ics": lambda w: ("get", reverse("appointment-calendar-ics"), None),
    "notification-list": lambda w: ("get", reverse("notification-list"), None),
    "offer-report": lambda w: ("get", reverse("offer-report"), None),
    "suggestion-refresh": lambda w: ("post", reverse("suggestion-refresh", args=[w.customer.pk]), {}),
    "suggestion-accept": lambda w: (
        "post", reverse("suggestion-accept", args=[w.customer.pk, w.suggestion.pk]), {"channel": "branch"}),
    "suggestion-dismiss": lambda w: (
        "post", reverse("suggestion-dismiss", args=[w.customer.pk, w.suggestion.pk]), {"reason": "not_now"}),
}

# Expected answer per page and role, in the order of ROLES. SI: sent to sign in; OK: 200;
# GO: done, redirected onwards; NO: 403; NF: 404 (the same as a customer that does not exist).
MATRIX = {
    #                    anon other_rm rm  staff manager far_mgr compliance svc admin
    "list":              [SI, OK, OK, OK, OK, OK, OK, NO, OK],
    "search":            [SI, GO, GO, GO, GO, GO, GO, NO, GO],
    "export":            [SI, OK, OK, NO, OK, OK, OK, NO, NO],
    "books":             [SI, NO, NO, NO, OK, OK, NO, NO, NO],
    "book-reassign":     [SI, NO, NO, NO, GO, OK, NO, NO, NO],
    "delegation-create": [SI, NO, NO, NO, GO, OK, NO, NO, NO],
    "delegation-end":    [SI, NO, NO, NO, GO, NF, NO, NO, NO],
    "detail":            [SI, NF, OK, OK, OK, NF, OK, NO, NF],
    "interactions":      [SI, NF, GO, GO, GO, NF, GO, NO, NF],
    "interaction-log":   [SI, NF, GO, GO, GO, NF, NO, NO, NF],
    "need-record":       [SI, NF, GO, GO, GO, NF, NO, NO, NF],
    "reveal":            [SI, NF, NO, NO, GO, NF, GO, NO, NF],
    "edit":              [SI, NF, OK, NO, OK, NF, NO, NO, NF],
    "edit-save":         [SI, NF, GO, NO, GO, NF, NO, NO, NF],
    "reassign":          [SI, NF, NO, NO, GO, NF, NO, NO, NF],
    "segment-override":  [SI, NF, NO, NO, GO, NF, NO, NO, NF],
    "consent-record":    [SI, NF, GO, GO, GO, NF, NO, NO, NF],
    "hold-place":        [SI, NF, GO, GO, GO, NF, NO, NO, NF],
    "hold-lift":         [SI, NF, GO, GO, GO, NF, NO, NO, NF],
    "create":            [SI, OK, OK, OK, OK, OK, NO, NO, NO],
    "duplicates-overview": [SI, NO, NO, NO, OK, OK, NO, NO, NO],
    "duplicates-notice": [SI, NF, EMPTY, EMPTY, EMPTY, NF, EMPTY, NO, NF],
    # Saved views: everyone on the portal keeps their own; the fixture's view is the assigned RM's.
    "list-views":        [SI, OK, OK, OK, OK, OK, OK, NO, OK],
    "list-view-save":    [SI, GO, GO, GO, GO, GO, GO, NO, GO],
    "list-view-apply":   [SI, NF, GO, NF, NF, NF, NF, NO, NF],
    "list-view-rename":  [SI, NF, GO, NF, NF, NF, NF, NO, NF],
    "list-view-filters": [SI, NF, GO, NF, NF, NF, NF, NO, NF],
    "list-view-delete":  [SI, NF, GO, NF, NF, NF, NF, NO, NF],
    # Follow-ups are worked by the RM (or a delegate) and the branch manager.
    "follow-up-complete": [SI, NF, GO, NO, GO, NF, NO, NO, NF],
    "follow-up-contact": [SI, NF, GO, NO, GO, NF, NO, NO, NF],
    "follow-up-reschedule": [SI, NF, GO, NO, GO, NF, NO, NO, NF],
    "appointment-create": [SI, NF, GO, NO, GO, NF, NO, NO, NF],
    # An appointment is its staff member's own.
    "appointment-cancel": [SI, NF, GO, NF, NF, NF, NF, NO, NF],
    "appointment-calendar": [SI, OK, OK, OK, OK, OK, OK, NO, OK],
    "appointment-calendar-ics": [SI, OK, OK, OK, OK, OK, OK, NO, OK],
    "notification-list": [SI, OK, OK, OK, OK, OK, OK, NO, OK],
    # Offers are worked like follow-ups; the report is for branch managers (their branch) and
    # head office.
    "offer-report":      [SI, NO, NO, NO, OK, OK, OK, NO, NO],
    "suggestion-refresh": [SI, NF, GO, NO, GO, NF, NO, NO, NF],
    "suggestion-accept": [SI, NF, GO, NO, GO, NF, NO, NO, NF],
    "suggestion-dismiss": [SI, NF, GO, NO, GO, NF, NO, NO, NF],
}

CASES = [(name, role, MATRIX[name][index]) for name in PAGES for index, role in enumerate(ROLES)]


def test_matrix_covers_every_customer_url():
    from customers.urls import urlpatterns

    names = {pattern.name.removeprefix("customer-") for pattern in urlpatterns}
    assert names | {"edit-save"} == set(PAGES) | {"list", "detail"}
    assert set(MATRIX) == set(PAGES)


# The page is `page_name`, not `page`: that is pytest-playwright's browser fixture.
@pytest.mark.parametrize(("page_name", "role", "expected"), CASES, ids=[f"{p}-{r}" for p, r, _e in CASES])
def test_access(client, request, world, page_name, role, expected):
    user = _user(request, role)
    if user is not None:
        client.force_login(user)
    method, url, data = PAGES[page_name](world)
    if data == "edit":
        data = _edit_data(world, with_phone=role == "assigned_rm")
    before = _state(world)

    response = client.post(url, data) if method == "post" else client.get(url)

    if expected == SI:
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('login')}?next=")
    else:
        assert response.status_code == expected
        if expected == GO:
            assert not response["Location"].startswith(reverse("login"))
    if expected in (SI, NO, NF) or (method == "post" and expected == OK):
        assert _state(world) == before, "a refused request changed something"
    if expected == NF:
        not_found = client.get("/customers/999999999/")
        # "Not yours" reads exactly like "missing".
        assert _main(response) == _main(not_found)
        assert world.customer.display_name not in response.content.decode()


def test_refused_book_move_for_another_branch_says_why(client, other_branch_manager, world):
    client.force_login(other_branch_manager)

    response = client.post(reverse("customer-book-reassign"), {
        "from_manager": world.customer.relationship_manager_id, "to_manager": world.colleague.pk})

    assert response.context["book_form"].errors["from_manager"]


# ---------------------------------------------------------------------------------------------
# What each role sees
# ---------------------------------------------------------------------------------------------


def _list_rows(client):
    return {row["customer"].pk: row for row in client.get(reverse("customer-list")).context["rows"]}


@pytest.mark.parametrize(("role", "listed", "clear"), [
    ("other_rm", False, None),
    ("assigned_rm", True, True),
    ("branch_staff", True, False),
    ("branch_manager", True, False),
    ("other_branch_manager", False, None),
    ("compliance_officer", True, False),
    ("administrator", False, None),
])
def test_list_visibility_and_masking(client, request, world, role, listed, clear):
    client.force_login(_user(request, role))

    rows = _list_rows(client)

    assert (world.customer.pk in rows) is listed
    if listed:
        assert rows[world.customer.pk]["phone"].masked is not clear
        assert (rows[world.customer.pk]["phone"].text == PHONE_SHOWN) is clear


@pytest.mark.parametrize(("role", "clear"), [
    ("assigned_rm", True), ("branch_staff", False), ("branch_manager", False), ("compliance_officer", False),
])
def test_detail_masking(client, request, world, role, clear):
    client.force_login(_user(request, role))

    body = client.get(reverse("customer-detail", args=[world.customer.pk])).content.decode()

    for value in (PHONE_SHOWN, EMAIL, "Discussed the renewal"):
        assert (value in body) is clear
    assert ('class="masked"' in body) is not clear


def test_compliance_sees_revealed_fields_only_until_expiry(client, compliance_officer, world):
    client.force_login(compliance_officer)
    url = reverse("customer-detail", args=[world.customer.pk])
    before = client.get(url).content.decode()

    client.post(reverse("customer-reveal", args=[world.customer.pk]),
                {"fields": ["phone"], "purpose": PURPOSE, "minutes": "5"})
    during = client.get(url).content.decode()
    listed = _list_rows(client)[world.customer.pk]["phone"]
    RevealGrant.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    after = client.get(url).content.decode()

    assert PHONE_SHOWN not in before
    assert PHONE_SHOWN in during and EMAIL not in during and "Discussed the renewal" not in during
    assert (listed.text, listed.masked) == (PHONE_SHOWN, False)
    assert PHONE_SHOWN not in after


def test_branch_manager_reveal_is_limited_to_the_own_branch(client, branch_manager, world, other_branch,
                                                            other_relationship_manager):
    elsewhere = make_individual(relationship_manager=other_relationship_manager, branch=other_branch)
    client.force_login(branch_manager)

    own = client.post(reverse("customer-reveal", args=[world.customer.pk]),
                      {"fields": ["email"], "purpose": PURPOSE, "minutes": "5"})
    other = client.post(reverse("customer-reveal", args=[elsewhere.pk]),
                        {"fields": ["email"], "purpose": PURPOSE, "minutes": "5"})

    assert own.status_code == 302
    assert EMAIL in client.get(reverse("customer-detail", args=[world.customer.pk])).content.decode()
    assert other.status_code == 404
    assert list(RevealGrant.objects.values_list("customer_id", flat=True)) == [world.customer.pk]


def test_pages_show_only_the_actions_the_user_may_take(client, request, world):
    url = reverse("customer-detail", args=[world.customer.pk])
    expected = {
        # role: (quick actions, reveal, reassign, segment override, edit)
        "assigned_rm": (True, False, False, False, True),
        "branch_staff": (True, False, False, False, False),
        "branch_manager": (True, True, True, True, True),
        "compliance_officer": (False, True, False, False, False),
    }
    for role, flags in expected.items():
        client.force_login(_user(request, role))
        body = client.get(url).content.decode()
        shown = ('data-testid="quick-actions"' in body, 'data-testid="reveal"' in body,
                 'data-testid="reassign"' in body, 'data-testid="segment-override-form"' in body,
                 reverse("customer-edit", args=[world.customer.pk]) in body)
        assert shown == flags, role


def test_navigation_offers_customers_to_staff_roles_only(client, request, world):
    for role, offered in (("assigned_rm", True), ("branch_staff", True), ("branch_manager", True),
                          ("compliance_officer", True), ("administrator", False)):
        client.force_login(_user(request, role))
        labels = [str(entry["label"]) for entry in client.get(reverse("home")).context["navigation"]]
        assert ("Customers" in labels) is offered, role
