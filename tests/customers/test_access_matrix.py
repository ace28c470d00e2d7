"""Every surface against the one policy table.

For each role of `policy_table.ROLES`, each action of `policy_table.ACTION_LABELS` and each
surface offering it (browser page or htmx fragment, API, admin, CSV export, import), a probe
performs the action with valid input on a customer in each relation to the user (their own
book, their branch but another book, another branch) and reports whether it was done. The
expected answer comes only from `policy_table.cell(role, action)` applied to that relation,
plus the documented conditions written down below (CONDITIONS). A refused request answers 403
where the user may see the record and 404 (on every surface, the admin included, the same as
for a missing id) where they may not, and changes nothing.

The world is built once for the module; every test runs in its own savepoint, rolled back.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from compliance.normalise import display_phone
from crm.roles import Role
from customers import policy_table
from customers.models import (
    BookDelegation,
    ConsentEvent,
    ContactHold,
    Customer,
    FollowUp,
    Holding,
    ImportJob,
    Interaction,
    MergeRecord,
    Need,
    OfferRule,
    Product,
    RevealGrant,
    SegmentOverride,
    Suggestion,
)
from customers.permissions import CHANGE, ROLE_PERMISSIONS, VIEW
from customers.permissions import CustomerAction as A
from customers.policy_table import BOOK, BRANCH, EVERY, NONE, ROLES, cell
from tests.customers.api.helpers import client_for
from tests.customers.factories import make_holding, make_individual, make_interaction
from tests.factories import BranchFactory, UserFactory

pytestmark = pytest.mark.django_db

RELATIONS = ("book", "branch", "elsewhere")
PURPOSE = "Investigating complaint 2026-118"
FIXTURES = Path(__file__).parent / "fixtures"

# Which surface offers which action. Every pair has a probe (PROBES) and every action of the
# policy table is offered somewhere.
OFFERS = {
    "page": {A.VIEW, A.VIEW_CLEAR, A.CHANGE, A.REASSIGN, A.OVERRIDE_SEGMENT, A.REVEAL, A.MERGE,
             A.MANAGE_BOOKS, A.LOG_INTERACTION, A.RECORD_NEED, A.WORK_FOLLOW_UP, A.MANAGE_CONSENT,
             A.PLACE_HOLD, A.WORK_OFFERS, A.REPORT_OFFERS},
    "fragment": {A.VIEW},
    "api": {A.VIEW, A.VIEW_CLEAR, A.ADD, A.CHANGE, A.CHANGE_BRANCH, A.CHANGE_REFERENCE, A.CHANGE_HOLDINGS,
            A.LOG_INTERACTION, A.LOG_FOR_SYSTEM, A.RECORD_NEED, A.WORK_FOLLOW_UP, A.MANAGE_CONSENT,
            A.PLACE_HOLD, A.WORK_OFFERS, A.REPORT_OFFERS},
    "admin": {A.VIEW, A.VIEW_CLEAR, A.CHANGE},
    "export": {A.EXPORT},
    "import": {A.IMPORT},
    "compliance": {A.APPLY_PRIVACY_REQUEST},
}

# Documented conditions on top of the table (README "Who may do what", customers/views/common.py):
# - Service accounts use the API, not the portal: every customer page answers them 403.
# - The admin is for staff holding Django's view or change permission on customers (through
#   the role's group) and superusers; to anyone else it answers 403 before it looks for the
#   record. Its actions report a refusal as a message on the list (302), never 403 or 404.
# - VIEW_CLEAR refused on a record the user sees shows it masked (200), not 403.
# - CHANGE is probed on a field every viewer of the record sees (the edit offers no other).
# - EXPORT: a role that may export gets the file with the rows it may export (a row it may not
#   is absent); a role that may not gets 403.
# - ADD and IMPORT name a branch, not a record: a role without the action gets 403; adding to a
#   branch outside the role's reach is a field error on `home_branch` (400).
# - REPORT_OFFERS: like EXPORT, a role that may report gets the report counting the customers it
#   may report on (another customer's suggestions are absent); a role that may not gets 403.
# - MANAGE_BOOKS names a relationship manager: someone outside the manager's branch is not
#   among the form's choices, so the form re-displays with the error (200).
PORTAL_SURFACES = {"page", "fragment", "export", "import"}


@dataclass
class World:
    home: object
    far: object
    users: dict = field(default_factory=dict)  # role -> user
    rms: dict = field(default_factory=dict)  # "book", "branch", "elsewhere", "elsewhere2" -> RM
    customers: dict = field(default_factory=dict)  # relation -> customer
    twins: dict = field(default_factory=dict)  # relation -> a second customer of the same book


def _build() -> World:
    home = BranchFactory(code="SH01", name="Shanghai Lujiazui", region="East China")
    far = BranchFactory(code="GZ01", name="Guangzhou Tianhe", region="South China")
    world = World(home=home, far=far)
    branches = {Role.RELATIONSHIP_MANAGER.value: home, Role.BRANCH_STAFF.value: home,
                Role.BRANCH_MANAGER.value: home}
    for role in ROLES:
        world.users[role] = UserFactory(
            role=role, branch=branches.get(role), username=f"matrix.{role}", is_staff=True,
            is_superuser=role == Role.ADMINISTRATOR.value)
    world.rms = {
        "book": world.users[Role.RELATIONSHIP_MANAGER.value],
        "branch": UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=home, username="matrix.rm.two"),
        "elsewhere": UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=far, username="matrix.rm.far"),
        "elsewhere2": UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=far, username="matrix.rm.far2"),
    }
    for relation in RELATIONS:
        manager = world.rms[relation]
        branch = far if relation == "elsewhere" else home
        customer = make_individual(relationship_manager=manager, branch=branch)
        make_holding(customer, external_reference=f"H-{relation}")
        make_interaction(customer, summary="Discussed the renewal")
        world.customers[relation] = Customer.objects.get(pk=customer.pk)
        world.twins[relation] = make_individual(relationship_manager=manager, branch=branch)
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


# --- what the table says -----------------------------------------------------------------


def _admin_user(role: str) -> bool:
    """Whether the admin lets the role's user in: Django's view or change permission on
    customers (held through the role's group), or a superuser."""
    held = set(ROLE_PERMISSIONS.get(role, ()))
    return role == Role.ADMINISTRATOR.value or bool(held & {VIEW, CHANGE})


def relation_of(role: str, relation: str) -> str:
    """How the customer of `relation` (to the relationship manager) stands to `role`'s user."""
    if role == Role.RELATIONSHIP_MANAGER.value:
        return relation
    if role in (Role.BRANCH_STAFF.value, Role.BRANCH_MANAGER.value):
        return "elsewhere" if relation == "elsewhere" else "branch"
    return "elsewhere"  # roles without a branch or a book


def reaches(reach: str, relation: str) -> bool:
    return {EVERY: True, BRANCH: relation in ("book", "branch"), BOOK: relation == "book",
            NONE: False}[reach]


def expected(surface: str, role: str, action: str, relation: str):
    """True when the action is done, else the refusal: 403, 404, "masked", "absent" or "form"."""
    own = relation_of(role, relation)
    sees = reaches(cell(role, A.VIEW), own)
    if surface == "compliance":  # the compliance pages are absent (404) to all but compliance officers
        return True if role == Role.COMPLIANCE_OFFICER.value and reaches(cell(role, action), own) else 404
    if surface in PORTAL_SURFACES and role == Role.SERVICE_ACCOUNT.value and surface != "import":
        return 403
    if surface == "admin" and not _admin_user(role):
        return 403
    if action in (A.ADD, A.IMPORT, A.EXPORT, A.REPORT_OFFERS) and cell(role, action) == NONE:
        return 403
    if reaches(cell(role, action), own):
        return True
    if action in (A.EXPORT, A.REPORT_OFFERS):
        return "absent"
    if action == A.ADD:
        return 400
    if action == A.MANAGE_BOOKS:
        return "form" if cell(role, action) != NONE else 403
    if surface == "admin" and action == A.CHANGE:
        return "message"
    if not sees:
        return 404
    return "masked" if action == A.VIEW_CLEAR else 403


# --- probes ------------------------------------------------------------------------------


@dataclass
class Probe:
    """One attempt: the response, and whether what the action does was done."""

    status: int
    done: bool
    location: str = ""


def _page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _done(response, changed: bool) -> Probe:
    return Probe(response.status_code, changed, response.get("Location", ""))


def _count(model) -> int:
    return model.objects.count()


def _fresh(customer) -> Customer:
    return Customer.objects.select_related("individual").get(pk=customer.pk)


def _target_rm(world, customer):
    """Another relationship manager of the customer's branch."""
    if customer.home_branch_id == world.far.pk:
        first, second = world.rms["elsewhere"], world.rms["elsewhere2"]
    else:
        first, second = world.rms["book"], world.rms["branch"]
    return second if customer.relationship_manager_id == first.pk else first


def _writes(surface_call, model):
    before = _count(model)
    response = surface_call()
    return _done(response, _count(model) > before)


def page_view(world, user, customer):
    response = _page_client(user).get(reverse("customer-detail", args=[customer.pk]))
    return _done(response, response.status_code == 200)


def fragment_view(world, user, customer):
    response = _page_client(user).get(reverse("customer-interactions", args=[customer.pk]),
                                      HTTP_HX_REQUEST="true")
    return _done(response, response.status_code == 200)


def page_view_clear(world, user, customer):
    response = _page_client(user).get(reverse("customer-detail", args=[customer.pk]))
    shown = _shown_phone(customer) in response.content.decode()
    return _done(response, response.status_code == 200 and shown)


def _shown_phone(customer) -> str:
    """The phone as every surface shows it in clear (the display format of the trust layer)."""
    return display_phone(customer.phone)


def page_change(world, user, customer):
    client = _page_client(user)
    url = reverse("customer-edit", args=[customer.pk])
    shown = client.get(url)
    data = {"display_name": "Changed"}
    if shown.status_code == 200:
        form = shown.context["form"]
        data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
        data["display_name"] = "Changed by the matrix"
    response = client.post(url, data)
    return _done(response, _fresh(customer).display_name == "Changed by the matrix")


def page_reassign(world, user, customer):
    target = _target_rm(world, customer)
    response = _page_client(user).post(reverse("customer-reassign", args=[customer.pk]),
                                       {"relationship_manager": target.pk})
    return _done(response, _fresh(customer).relationship_manager_id == target.pk)


def page_override_segment(world, user, customer):
    return _writes(lambda: _page_client(user).post(
        reverse("customer-segment-override", args=[customer.pk]),
        {"segment": "vip", "reason": "Moving 8M from another bank",
         "expires_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat()}), SegmentOverride)


def page_reveal(world, user, customer):
    return _writes(lambda: _page_client(user).post(
        reverse("customer-reveal", args=[customer.pk]),
        {"fields": ["phone"], "purpose": PURPOSE, "minutes": "15"}), RevealGrant)


def page_merge(world, user, customer):
    twin = next(twin for relation, twin in world.twins.items() if world.customers[relation].pk == customer.pk)
    return _writes(lambda: _page_client(user).post(
        reverse("customer-merge", args=[customer.pk, twin.pk]),
        {"survivor": customer.pk, "confirm": "on"}), MergeRecord)


def page_manage_books(world, user, customer):
    manager = customer.relationship_manager
    delegate = _target_rm(world, customer)
    today = timezone.localdate()
    return _writes(lambda: _page_client(user).post(reverse("customer-delegation-create"), {
        "relationship_manager": manager.pk, "delegate": delegate.pk, "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=3)).isoformat(), "reason": "Sick leave"}), BookDelegation)


def page_log_interaction(world, user, customer):
    return _writes(lambda: _page_client(user).post(
        reverse("customer-interaction-log", args=[customer.pk]),
        {"channel": "phone", "interaction_type": "service", "summary": "Called back"}), Interaction)


def page_record_need(world, user, customer):
    return _writes(lambda: _page_client(user).post(
        reverse("customer-need-record", args=[customer.pk]),
        {"need_type": "investment", "note": "Funds"}), Need)


def _open_follow_up(customer) -> FollowUp:
    """An open follow-up of the customer, on its RM's worklist."""
    return FollowUp.objects.create(
        customer=customer, assigned_to_id=customer.relationship_manager_id, cycle_key="plan:matrix",
        reason="plan", reason_data={"months": 1}, due_on=timezone.localdate())


def page_work_follow_up(world, user, customer):
    follow_up = _open_follow_up(customer)
    response = _page_client(user).post(reverse("follow-up-complete", args=[follow_up.pk]),
                                       {"outcome": "reached", "channel": "phone"})
    return _done(response, FollowUp.objects.get(pk=follow_up.pk).status == "done")


def api_work_follow_up(world, user, customer):
    follow_up = _open_follow_up(customer)
    response = client_for(user).post(f"/api/v1/follow-ups/{follow_up.pk}/complete/", {"outcome": "reached"},
                                     format="json")
    return _done(response, FollowUp.objects.get(pk=follow_up.pk).status == "done")


def _open_suggestion(customer, rule_name: str = "Matrix rule") -> Suggestion:
    """An open suggestion of the customer, from a rule of its own (so a report row is its)."""
    product = Product.objects.get(code="mmf-daily")
    rule = OfferRule.objects.create(name=rule_name, product=product, min_aum=1)
    return Suggestion.objects.create(customer=customer, product=product, rule=rule)


def page_work_offers(world, user, customer):
    suggestion = _open_suggestion(customer)
    response = _page_client(user).post(reverse("suggestion-dismiss", args=[customer.pk, suggestion.pk]),
                                       {"reason": "not_now"})
    return _done(response, Suggestion.objects.get(pk=suggestion.pk).status == "dismissed")


def api_work_offers(world, user, customer):
    suggestion = _open_suggestion(customer)
    response = client_for(user).post(_api_url(customer, f"offers/{suggestion.pk}/dismiss/"),
                                     {"reason": "not_now"}, format="json")
    return _done(response, Suggestion.objects.get(pk=suggestion.pk).status == "dismissed")


def page_report_offers(world, user, customer):
    _open_suggestion(customer, rule_name="Matrix report rule")
    response = _page_client(user).get(reverse("offer-report"))
    return _done(response, response.status_code == 200 and "Matrix report rule" in response.content.decode())


def api_report_offers(world, user, customer):
    _open_suggestion(customer, rule_name="Matrix report rule")
    response = client_for(user).get("/api/v1/offer-acceptance-rates/")
    return _done(response, response.status_code == 200
                 and any(row["rule_name"] == "Matrix report rule" for row in response.json()))


CONSENT = {"status": "granted", "purpose": "marketing", "channel": "email", "source": "branch_form",
           "evidence_reference": "FORM-MATRIX-1"}
HOLD = {"kind": "open_complaint", "reason": "Complaint about a card fee"}


def page_manage_consent(world, user, customer):
    return _writes(lambda: _page_client(user).post(
        reverse("customer-consent-record", args=[customer.pk]), CONSENT), ConsentEvent)


def page_place_hold(world, user, customer):
    return _writes(lambda: _page_client(user).post(
        reverse("customer-hold-place", args=[customer.pk]), HOLD), ContactHold)


def compliance_apply_privacy_request(world, user, customer):
    """Log an objection to direct marketing in the compliance pages and complete it."""
    client = _page_client(user)
    logged = client.post(reverse("privacy-request-create"), {
        "kind": "objection", "subject_type": "customers.customer", "subject_reference": customer.number,
        "channel": "branch", "verification": "id_document"})
    if logged.status_code != 302:
        return _done(logged, False)
    reference = logged["Location"].rstrip("/").rsplit("/", 1)[-1]
    completed = client.post(reverse("privacy-request-complete", args=[reference]),
                            {"text": "Withdrawn as asked."})
    return _done(completed, ConsentEvent.objects.filter(customer=customer, source="privacy").exists())


def export_rows(world, user, customer):
    response = _page_client(user).get(reverse("customer-export"))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return _done(response, response.status_code == 200 and customer.number in body.decode("utf-8-sig"))


def import_upload(world, user, customer):
    content = (FIXTURES / "customers_valid.csv").read_bytes()
    upload = SimpleUploadedFile("customers.csv", content, content_type="text/csv")
    data = {"kind": "customers", "file": upload}
    if customer.home_branch_id and user.staff_profile.branch_id is None:
        data["home_branch"] = customer.home_branch_id
    elif user.staff_profile.branch_id:
        data["home_branch"] = user.staff_profile.branch_id
    return _writes(lambda: _page_client(user).post(reverse("importjob-create"), data), ImportJob)


def _api_url(customer, tail: str = "") -> str:
    return f"/api/v1/customers/{customer.pk}/{tail}"


def api_view(world, user, customer):
    response = client_for(user).get(_api_url(customer))
    return _done(response, response.status_code == 200)


def api_view_clear(world, user, customer):
    response = client_for(user).get(_api_url(customer))
    return _done(response, response.status_code == 200 and "phone" not in response.json()["masked_fields"])


def api_add(world, user, customer):
    body = {"kind": "individual", "home_branch": customer.home_branch_id,
            "individual": {"given_name": "Na", "family_name": "Li"}}
    return _writes(lambda: client_for(user).post("/api/v1/customers/", body, format="json"), Customer)


def api_change(world, user, customer):
    response = client_for(user).patch(_api_url(customer), {"do_not_contact": True}, format="json")
    return _done(response, _fresh(customer).do_not_contact)


def api_change_branch(world, user, customer):
    target = world.home if customer.home_branch_id == world.far.pk else world.far
    response = client_for(user).patch(_api_url(customer), {"home_branch": target.pk}, format="json")
    return _done(response, _fresh(customer).home_branch_id == target.pk)


def api_change_reference(world, user, customer):
    response = client_for(user).patch(_api_url(customer), {"external_reference": "CB-MATRIX-1"},
                                      format="json")
    return _done(response, _fresh(customer).external_reference == "CB-MATRIX-1")


def api_change_holdings(world, user, customer):
    body = {"product_type": "fund", "product_name": "Bond fund", "balance": "1000.00",
            "opened_on": "2024-01-02", "external_reference": "H-MATRIX"}
    return _writes(lambda: client_for(user).post(_api_url(customer, "holdings/"), body, format="json"),
                   Holding)


def api_log_interaction(world, user, customer):
    return _writes(lambda: client_for(user).post(
        _api_url(customer, "interactions/"), {"channel": "branch", "summary": "Counter visit"},
        format="json"),
        Interaction)


def api_log_for_system(world, user, customer):
    return _writes(lambda: client_for(user).post(
        _api_url(customer, "interactions/"),
        {"channel": "mobile_app", "summary": "Transfer confirmed", "system": "mobile-banking"},
        format="json"),
        Interaction)


def api_record_need(world, user, customer):
    return _writes(lambda: client_for(user).post(
        _api_url(customer, "needs/"), {"need_type": "wealth_growth"}, format="json"), Need)


def api_manage_consent(world, user, customer):
    return _writes(lambda: client_for(user).post(_api_url(customer, "consents/"), CONSENT, format="json"),
                   ConsentEvent)


def api_place_hold(world, user, customer):
    return _writes(lambda: client_for(user).post(_api_url(customer, "holds/"), HOLD, format="json"),
                   ContactHold)


def _admin_change_url(customer) -> str:
    return f"/admin/customers/customer/{customer.pk}/change/"


def admin_view(world, user, customer):
    response = _page_client(user).get(_admin_change_url(customer))
    return _done(response, response.status_code == 200)


def admin_view_clear(world, user, customer):
    response = _page_client(user).get(_admin_change_url(customer))
    shown = _shown_phone(customer) in response.content.decode()
    return _done(response, response.status_code == 200 and shown)


def admin_change(world, user, customer):
    response = _page_client(user).post("/admin/customers/customer/", {
        "action": "mark_dormant", "_selected_action": [str(customer.pk)]})
    return _done(response, _fresh(customer).status == "dormant")


PROBES = {
    ("page", A.VIEW): page_view,
    ("page", A.VIEW_CLEAR): page_view_clear,
    ("page", A.CHANGE): page_change,
    ("page", A.REASSIGN): page_reassign,
    ("page", A.OVERRIDE_SEGMENT): page_override_segment,
    ("page", A.REVEAL): page_reveal,
    ("page", A.MERGE): page_merge,
    ("page", A.MANAGE_BOOKS): page_manage_books,
    ("page", A.LOG_INTERACTION): page_log_interaction,
    ("page", A.RECORD_NEED): page_record_need,
    ("page", A.WORK_FOLLOW_UP): page_work_follow_up,
    ("page", A.MANAGE_CONSENT): page_manage_consent,
    ("page", A.PLACE_HOLD): page_place_hold,
    ("page", A.WORK_OFFERS): page_work_offers,
    ("page", A.REPORT_OFFERS): page_report_offers,
    ("fragment", A.VIEW): fragment_view,
    ("api", A.VIEW): api_view,
    ("api", A.VIEW_CLEAR): api_view_clear,
    ("api", A.ADD): api_add,
    ("api", A.CHANGE): api_change,
    ("api", A.CHANGE_BRANCH): api_change_branch,
    ("api", A.CHANGE_REFERENCE): api_change_reference,
    ("api", A.CHANGE_HOLDINGS): api_change_holdings,
    ("api", A.LOG_INTERACTION): api_log_interaction,
    ("api", A.LOG_FOR_SYSTEM): api_log_for_system,
    ("api", A.RECORD_NEED): api_record_need,
    ("api", A.WORK_FOLLOW_UP): api_work_follow_up,
    ("api", A.MANAGE_CONSENT): api_manage_consent,
    ("api", A.PLACE_HOLD): api_place_hold,
    ("api", A.WORK_OFFERS): api_work_offers,
    ("api", A.REPORT_OFFERS): api_report_offers,
    ("admin", A.VIEW): admin_view,
    ("admin", A.VIEW_CLEAR): admin_view_clear,
    ("admin", A.CHANGE): admin_change,
    ("export", A.EXPORT): export_rows,
    ("compliance", A.APPLY_PRIVACY_REQUEST): compliance_apply_privacy_request,
    ("import", A.IMPORT): import_upload,
}


def test_every_offered_action_has_a_probe_and_every_action_is_offered():
    offered = {(surface, action) for surface, actions in OFFERS.items() for action in actions}
    assert set(PROBES) == offered
    assert set(policy_table.ACTION_LABELS) <= {action for _surface, action in offered}


# --- the state a refused request must leave alone ------------------------------------------


def _state() -> tuple:
    customers = tuple(Customer.objects.order_by("pk").values_list(
        "pk", "display_name", "status", "home_branch_id", "relationship_manager_id", "segment",
        "external_reference", "do_not_contact", "merged_into_id"))
    return customers + tuple(_count(model) for model in (
        Holding, Interaction, Need, RevealGrant, SegmentOverride, BookDelegation, ImportJob, MergeRecord,
        ConsentEvent, ContactHold))


def _check(outcome: Probe, wanted, before: tuple) -> None:
    if wanted is True:
        assert outcome.done, f"refused ({outcome.status}) but the table allows it"
        assert outcome.status in (200, 201, 302), outcome.status
        assert not outcome.location.startswith(reverse("login"))
        return
    assert not outcome.done, "done, but the table refuses it"
    if wanted in (400, 403, 404):
        assert outcome.status == wanted
    elif wanted in ("masked", "absent", "form"):
        assert outcome.status == 200
    elif wanted == "message":
        assert outcome.status == 302 and outcome.location == "/admin/customers/customer/"
    assert _state() == before, "a refused request changed something"


CASES = [
    (surface, action, role, relation)
    for (surface, action) in PROBES
    for role in ROLES
    for relation in (("book",) if action in (A.IMPORT,) else RELATIONS)
]


@pytest.mark.parametrize(("surface", "action", "role", "relation"), CASES,
                         ids=[f"{s}-{a}-{r}-{rel}" for s, a, r, rel in CASES])
def test_surface_follows_the_policy_table(world, surface, action, role, relation):
    user = world.users[role]
    customer = world.customers[relation]
    wanted = expected(surface, role, action, relation)
    before = _state()

    outcome = PROBES[surface, action](world, user, customer)

    _check(outcome, wanted, before)
