"""Views of the customers API: the customer viewset (customers) and what hangs off a
customer (nested); common holds what both use."""

from customers.api.views.customers import CustomerViewSet

__all__ = ["CustomerViewSet"]
