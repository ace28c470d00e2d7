"""Who may use the compliance pages and API: compliance officers, and nobody else.

Pages answer 404 to everyone else, so the audit trail gives no hint that it exists; the API
answers 403 in the standard error format (401 when not signed in), as API clients need to
tell a missing grant from a wrong address.
"""

from __future__ import annotations

from functools import wraps

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from crm.roles import Role, has_role


def is_compliance_officer(user) -> bool:
    """True if `user` is signed in, active and holds the compliance officer role."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and has_role(user, Role.COMPLIANCE_OFFICER.value)
    )


def compliance_officer_required(view):
    """Decorate a page view: raise Http404 unless the user is a compliance officer.

    Anonymous users never reach it: LoginRequiredMiddleware sends them to sign in first.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_compliance_officer(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


class IsComplianceOfficer(BasePermission):
    """API permission: compliance officers only (403 for other signed-in users)."""

    message = _("Only compliance officers may read the audit trail.")

    def has_permission(self, request, view) -> bool:
        return is_compliance_officer(request.user)
