"""Browser URLs of loyalty, under /loyalty/ (app_name "loyalty", included by crm/urls.py): a
customer's points, rewards and panel, the adjustment queue; events, check-in and lessons; the
satisfaction dashboards. The public survey page is in loyalty.public_urls, under /s/."""

from __future__ import annotations

from django.urls import path

from loyalty.views import dashboards, events, panel, points, rewards

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
    path("events/", events.event_list, name="event-list"),
    path("events/new/", events.event_create, name="event-create"),
    path("events/<int:pk>/", events.event_detail, name="event-detail"),
    path("events/<int:pk>/check-in/", events.event_check_in, name="event-check-in"),
    path("events/<int:pk>/lessons/", events.lesson_add, name="lesson-add"),
    path("events/<int:pk>/register/", events.event_register, name="event-register"),
    path("events/<int:pk>/invite/", events.event_invite, name="event-invite"),
    path("registrations/<int:pk>/cancel/", events.registration_cancel, name="registration-cancel"),
    path("registrations/<int:pk>/lessons/", events.lesson_complete, name="lesson-complete"),
    path("satisfaction/", dashboards.satisfaction, name="satisfaction"),
    path("satisfaction/scorecard/", dashboards.scorecard, name="scorecard"),
]
