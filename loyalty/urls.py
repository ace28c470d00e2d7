"""Browser URLs of loyalty, under /loyalty/ (included by crm/urls.py)."""

from __future__ import annotations

from django.urls import path

from loyalty.views import panel, points, rewards

app_name = "loyalty"

urlpatterns = [
    path("customers/<int:pk>/panel/", panel.customer_loyalty_panel, name="customer-panel"),
    path("customers/<int:pk>/points/", points.customer_points, name="customer-points"),
    path("customers/<int:pk>/points/adjust/", points.customer_points_adjust, name="customer-points-adjust"),
    path("customers/<int:pk>/rewards/", rewards.customer_rewards, name="customer-rewards"),
    path("customers/<int:pk>/rewards/redeem/", rewards.customer_redeem, name="customer-redeem"),
    path("customers/<int:pk>/redemptions/<int:redemption_pk>/", rewards.redemption_decide,
         name="redemption-decide"),
    path("adjustments/", points.adjustment_queue, name="adjustment-queue"),
    path("adjustments/<int:pk>/", points.adjustment_decide, name="adjustment-decide"),
]
