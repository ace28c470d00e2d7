"""Views of the customers API: the customer viewset (customers) and what hangs off a
customer (nested); import jobs (imports); the caller's saved list views (list_views); common
holds what they share."""

from customers.api.views.customers import CustomerViewSet
from customers.api.views.imports import ImportJobViewSet
from customers.api.views.list_views import ListViewViewSet

__all__ = ["CustomerViewSet", "ImportJobViewSet", "ListViewViewSet"]
