"""Sign-in lock-out: per account and, with a higher limit of its own, per client address.

django-axes counts failed sign-ins by each of AXES_LOCKOUT_PARAMETERS (username, then
ip_address, resolved by crm.client_address) but compares every count with one limit. Here
the username count is held to AXES_FAILURE_LIMIT and the address count to
LOCKOUT_ADDRESS_FAILURE_LIMIT: a whole branch often signs in from one NAT address, so that
limit is set well above one person's, yet one address spraying a password across many
accounts is stopped. A successful sign-in clears only its own account's failures, so a
sprayer holding one valid account cannot reset the address count with it.

The lock-out answer is the API's JSON error under /api/ and the portal's page elsewhere.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from crm.api.errors import error_body

ADDRESS = "ip_address"
USERNAME = "username"
LOCKED_CODE = "account_locked"
API_LOCKED_STATUS = 403


def locked_message() -> str:
    # Says neither whether the account exists nor which limit was reached.
    return _("Too many failed sign-ins. Try again later.")


def address_failure_limit() -> int:
    return int(getattr(settings, "LOCKOUT_ADDRESS_FAILURE_LIMIT", 50))


class PortalLockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a limit per lock-out parameter (see the module docstring)."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """Failures on the AXES_FAILURE_LIMIT scale: at least that limit once any parameter
        has reached its own limit, else the highest count of a parameter other than the address."""
        account_limit = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        attempts_list = self.get_user_attempts(request, credentials)
        highest, locked = 0, False
        for parameter, attempts in zip(parameters, attempts_list, strict=True):
            count = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if parameter == ADDRESS:
                locked = locked or count >= address_failure_limit()
            else:
                locked = locked or count >= account_limit
                highest = max(highest, count)
        return max(highest, account_limit) if locked else highest

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _by_model = AccessAttempt.objects.filter(username=username).delete()
        return count


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out sign-in answers (AXES_LOCKOUT_CALLABLE)."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body(status_code=API_LOCKED_STATUS, code=LOCKED_CODE, message=locked_message()),
            status=API_LOCKED_STATUS,
        )
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60) if settings.AXES_COOLOFF_TIME else None
    return render(
        request, settings.AXES_LOCKOUT_TEMPLATE, {"cooloff_minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


__all__ = ["PortalLockoutHandler", "address_failure_limit", "locked_message", "lockout_response"]
