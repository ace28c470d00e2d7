"""Routes of the loyalty API, included under /api/v1/loyalty/ by crm/api/urls.py: points,
rewards and redemptions of a customer, activities reported by other systems; events,
registrations and survey responses."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from loyalty.api import views
from loyalty.api.engagement_views import EventViewSet, RegistrationViewSet, SurveyResponseViewSet

router = SimpleRouter()
router.include_format_suffixes = False
# "api-" keeps the route names apart from the pages'.
router.register("events", EventViewSet, basename="api-event")
router.register("registrations", RegistrationViewSet, basename="api-registration")
router.register("survey-responses", SurveyResponseViewSet, basename="api-survey-response")

urlpatterns = [
    path("customers/<int:pk>/points/", views.PointsView.as_view(), name="api-loyalty-points"),
    path("customers/<int:pk>/points/history/", views.PointsHistoryView.as_view(),
         name="api-loyalty-points-history"),
    path("customers/<int:pk>/rewards/", views.RewardsView.as_view(), name="api-loyalty-rewards"),
    path("customers/<int:pk>/redemptions/", views.RedemptionsView.as_view(), name="api-loyalty-redemptions"),
    path("customers/<int:pk>/redemptions/<int:redemption_id>/fulfil/",
         views.RedemptionDecisionView.as_view(decision="fulfil"), name="api-loyalty-redemption-fulfil"),
    path("customers/<int:pk>/redemptions/<int:redemption_id>/cancel/",
         views.RedemptionDecisionView.as_view(decision="cancel"), name="api-loyalty-redemption-cancel"),
    path("activities/", views.ActivityView.as_view(), name="api-loyalty-activities"),
    path("", include(router.urls)),
]
