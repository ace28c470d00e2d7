"""Browser URLs of campaigns, under /campaigns/."""

from django.urls import path

from customers.views import campaigns

urlpatterns = [
    path("", campaigns.campaign_list, name="campaign-list"),
    path("new/", campaigns.campaign_create, name="campaign-create"),
    path("<int:pk>/", campaigns.campaign_detail, name="campaign-detail"),
    path("<int:pk>/edit/", campaigns.campaign_edit, name="campaign-edit"),
    path("<int:pk>/submit/", campaigns.campaign_submit, name="campaign-submit"),
    path("<int:pk>/approve/", campaigns.campaign_approve, name="campaign-approve"),
    path("<int:pk>/schedule/", campaigns.campaign_schedule, name="campaign-schedule"),
    path("<int:pk>/cancel/", campaigns.campaign_cancel, name="campaign-cancel"),
    path("<int:pk>/results/", campaigns.campaign_results, name="campaign-results"),
    path("<int:pk>/responses/", campaigns.campaign_response, name="campaign-response"),
]
