"""Compliance endpoints under /api/v1/: registered on the project's router by `register()`."""

from __future__ import annotations

from rest_framework.routers import BaseRouter

from compliance.api.privacy import PrivacyRequestViewSet
from compliance.api.views import AuditEventViewSet


def register(router: BaseRouter) -> None:
    """Add /audit-events/, /audit-events/customer-access/ and /privacy-requests/ to `router`."""
    # "api-" keeps the route names apart from the pages' ("audit-event-list" is the page).
    router.register("audit-events", AuditEventViewSet, basename="api-audit-event")
    router.register("privacy-requests", PrivacyRequestViewSet, basename="api-privacy-request")
