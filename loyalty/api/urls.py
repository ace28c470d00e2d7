"""Routes of the loyalty API, included under /api/v1/loyalty/ by crm/api/urls.py."""

from __future__ import annotations

from django.urls import path

from loyalty.api import views

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
]
