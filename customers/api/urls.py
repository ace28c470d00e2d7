"""Routes of the customers API under /api/v1/."""

from __future__ import annotations

from customers.api.views import CustomerViewSet


def register(router) -> None:
    """Register the customers endpoints on the project's API router."""
    # "api-" keeps the route names apart from the pages' ("customer-list" is the page).
    router.register("customers", CustomerViewSet, basename="api-customer")


urlpatterns: list = []
