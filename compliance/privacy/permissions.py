"""Who handles privacy requests: compliance officers log, extend, answer and export them; a
digital channel's service account holding `compliance.submit_privacyrequest` may log one."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from compliance.permissions import is_compliance_officer

SUBMIT = "compliance.submit_privacyrequest"


def may_handle(user) -> bool:
    return is_compliance_officer(user)


def may_submit(user) -> bool:
    return may_handle(user) or bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.has_perm(SUBMIT)
    )


def check_handle(user) -> None:
    if not may_handle(user):
        raise PermissionDenied(_("Only a compliance officer handles privacy requests."))


def check_submit(user) -> None:
    if not may_submit(user):
        raise PermissionDenied(_("You may not log privacy requests."))
