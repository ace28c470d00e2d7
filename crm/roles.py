"""Staff roles. Each role is a Django group created by a migration; a user may hold several."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The portal's roles, in order of precedence for display."""

    ADMINISTRATOR = "administrator", _("Administrator")
    COMPLIANCE_OFFICER = "compliance_officer", _("Compliance officer")
    BRANCH_MANAGER = "branch_manager", _("Branch manager")
    RELATIONSHIP_MANAGER = "relationship_manager", _("Relationship manager")
    BRANCH_STAFF = "branch_staff", _("Branch staff")
    SERVICE_ACCOUNT = "service_account", _("Service account")


ROLE_PRECEDENCE = [role.value for role in Role]


def user_roles(user) -> set[str]:
    """The role names the user holds, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_crm_roles", None)
    if cached is None:
        known = set(ROLE_PRECEDENCE)
        cached = {name for name in user.groups.values_list("name", flat=True) if name in known}
        user._crm_roles = cached
    return cached


def remember_roles(user, names) -> None:
    """Keep `names` as `user`'s roles for the request, as `user_roles` would have read them
    (for a loader that reads them together with other facts in one query)."""
    known = set(ROLE_PRECEDENCE)
    user._crm_roles = {name for name in names if name in known}


def has_role(user, *roles: str) -> bool:
    """True if the user holds any of `roles`."""
    return bool(user_roles(user) & set(roles))


def primary_role(user) -> str | None:
    """The user's most senior role, for display; None if they hold none."""
    held = user_roles(user)
    return next((role for role in ROLE_PRECEDENCE if role in held), None)


def role_label(role: str | None) -> str:
    """The translated label of a role name."""
    if role is None:
        return str(_("No role"))
    return str(Role(role).label)
