"""Routes of the engagement API, under /api/v1/loyalty/ (included by crm.api.urls)."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from loyalty.api.views import EventViewSet, RegistrationViewSet, SurveyResponseViewSet

router = SimpleRouter()
router.include_format_suffixes = False
# "api-" keeps the route names apart from the pages'.
router.register("events", EventViewSet, basename="api-event")
router.register("registrations", RegistrationViewSet, basename="api-registration")
router.register("survey-responses", SurveyResponseViewSet, basename="api-survey-response")

urlpatterns = [path("", include(router.urls))]
