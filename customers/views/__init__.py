"""Browser pages for customers, on top of the selectors and services they call.

    listing   the list, its filters and the quick search
    export    the list as CSV
    detail    the 360° page and its htmx fragments
    actions   what the 360° page's forms post: interactions, needs, reveal, reassignment,
              segment override, editing
    books     the branch manager's books and delegations
    list_views  the user's saved list views: save, apply, rename, refill, delete
    common    what every page shares (staff only, one way to fetch a customer)

Views parse input, call a selector or a service, and render. Every customer is fetched
through `customers.selectors` (restricted to what the user may see, 404 otherwise), every
decision about what the user may do is `customers.permissions.allows`, and every sensitive
value is read through `compliance.access.RecordView`.
"""

from customers.views.actions import (
    customer_edit,
    customer_interaction_log,
    customer_need_record,
    customer_reassign,
    customer_reveal,
    customer_segment_override,
)
from customers.views.books import (
    customer_book_reassign,
    customer_books,
    customer_delegation_create,
    customer_delegation_end,
)
from customers.views.detail import customer_detail, customer_interactions
from customers.views.export import customer_export
from customers.views.listing import customer_list, customer_search

__all__ = [
    "customer_book_reassign",
    "customer_books",
    "customer_delegation_create",
    "customer_delegation_end",
    "customer_detail",
    "customer_edit",
    "customer_export",
    "customer_interaction_log",
    "customer_interactions",
    "customer_list",
    "customer_need_record",
    "customer_reassign",
    "customer_reveal",
    "customer_search",
    "customer_segment_override",
]
