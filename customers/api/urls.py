"""Routes of the customers API under /api/v1/."""

from __future__ import annotations

from customers.api.views import CustomerViewSet, ImportJobViewSet, ListViewViewSet
from customers.api.views.campaigns import CampaignViewSet
from customers.api.views.care import AppointmentViewSet, FollowUpViewSet
from customers.api.views.offers import OfferAcceptanceViewSet


def register(router) -> None:
    """Register the customers endpoints on the project's API router."""
    # "api-" keeps the route names apart from the pages' ("customer-list" is the page).
    router.register("customers", CustomerViewSet, basename="api-customer")
    router.register("imports", ImportJobViewSet, basename="api-import")
    router.register("list-views", ListViewViewSet, basename="api-list-view")
    router.register("follow-ups", FollowUpViewSet, basename="api-follow-up")
    router.register("appointments", AppointmentViewSet, basename="api-appointment")
    router.register("campaigns", CampaignViewSet, basename="api-campaign")
    router.register("offer-acceptance-rates", OfferAcceptanceViewSet, basename="api-offer-acceptance")


urlpatterns: list = []
