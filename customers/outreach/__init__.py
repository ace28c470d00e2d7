"""Consent, the one contact-pressure policy every outreach goes through, and suitable offers.

It sits above the writes on the party core (`services`) and below the pages and the API:

    pressure   contact_request: the policy's check and its record, in one transaction
    quiet      quiet hours in the customer's time zone
    refusals   a refusal in words, in the reader's language
    consent    consent grants and withdrawals (current state plus an append-only history)
    holds      contact holds placed and lifted by people and other apps
    caps       contact caps (configuration)
    selectors  consent, holds and the contact log of one customer; the 360° page's panel
    offers     suitable offers: the catalogue, rules, suitability and suggestions (a package,
               imported as `from customers.outreach import offers`)

Callers use the names below (`from customers import outreach; outreach.contact_request(...)`).
"""

from customers.outreach.caps import contact_cap_save
from customers.outreach.consent import (
    consent_grant,
    consent_record,
    consent_withdraw,
    marketing_objection_record,
)
from customers.outreach.holds import contact_hold_lift, contact_hold_lift_by_reference, contact_hold_place
from customers.outreach.pressure import (
    OPT_IN_PURPOSES,
    OUTREACH_PURPOSES,
    ContactDecision,
    ContactSender,
    contact_request,
)
from customers.outreach.quiet import QuietHours, parse_quiet_hours, quiet_hours_check
from customers.outreach.refusals import refusal_message
from customers.outreach.selectors import (
    consent_history,
    consent_list,
    contact_hold_list,
    contact_log_list,
    contact_panel,
)

__all__ = [
    "OPT_IN_PURPOSES",
    "OUTREACH_PURPOSES",
    "ContactDecision",
    "ContactSender",
    "QuietHours",
    "consent_grant",
    "consent_history",
    "consent_list",
    "consent_record",
    "consent_withdraw",
    "contact_cap_save",
    "contact_hold_lift",
    "contact_hold_lift_by_reference",
    "contact_hold_list",
    "contact_hold_place",
    "contact_log_list",
    "contact_panel",
    "contact_request",
    "marketing_objection_record",
    "parse_quiet_hours",
    "quiet_hours_check",
    "refusal_message",
]
