"""Admin for customer data and the customers app's reference data.

Administrators manage reference data (segmentation rules, exchange rates), not customers:
every page about customers is restricted by compliance.access.restrict, so a superuser sees
no customer without a grant, exactly as on every other surface. Sensitive values appear only
through RecordView (built for a whole page at once), masked unless the policy lets the user
see them in clear; no encrypted field is ever rendered from the model directly, and no form
edits one. Customer data is read-only here: changes go through the services, which admin
actions call after asking the policy.

base        the shared pieces: restriction by customer, RecordViews per page, the masked marker
customers   customers: search, sensitive details, status actions
records     rows that belong to customers: holdings, needs, interactions, overrides, history...
books       book delegations
intake      import jobs (without their content)
list_views  users' saved list views, read-only
segments    versions of the segmentation rules and their rules
reference   exchange rates
care        contact plans, trigger rules, follow-ups
outreach    consent, contact holds and the contact log (read-only), contact caps (through services)
campaigns   campaigns (cancelled through the service), recipients and recorded messages (read-only)
offers      the offer catalogue and rules (through services), suggestions (read-only)

Saves of reference data go through services (customers.segmentation.services,
customers.reference_data), which audit them; those pages write no admin log entry, so each
change is audited once.
"""

from customers.admin import (
    books,
    campaigns,
    care,
    customers,
    intake,
    list_views,
    offers,
    outreach,
    records,
    reference,
    segments,
)
from customers.admin.customers import CustomerAdmin
from customers.admin.segments import SegmentRuleSetAdmin

__all__ = ["CustomerAdmin", "SegmentRuleSetAdmin", "books", "campaigns", "care", "customers", "intake",
           "list_views", "offers", "outreach", "records", "reference", "segments"]
