"""The customer's 360° page composed in one read: profile, holdings, needs, timeline, history,
relationships, household totals, the segment's explanation and what the viewer may do.

It sits above segmentation (whose explanations it shows) and below the views that render it:

    customer_360  the page in one read, its timeline pages and needs list
    display       the rows those pages show (masked through compliance.access.RecordView)
    panels        the panels higher apps add to the page (registered from their AppConfig.ready())
"""

from customers.overview.customer_360 import Customer360, customer_360, customer_needs, customer_timeline
from customers.overview.panels import CustomerPanel, register_customer_panel

__all__ = ["Customer360", "CustomerPanel", "customer_360", "customer_needs", "customer_timeline",
           "register_customer_panel"]
