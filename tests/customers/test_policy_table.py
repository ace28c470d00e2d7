"""The role x action table drives the policy's tests: every cell is checked against
`permissions.allows` (one record at a time) and `access.restrict` (querysets), on a customer in
the user's book, one elsewhere in their branch, and one in another branch; and the README shows
exactly this table."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from compliance import access
from crm.roles import Role
from customers import permissions, policy_table
from customers.models import Customer
from customers.permissions import CustomerAction
from tests.customers.factories import make_individual
from tests.factories import BranchFactory, UserFactory

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"

# For each cell, which of the three customers the action reaches.
REACH = {
    policy_table.EVERY: {"book", "branch", "elsewhere"},
    policy_table.BRANCH: {"book", "branch"},
    policy_table.BOOK: {"book"},
    policy_table.NONE: set(),
}

BRANCH_HOLDERS = {Role.RELATIONSHIP_MANAGER.value, Role.BRANCH_STAFF.value, Role.BRANCH_MANAGER.value}


@pytest.fixture
def world():
    home, away = BranchFactory(code="H01"), BranchFactory(code="A01")
    users = {
        role: UserFactory(role=role, branch=home if role in BRANCH_HOLDERS else None, username=f"u.{role}",
                          is_staff=role == Role.ADMINISTRATOR.value,
                          is_superuser=role == Role.ADMINISTRATOR.value)
        for role in policy_table.ROLES
    }
    rm = users[Role.RELATIONSHIP_MANAGER.value]
    colleague = UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=home, username="u.colleague")
    far = UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=away, username="u.far")
    customers = {
        "book": make_individual(relationship_manager=rm, branch=home),
        "branch": make_individual(relationship_manager=colleague, branch=home),
        "elsewhere": make_individual(relationship_manager=far, branch=away),
    }
    return {"users": users, "customers": customers, "home": home, "away": away,
            "managers": {"book": rm, "branch": colleague, "elsewhere": far}}


def _fresh(user):
    # Each check reads the user as a new request would: nothing cached from the last one.
    return type(user).objects.get(pk=user.pk)


CASES = [(role, action) for role in policy_table.ROLES for action in CustomerAction]


@pytest.mark.parametrize(("role", "action"), CASES)
def test_allows_follows_the_table(world, role, action):
    expected = REACH[policy_table.cell(role, action)]
    user = _fresh(world["users"][role])

    if action == CustomerAction.ADD:
        targets = {"book": Customer(home_branch=world["home"]), "branch": Customer(home_branch=world["home"]),
                   "elsewhere": Customer(home_branch=world["away"])}
    elif action == CustomerAction.MANAGE_BOOKS:
        targets = world["managers"]
    else:
        targets = world["customers"]

    allowed = {name for name, target in targets.items() if permissions.allows(user, action, target)}

    assert allowed == expected


@pytest.mark.parametrize(("role", "action"), [
    case for case in CASES if case[1] not in (CustomerAction.ADD, CustomerAction.MANAGE_BOOKS)
])
def test_restrict_agrees_with_allows(world, role, action):
    user = _fresh(world["users"][role])
    ids = {customer.pk: name for name, customer in world["customers"].items()}

    restricted = access.restrict(Customer.objects.filter(pk__in=ids), user, action)

    reached = {ids[pk] for pk in restricted.values_list("pk", flat=True)}
    assert reached == REACH[policy_table.cell(role, action)]


def test_a_delegate_covers_the_book_as_its_relationship_manager_does(world):
    import datetime

    from customers.models import BookDelegation

    delegate = UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=world["home"], username="u.delegate")
    today = datetime.date.today()
    BookDelegation.objects.create(
        relationship_manager=world["managers"]["book"], delegate=delegate, starts_on=today, ends_on=today,
        reason="Annual leave", created_by=world["users"][Role.BRANCH_MANAGER.value],
    )
    delegate = _fresh(delegate)

    for action in (CustomerAction.VIEW, CustomerAction.VIEW_CLEAR, CustomerAction.CHANGE,
                   CustomerAction.LOG_INTERACTION):
        allowed = {name for name, customer in world["customers"].items()
                   if permissions.allows(delegate, action, customer)}
        assert allowed == {"book"}, action


def test_the_readme_shows_the_table():
    with translation.override("en"):
        table = policy_table.markdown()

    assert table in README.read_text(encoding="utf-8")


def test_every_action_has_a_rule_a_label_and_a_refusal():
    # Actions the apps above add with extend_policy (loyalty's) have a rule and a refusal too.
    extended = ((set(permissions.RULES) | set(permissions.SETTINGS_RULES))
                - set(CustomerAction) - set(permissions.SettingsAction))
    assert set(policy_table.ACTION_LABELS) == set(CustomerAction)
    assert set(permissions.REFUSALS) == set(CustomerAction) | set(permissions.SettingsAction) | extended
    assert set(permissions.RULES) - extended == (set(CustomerAction)
                                                 - {CustomerAction.VIEW, CustomerAction.VIEW_CLEAR})


@pytest.mark.parametrize("action", list(permissions.SettingsAction))
def test_configuration_is_answered_from_djangos_permissions(action, administrator, branch_manager):
    from django.contrib.auth.models import Permission

    codename = permissions.SETTINGS_RULES[action][0].split(".", 1)[1]
    assert permissions.allows(administrator, action)  # a superuser: configuration holds no customer data
    assert not permissions.allows(branch_manager, action)
    branch_manager.user_permissions.add(Permission.objects.get(codename=codename))
    branch_manager = type(branch_manager).objects.get(pk=branch_manager.pk)  # Django caches permissions
    assert permissions.allows(branch_manager, action)
    branch_manager.is_active = False
    assert not permissions.allows(branch_manager, action)
