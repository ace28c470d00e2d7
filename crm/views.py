"""Pages of the project package: home, health, the favicon."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from crm.health import service_health
from crm.roles import Role, has_role, primary_role, role_label
from crm.selectors import organisation_figures
from customers.selectors import home_figures


@require_GET
def home(request):
    """The signed-in user's start page: who they are and the figures that matter to them."""
    figures = organisation_figures(user=request.user)
    return render(
        request,
        "crm/home.html",
        {
            "figures": figures,
            "role_label": role_label(primary_role(request.user)),
            "book_figures": (
                home_figures(user=request.user)
                if has_role(request.user, Role.RELATIONSHIP_MANAGER) else None
            ),
        },
    )


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
