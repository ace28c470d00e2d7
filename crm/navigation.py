"""The main navigation: each entry says which roles see it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from crm.roles import Role, user_roles


@dataclass(frozen=True)
class NavEntry:
    label: Promise
    url_name: str
    roles: frozenset[str] | None = None  # None: every signed-in member of staff
    staff_only: bool = False  # Django admin: users with is_staff

    def visible_to(self, user) -> bool:
        if self.staff_only:
            return bool(user.is_staff)
        return self.roles is None or bool(user_roles(user) & self.roles)


STAFF_ROLES = frozenset(role.value for role in Role if role != Role.SERVICE_ACCOUNT)

NAVIGATION: list[NavEntry] = [
    NavEntry(_("Home"), "home", STAFF_ROLES),
    NavEntry(_("Customers"), "customer-list", frozenset({
        Role.RELATIONSHIP_MANAGER.value, Role.BRANCH_STAFF.value, Role.BRANCH_MANAGER.value,
        Role.COMPLIANCE_OFFICER.value,
    })),
    NavEntry(_("Events"), "loyalty:event-list", frozenset({
        Role.RELATIONSHIP_MANAGER.value, Role.BRANCH_STAFF.value, Role.BRANCH_MANAGER.value,
    })),
    NavEntry(_("Satisfaction"), "loyalty:satisfaction", frozenset({
        Role.BRANCH_MANAGER.value, Role.COMPLIANCE_OFFICER.value,
    })),
    NavEntry(_("Imports"), "importjob-list", frozenset({Role.BRANCH_MANAGER.value})),
    NavEntry(_("Duplicates"), "customer-duplicates-overview", frozenset({Role.BRANCH_MANAGER.value})),
    NavEntry(_("Merges"), "merge-list", frozenset({Role.BRANCH_MANAGER.value})),
    NavEntry(_("Campaigns"), "campaign-list",
             frozenset({Role.BRANCH_MANAGER.value, Role.COMPLIANCE_OFFICER.value})),
    NavEntry(_("Offers"), "offer-report",
             frozenset({Role.BRANCH_MANAGER.value, Role.COMPLIANCE_OFFICER.value})),
    NavEntry(_("API"), "api-docs", STAFF_ROLES),
    NavEntry(_("Audit"), "audit-event-list", frozenset({Role.COMPLIANCE_OFFICER.value})),
    NavEntry(_("Privacy requests"), "privacy-request-list", frozenset({Role.COMPLIANCE_OFFICER.value})),
    NavEntry(_("Administration"), "admin:index", staff_only=True),
]


def navigation_for(user, current_path: str) -> list[dict]:
    """The entries `user` may use, with their URL and whether they are the current page."""
    entries = []
    for entry in NAVIGATION:
        if not entry.visible_to(user):
            continue
        url = reverse(entry.url_name)
        active = current_path == url if url == "/" else current_path.startswith(url)
        entries.append({"label": entry.label, "url": url, "active": active})
    # One entry is current: the most specific (Duplicates, not Customers, on /customers/duplicates/).
    current = max((item for item in entries if item["active"]), key=lambda item: len(item["url"]),
                  default=None)
    for item in entries:
        item["active"] = item is current
    return entries
