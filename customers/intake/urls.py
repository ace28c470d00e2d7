"""Browser URLs for imports, duplicate candidates and merges (included under customers/)."""

from django.urls import path

from customers.intake import views as import_views

urlpatterns = [
    path("imports/", import_views.import_job_list_view, name="importjob-list"),
    path("imports/new/", import_views.import_job_create_view, name="importjob-create"),
    path("imports/<int:pk>/", import_views.import_job_detail_view, name="importjob-detail"),
    path("imports/<int:pk>/progress/", import_views.import_job_progress_view, name="importjob-progress"),
    path("imports/<int:pk>/apply/", import_views.import_job_apply_view, name="importjob-apply"),
    path("<int:pk>/duplicates/", import_views.customer_duplicates_view, name="customer-duplicates"),
    path("<int:pk>/merge/<int:other_pk>/", import_views.customer_merge_view, name="customer-merge"),
    path("merges/", import_views.merge_list_view, name="merge-list"),
    path("merges/<int:pk>/reverse/", import_views.merge_reverse_view, name="merge-reverse"),
]
