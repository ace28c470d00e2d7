"""Browser URLs for customers, under /customers/."""

from django.urls import path

from customers.views import actions, books, create, detail, duplicates, export, list_views, listing, outreach

urlpatterns = [
    path("", listing.customer_list, name="customer-list"),
    path("search/", listing.customer_search, name="customer-search"),
    path("new/", create.customer_create, name="customer-create"),
    path("views/", list_views.list_view_manage, name="customer-list-views"),
    path("views/new/", list_views.list_view_save, name="customer-list-view-save"),
    path("views/<int:pk>/", list_views.list_view_apply, name="customer-list-view-apply"),
    path("views/<int:pk>/rename/", list_views.list_view_rename, name="customer-list-view-rename"),
    path("views/<int:pk>/filters/", list_views.list_view_update_filters, name="customer-list-view-filters"),
    path("views/<int:pk>/delete/", list_views.list_view_delete, name="customer-list-view-delete"),
    path("duplicates/", duplicates.customer_duplicates_overview, name="customer-duplicates-overview"),
    path("export.csv", export.customer_export, name="customer-export"),
    path("books/", books.customer_books, name="customer-books"),
    path("books/reassign/", books.customer_book_reassign, name="customer-book-reassign"),
    path("books/delegations/", books.customer_delegation_create, name="customer-delegation-create"),
    path("books/delegations/<int:delegation_id>/end/", books.customer_delegation_end,
         name="customer-delegation-end"),
    path("<int:pk>/", detail.customer_detail, name="customer-detail"),
    path("<int:pk>/duplicates/notice/", duplicates.customer_duplicates_notice,
         name="customer-duplicates-notice"),
    path("<int:pk>/interactions/", detail.customer_interactions, name="customer-interactions"),
    path("<int:pk>/interactions/log/", actions.customer_interaction_log, name="customer-interaction-log"),
    path("<int:pk>/needs/record/", actions.customer_need_record, name="customer-need-record"),
    path("<int:pk>/reveal/", actions.customer_reveal, name="customer-reveal"),
    path("<int:pk>/edit/", actions.customer_edit, name="customer-edit"),
    path("<int:pk>/reassign/", actions.customer_reassign, name="customer-reassign"),
    path("<int:pk>/segment-override/", actions.customer_segment_override, name="customer-segment-override"),
    path("<int:pk>/consents/", outreach.customer_consent_record, name="customer-consent-record"),
    path("<int:pk>/holds/", outreach.customer_hold_place, name="customer-hold-place"),
    path("<int:pk>/holds/lift/", outreach.customer_hold_lift, name="customer-hold-lift"),
]
