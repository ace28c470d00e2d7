"""Views of the customers API: the customer viewset (customers) and what hangs off a
customer (nested); import jobs (imports); common holds what both use."""

from customers.api.views.customers import CustomerViewSet
from customers.api.views.imports import ImportJobViewSet

__all__ = ["CustomerViewSet", "ImportJobViewSet"]
