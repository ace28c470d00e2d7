"""Pages of the project package: home, health, the favicon."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from crm.health import service_health
from crm.roles import Role, has_role, primary_role, role_label
from crm.selectors import organisation_figures
from customers import permissions as customer_permissions
from customers.care import selectors as care
from customers.selectors import home_figures


@require_GET
def home(request):
    """The signed-in user's start page: who they are and the figures that matter to them."""
    figures = organisation_figures(user=request.user)
    return render(
        request,
        "crm/home.html",
        {
            **_worklist_context(request.user),
            "figures": figures,
            "role_label": role_label(primary_role(request.user)),
            "book_figures": (
                home_figures(user=request.user)
                if has_role(request.user, Role.RELATIONSHIP_MANAGER) else None
            ),
        },
    )


def _worklist_context(user) -> dict:
    """Today's, overdue and upcoming follow-ups with their reasons, today's appointments and
    the unread notifications, for whoever works follow-ups."""
    if not customer_permissions.allows(user, customer_permissions.CustomerAction.WORK_FOLLOW_UP):
        return {}
    worklist = care.worklist(user=user)
    start = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
    return {
        "worklist": worklist,
        "worklist_sections": [
            (_("Overdue"), worklist.overdue, "worklist-overdue"),
            (_("Today"), worklist.today, "worklist-today"),
            (_("Upcoming"), worklist.upcoming, "worklist-upcoming"),
        ],
        "todays_appointments": list(care.appointments_between(
            user=user, start=start, end=start + datetime.timedelta(days=1))),
        "unread_notifications": care.notifications_unread_count(user=user),
    }


@login_not_required
@never_cache
@require_GET
def health(request):
    """JSON state of the database, Redis and Celery workers; HTTP 503 when one is down."""
    report = service_health()
    return JsonResponse(report, status=200 if report["ok"] else 503)


@login_not_required
@require_GET
def favicon(request):
    """Browsers and Django admin ask for /favicon.ico: send them to the portal's icon, which
    the static files server delivers with its long-lived cache headers."""
    return HttpResponseRedirect(static("crm/img/favicon.svg"))
