"""Reads of customer data, each restricted to what the actor may see.

    customers     the visible list, one customer, search, the RM's book in figures
    actor         the acting user's roles, permissions, branch and delegations, in one query
    list_views    the user's own saved list views

Callers use the names below (`from customers import selectors; selectors.X`).
"""

from customers.selectors.actor import actor_load, actor_sees
from customers.selectors.customers import (
    CUSTOMER_NUMBER,
    EMAIL,
    FUZZY_THRESHOLD,
    ID_NUMBER,
    NAME_PREFIX_ORDERING,
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
    is_name_prefix_match,
)
from customers.selectors.list_views import forget_list_views, is_exact_search, list_view_get, list_view_list

__all__ = [
    "CUSTOMER_NUMBER",
    "EMAIL",
    "FUZZY_THRESHOLD",
    "ID_NUMBER",
    "NAME_PREFIX_ORDERING",
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
    "forget_list_views",
    "home_figures",
    "is_exact_search",
    "is_identifier",
    "is_name_prefix_match",
    "list_view_get",
    "list_view_list",
]
