"""Compliance pages, mounted under /compliance/."""

from django.urls import path

from compliance import views

urlpatterns = [
    path("audit/", views.audit_event_list, name="audit-event-list"),
    path(
        "audit/customers/<str:number>/access/",
        views.audit_customer_access,
        name="audit-customer-access",
    ),
]
