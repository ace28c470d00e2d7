"""Writes to customer data. Every state change goes through a function here.

Each service runs in one transaction, takes the acting user first, asks
`customers.permissions` before it changes anything, validates with `full_clean()`, records
the customer's history where staff should see it, and appends an audit event naming the
fields it touched (never their values).

    common        field lists, customer numbers, history, the search name
    customers     create, update, upsert by core-banking reference (one and many)
    book          reassignment, book delegation, reveal
    holdings      holding upsert and the assets-under-management refresh
    interactions  interaction logging (idempotent by reference) and needs
    list_views    a user's saved list views: create, rename, update filters, delete
"""

from customers.services.book import (
    REVEAL_MINUTES_DEFAULT,
    REVEAL_MINUTES_MAX,
    ReassignResult,
    book_reassign,
    customer_reassign,
    customer_reveal,
    customers_reassign,
    delegation_create,
    delegation_end,
)
from customers.services.common import (
    CORPORATE_FIELDS,
    CUSTOMER_FIELDS,
    INDIVIDUAL_FIELDS,
    OBJECT_TYPE,
    next_customer_numbers,
    refresh_search_name,
)
from customers.services.customers import (
    DuplicatesConfirmed,
    customer_create,
    customer_update,
    customer_upsert_by_reference,
)
from customers.services.holdings import AUM_BATCH_SIZE, customers_refresh_aum, holding_upsert
from customers.services.interactions import (
    interaction_log,
    interaction_log_by_reference,
    interaction_log_for_system,
    need_record,
)
from customers.services.list_views import (
    list_view_create,
    list_view_delete,
    list_view_rename,
    list_view_update,
    list_view_update_filters,
)

__all__ = [
    "AUM_BATCH_SIZE",
    "CORPORATE_FIELDS",
    "CUSTOMER_FIELDS",
    "INDIVIDUAL_FIELDS",
    "OBJECT_TYPE",
    "REVEAL_MINUTES_DEFAULT",
    "REVEAL_MINUTES_MAX",
    "DuplicatesConfirmed",
    "ReassignResult",
    "book_reassign",
    "customer_create",
    "customer_reassign",
    "customer_reveal",
    "customer_update",
    "customer_upsert_by_reference",
    "customers_reassign",
    "customers_refresh_aum",
    "delegation_create",
    "delegation_end",
    "holding_upsert",
    "interaction_log",
    "interaction_log_by_reference",
    "interaction_log_for_system",
    "list_view_create",
    "list_view_delete",
    "list_view_rename",
    "list_view_update",
    "list_view_update_filters",
    "need_record",
    "next_customer_numbers",
    "refresh_search_name",
]
