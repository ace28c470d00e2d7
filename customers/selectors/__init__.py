"""Reads of customer data, each restricted to what the actor may see.

    customers     the visible list, one customer, search, the RM's book in figures
    actor         the acting user's roles, permissions, branch and delegations, in one query

Callers use the names below (`from customers import selectors; selectors.X`).
"""

from customers.selectors.actor import actor_load, actor_sees
from customers.selectors.customers import (
    CUSTOMER_NUMBER,
    EMAIL,
    FUZZY_THRESHOLD,
    ID_NUMBER,
    NOT_CONTACTED_DAYS,
    PHONE,
    SEARCH_TERMS,
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
    "SEARCH_TERMS",
    "actor_load",
    "actor_sees",
    "customer_get",
    "customer_list",
    "customer_match",
    "customer_queryset",
    "customer_search",
    "home_figures",
    "is_identifier",
]
