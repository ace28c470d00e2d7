"""The public survey page under /s/ (no login): /s/<signed token>/."""

from django.urls import path

from loyalty.views import public

app_name = "loyalty_public"

urlpatterns = [
    path("<str:token>/", public.survey_answer, name="survey-answer"),
]
