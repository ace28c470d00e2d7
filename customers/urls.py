"""Browser URLs for customers, under /customers/."""

from django.urls import path

from customers import views

urlpatterns = [
    path("", views.customer_list, name="customer-list"),
    path("search/", views.customer_search, name="customer-search"),
    path("export.csv", views.customer_export, name="customer-export"),
    path("books/", views.customer_books, name="customer-books"),
    path("books/reassign/", views.customer_book_reassign, name="customer-book-reassign"),
    path("books/delegations/", views.customer_delegation_create, name="customer-delegation-create"),
    path("books/delegations/<int:delegation_id>/end/", views.customer_delegation_end,
         name="customer-delegation-end"),
    path("<int:pk>/", views.customer_detail, name="customer-detail"),
    path("<int:pk>/interactions/", views.customer_interactions, name="customer-interactions"),
    path("<int:pk>/interactions/log/", views.customer_interaction_log, name="customer-interaction-log"),
    path("<int:pk>/needs/record/", views.customer_need_record, name="customer-need-record"),
    path("<int:pk>/reveal/", views.customer_reveal, name="customer-reveal"),
    path("<int:pk>/edit/", views.customer_edit, name="customer-edit"),
    path("<int:pk>/reassign/", views.customer_reassign, name="customer-reassign"),
    path("<int:pk>/segment-override/", views.customer_segment_override, name="customer-segment-override"),
]
