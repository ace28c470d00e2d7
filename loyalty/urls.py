"""Browser URLs of loyalty's engagement pages, under /loyalty/ (app_name "loyalty"). The public
survey page is in loyalty.public_urls, under /s/."""

from django.urls import path

from loyalty.views import dashboards, events

app_name = "loyalty"

urlpatterns = [
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
