"""Compliance pages, mounted under /compliance/."""

from django.urls import path

from compliance import views
from compliance.privacy import views as privacy

urlpatterns = [
    path("audit/", views.audit_event_list, name="audit-event-list"),
    path(
        "audit/customers/<str:number>/access/",
        views.audit_customer_access,
        name="audit-customer-access",
    ),
    path("privacy/", privacy.privacy_request_list, name="privacy-request-list"),
    path("privacy/new/", privacy.privacy_request_create, name="privacy-request-create"),
    path("privacy/<str:reference>/", privacy.privacy_request_detail, name="privacy-request-detail"),
    path("privacy/<str:reference>/extend/", privacy.privacy_request_extend, name="privacy-request-extend"),
    path("privacy/<str:reference>/export/", privacy.privacy_request_export, name="privacy-request-export"),
    path("privacy/<str:reference>/exports/<int:export_id>/download/", privacy.privacy_export_download,
         name="privacy-export-download"),
    path("privacy/<str:reference>/complete/", privacy.privacy_request_complete,
         name="privacy-request-complete"),
    path("privacy/<str:reference>/refuse/", privacy.privacy_request_refuse, name="privacy-request-refuse"),
]
