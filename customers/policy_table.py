"""The role x action table of the customer policy, derived from `permissions.RULES` and the
roles' default permissions, so the README and the access tests read the same table as the
code that decides.

A cell says which customers a holder of the role (with a branch, for the branch roles and
relationship managers) may perform the action on: every customer, their own branch's, their
own book, or none.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm.roles import Role
from customers.permissions import (
    BRANCH_ROLES,
    ROLE_PERMISSIONS,
    RULES,
    VIEW,
    VIEW_PII,
    CustomerAction,
    Scope,
)

EVERY = "every customer"
BRANCH = "own branch"
BOOK = "own book"
NONE = "-"

# The roles in the table, in the order the README shows them.
ROLES = (
    Role.RELATIONSHIP_MANAGER.value,
    Role.BRANCH_STAFF.value,
    Role.BRANCH_MANAGER.value,
    Role.COMPLIANCE_OFFICER.value,
    Role.SERVICE_ACCOUNT.value,
    Role.ADMINISTRATOR.value,
)

ACTION_LABELS = {
    CustomerAction.VIEW: _("see (masked)"),
    CustomerAction.VIEW_CLEAR: _("see everything in clear"),
    CustomerAction.ADD: _("add a customer"),
    CustomerAction.CHANGE: _("change details (fields seen in clear)"),
    CustomerAction.CHANGE_BRANCH: _("move to another branch"),
    CustomerAction.CHANGE_REFERENCE: _("change the core-banking reference"),
    CustomerAction.REASSIGN: _("reassign to another RM"),
    CustomerAction.OVERRIDE_SEGMENT: _("override the segment"),
    CustomerAction.REVEAL: _("reveal fields for a purpose"),
    CustomerAction.EXPORT: _("export to CSV"),
    CustomerAction.IMPORT: _("import CSV"),
    CustomerAction.MERGE: _("merge duplicates"),
    CustomerAction.MANAGE_BOOKS: _("move books, delegate"),
    CustomerAction.CHANGE_HOLDINGS: _("record holdings"),
    CustomerAction.LOG_INTERACTION: _("log an interaction"),
    CustomerAction.LOG_FOR_SYSTEM: _("log an interaction in a system's name"),
    CustomerAction.RECORD_NEED: _("record a need"),
    CustomerAction.WORK_FOLLOW_UP: _("work follow-ups, book appointments"),
    CustomerAction.MANAGE_CONSENT: _("record or withdraw consent"),
    CustomerAction.PLACE_HOLD: _("place or lift a contact hold"),
    CustomerAction.APPLY_PRIVACY_REQUEST: _("carry out a privacy request"),
    CustomerAction.WORK_OFFERS: _("work suggested offers"),
    CustomerAction.REPORT_OFFERS: _("count in the offer acceptance report"),
}


def _view_cell(held: frozenset[str], role: str) -> str:
    if VIEW in held:
        return EVERY
    if role in BRANCH_ROLES:
        return BRANCH
    return BOOK if role == Role.RELATIONSHIP_MANAGER.value else NONE


def _clear_cell(held: frozenset[str], role: str) -> str:
    if VIEW_PII in held:
        return EVERY
    return BOOK if role == Role.RELATIONSHIP_MANAGER.value else NONE


def _wider(first: str, second: str) -> str:
    order = [NONE, BOOK, BRANCH, EVERY]
    return max(first, second, key=order.index)


def cell(role: str, action: str) -> str:
    """Which customers a holder of `role` may perform `action` on (EVERY, BRANCH, BOOK, NONE)."""
    held = frozenset(ROLE_PERMISSIONS.get(role, ()))
    if action == CustomerAction.VIEW:
        return _view_cell(held, role)
    if action == CustomerAction.VIEW_CLEAR:
        return _clear_cell(held, role)
    result = NONE
    for grant in RULES.get(action, ()):
        if not held.intersection(grant.capabilities):
            continue
        if grant.scope is Scope.HEAD_OFFICE:
            reach = EVERY if VIEW in held else NONE
        elif grant.scope is Scope.BRANCH:
            reach = EVERY if VIEW in held else BRANCH
        elif grant.scope is Scope.CLEAR:
            reach = _clear_cell(held, role)
        else:
            reach = _view_cell(held, role)
        result = _wider(result, reach)
    return result


def markdown() -> str:
    """The table as Markdown, as the README shows it."""
    header = "| action | " + " | ".join(f"`{role}`" for role in ROLES) + " |"
    rule = "| --- |" + " --- |" * len(ROLES)
    rows = [
        f"| {ACTION_LABELS[action]} | " + " | ".join(cell(role, action) for role in ROLES) + " |"
        for action in CustomerAction
    ]
    return "\n".join([header, rule, *rows])
