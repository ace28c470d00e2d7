"""Reads of customer data, each restricted to what the actor may see.

    customers     the visible list, one customer, search, the RM's book in figures
    customer_360  the 360° page composed in one read, its timeline pages and needs list
    actor         the acting user's roles, permissions, branch and delegations, in one query
    display       the rows those pages show (masked through compliance.access.RecordView)

Callers use the names below (`from customers import selectors; selectors.X`).
"""

from customers.selectors.actor import actor_load, actor_sees
from customers.selectors.customer_360 import Customer360, customer_360, customer_needs, customer_timeline
from customers.selectors.customers import (
    CUSTOMER_NUMBER,
    EMAIL,
    FUZZY_THRESHOLD,
    ID_NUMBER,
    NOT_CONTACTED_DAYS,
    PHONE,
    customer_get,
    customer_list,
    customer_match,
    customer_queryset,
    customer_search,
    home_figures,
    is_identifier,
)

__all__ = [
    "CUSTOMER_NUMBER",
    "EMAIL",
    "FUZZY_THRESHOLD",
    "ID_NUMBER",
    "NOT_CONTACTED_DAYS",
    "PHONE",
    "Customer360",
    "actor_load",
    "actor_sees",
    "customer_360",
    "customer_get",
    "customer_list",
    "customer_match",
    "customer_needs",
    "customer_queryset",
    "customer_search",
    "customer_timeline",
    "home_figures",
    "is_identifier",
]
