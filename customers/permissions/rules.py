"""The one table of who may do what: the actions, the scopes a grant reaches, the rules, the
refusals, and `extend_policy` for the actions higher apps add."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from compliance import access
from customers.permissions.codenames import (
    ADD,
    APPROVE_CAMPAIGN,
    CHANGE,
    EXPORT,
    IMPORT,
    MANAGE_CAMPAIGN,
    REASSIGN,
    REVEAL,
    VIEW,
)


class CustomerAction(StrEnum):
    """What a user may do with customers; `compliance.access.allows` answers for each."""

    VIEW = access.VIEW  # see the record, sensitive fields masked unless VIEW_CLEAR
    VIEW_CLEAR = access.VIEW_CLEAR  # every sensitive field in clear (the book's RM, a delegate)
    ADD = "add"  # create a customer (the object: an unsaved customer with its home branch)
    CHANGE = "change"  # change details; only the fields the user sees in clear
    CHANGE_BRANCH = "change_branch"  # move the customer to another home branch
    CHANGE_REFERENCE = "change_reference"  # the core-banking reference
    REASSIGN = "reassign"  # give the customer another relationship manager
    OVERRIDE_SEGMENT = "override_segment"  # set the segment by hand, with a reason and expiry
    REVEAL = "reveal"  # see named fields in clear for a while, with a stated purpose
    EXPORT = "export"  # download the list as CSV (its rows: what the user sees)
    IMPORT = "import"  # upload and apply CSV imports
    MERGE = "merge"  # merge duplicates (and undo a merge)
    MANAGE_BOOKS = "manage_books"  # move whole books and delegate them (the object: an RM)
    CHANGE_HOLDINGS = "change_holdings"  # record the products a customer holds
    LOG_INTERACTION = "log_interaction"  # record a contact on the timeline
    LOG_FOR_SYSTEM = "log_for_system"  # log it in a system's name (a channel), naming no staff
    RECORD_NEED = "record_need"  # record a need
    WORK_FOLLOW_UP = "work_follow_up"  # complete or reschedule a follow-up, book an appointment
    MANAGE_CONSENT = "manage_consent"  # record or withdraw the customer's consent to be contacted
    PLACE_HOLD = "place_hold"  # place or lift a contact hold (a cool-off from outreach)
    APPLY_PRIVACY_REQUEST = "apply_privacy_request"  # carry out a data subject's request (compliance)
    WORK_OFFERS = "work_offers"  # refresh, accept or dismiss the customer's suggested offers
    REPORT_OFFERS = "report_offers"  # count the customer's suggestions in the acceptance report


class SettingsAction(StrEnum):
    """Changes to the customers app's configuration, which is about no customer: Django's
    permissions decide (`SETTINGS_RULES`), so administrators (superusers) may, and whoever an
    administrator grants the permission. The same `allows`/`check` answers them."""

    SEGMENT_RULES = "configure_segment_rules"  # versions of the segmentation rules
    ADD_EXCHANGE_RATE = "add_exchange_rate"  # a rate for a currency that has none
    CHANGE_EXCHANGE_RATE = "change_exchange_rate"
    CONTACT_PLANS = "configure_contact_plans"  # how often each segment is contacted
    TRIGGER_RULES = "configure_trigger_rules"  # the life events that create follow-ups
    CONTACT_CAPS = "configure_contact_caps"  # how often a customer may be contacted per purpose
    OFFER_CATALOGUE = "configure_offer_catalogue"  # the products that may be suggested
    OFFER_RULES = "configure_offer_rules"  # the rules that suggest them


SETTINGS_RULES: dict[str, tuple[str, ...]] = {
    SettingsAction.SEGMENT_RULES: ("customers.change_segmentruleset",),
    SettingsAction.ADD_EXCHANGE_RATE: ("customers.add_exchangerate",),
    SettingsAction.CHANGE_EXCHANGE_RATE: ("customers.change_exchangerate",),
    SettingsAction.CONTACT_PLANS: ("customers.change_contactplan",),
    SettingsAction.TRIGGER_RULES: ("customers.change_triggerrule",),
    SettingsAction.CONTACT_CAPS: ("customers.change_contactcap",),
    SettingsAction.OFFER_CATALOGUE: ("customers.change_product",),
    SettingsAction.OFFER_RULES: ("customers.change_offerrule",),
}


class CampaignAction(StrEnum):
    """What a user may do with campaigns. The object is a campaign (its branch decides; a
    bank-wide campaign is head office's), or None for "on some campaign"; targeting and
    recipients are restricted to the customers the action reaches (`restrict`)."""

    VIEW = "view_campaigns"  # see a campaign, its preview and its results
    MANAGE = "manage_campaigns"  # prepare, submit, schedule and cancel; whom it may target
    APPROVE = "approve_campaigns"  # approve a large campaign someone else prepared
    RECORD_RESPONSE = "record_campaign_response"  # record that a recipient responded or converted


class Scope(StrEnum):
    """Which records a capability reaches."""

    VISIBLE = "visible"  # every record the user sees
    BRANCH = "branch"  # records of the user's own branch; every record for head office
    HEAD_OFFICE = "head_office"  # only users who see every customer (head office, core banking)
    CLEAR = "clear"  # records the user sees entirely in clear (the book's RM, a delegate, core banking)


@dataclass(frozen=True)
class Grant:
    """Holding any of `capabilities` (model-level codenames) lets a user act within `scope`."""

    capabilities: tuple[str, ...]
    scope: Scope


# The one table of who may do what. An action is allowed when any of its grants holds.
# Model-level codenames come from the role groups (ROLE_PERMISSIONS below, granted by a
# migration) or from an administrator; "head office" means holding view_customer for every
# customer (compliance officers, core banking).
RULES: dict[str, tuple[Grant, ...]] = {
    CustomerAction.ADD: (Grant((ADD,), Scope.BRANCH),),
    CustomerAction.CHANGE: (Grant((CHANGE,), Scope.VISIBLE),),
    CustomerAction.CHANGE_BRANCH: (Grant((REASSIGN,), Scope.BRANCH), Grant((CHANGE,), Scope.HEAD_OFFICE)),
    CustomerAction.CHANGE_REFERENCE: (Grant((CHANGE,), Scope.HEAD_OFFICE),),
    CustomerAction.REASSIGN: (Grant((REASSIGN,), Scope.BRANCH),),
    CustomerAction.OVERRIDE_SEGMENT: (Grant((REASSIGN,), Scope.BRANCH),),
    CustomerAction.REVEAL: (Grant((REVEAL,), Scope.BRANCH),),
    CustomerAction.EXPORT: (Grant((EXPORT,), Scope.VISIBLE),),
    CustomerAction.IMPORT: (Grant((IMPORT,), Scope.BRANCH),),
    CustomerAction.MERGE: (Grant((REASSIGN,), Scope.BRANCH),),
    CustomerAction.MANAGE_BOOKS: (Grant((REASSIGN,), Scope.BRANCH),),
    CustomerAction.CHANGE_HOLDINGS: (Grant((CHANGE,), Scope.CLEAR),),
    CustomerAction.LOG_INTERACTION: (Grant((ADD, CHANGE), Scope.VISIBLE),),
    # A person's interaction always names them; only core banking and the channels' service
    # accounts (head office with change) speak for a system.
    CustomerAction.LOG_FOR_SYSTEM: (Grant((CHANGE,), Scope.HEAD_OFFICE),),
    CustomerAction.RECORD_NEED: (Grant((ADD, CHANGE), Scope.VISIBLE),),
    # The customer's RM or the delegate covering the book (who see it in clear), and the
    # branch manager for the branch's customers.
    CustomerAction.WORK_FOLLOW_UP: (Grant((CHANGE,), Scope.CLEAR), Grant((REASSIGN,), Scope.BRANCH)),
    CustomerAction.MANAGE_CONSENT: (Grant((ADD, CHANGE), Scope.VISIBLE),),
    CustomerAction.PLACE_HOLD: (Grant((ADD, CHANGE), Scope.VISIBLE),),
    # Head office only (compliance officers, who also must hold their role to handle requests).
    CustomerAction.APPLY_PRIVACY_REQUEST: (Grant((REVEAL,), Scope.HEAD_OFFICE),),
    # Campaigns are the branch manager's for their branch and head office's for the bank; an
    # RM runs none. Compliance (head office) reads them all.
    CampaignAction.VIEW: (Grant((MANAGE_CAMPAIGN, APPROVE_CAMPAIGN), Scope.BRANCH),
                          Grant((VIEW,), Scope.HEAD_OFFICE)),
    CampaignAction.MANAGE: (Grant((MANAGE_CAMPAIGN,), Scope.BRANCH),),
    CampaignAction.APPROVE: (Grant((APPROVE_CAMPAIGN,), Scope.BRANCH),),
    # The campaign's managers, and core banking or the app reporting what the customer did.
    CampaignAction.RECORD_RESPONSE: (Grant((MANAGE_CAMPAIGN,), Scope.BRANCH),
                                     Grant((CHANGE,), Scope.HEAD_OFFICE)),
    # Like follow-ups: the customer's RM or the delegate, and the branch manager.
    CustomerAction.WORK_OFFERS: (Grant((CHANGE,), Scope.CLEAR), Grant((REASSIGN,), Scope.BRANCH)),
    # The acceptance report: the branch manager for the branch, head office for everyone.
    CustomerAction.REPORT_OFFERS: (Grant((REASSIGN,), Scope.BRANCH), Grant((VIEW,), Scope.HEAD_OFFICE)),
}

REFUSALS = {
    CustomerAction.VIEW: _("You may not see this customer."),
    CustomerAction.VIEW_CLEAR: _("You may not see this customer's details in clear."),
    CustomerAction.ADD: _("You may add customers only to your own branch."),
    CustomerAction.CHANGE: _("You may not change this customer's details."),
    CustomerAction.CHANGE_BRANCH: _("Only the branch manager or head office may move a customer to "
                                    "another branch."),
    CustomerAction.CHANGE_REFERENCE: _("Only core banking may change a customer's reference."),
    CustomerAction.REASSIGN: _("You may reassign only your branch's customers."),
    CustomerAction.OVERRIDE_SEGMENT: _("You may set the segment of your branch's customers only."),
    CustomerAction.REVEAL: _("You may not reveal this customer's details."),
    CustomerAction.EXPORT: _("You may not export customers."),
    CustomerAction.IMPORT: _("You may not import customers or holdings."),
    CustomerAction.MERGE: _("You may merge only customers of your own branch."),
    CustomerAction.MANAGE_BOOKS: _("Only a branch manager may manage books."),
    CustomerAction.CHANGE_HOLDINGS: _("You may change holdings only of customers whose details you see "
                                      "in clear."),
    CustomerAction.LOG_INTERACTION: _("You may not log interactions for this customer."),
    CustomerAction.LOG_FOR_SYSTEM: _("Only a service account may log an interaction in a system's name; "
                                     "yours name you."),
    CustomerAction.RECORD_NEED: _("You may not record needs for this customer."),
    CustomerAction.WORK_FOLLOW_UP: _("You may not work this customer's follow-ups."),
    CustomerAction.MANAGE_CONSENT: _("You may not record consent for this customer."),
    CustomerAction.PLACE_HOLD: _("You may not place or lift contact holds for this customer."),
    CustomerAction.APPLY_PRIVACY_REQUEST: _("Only compliance carries out privacy requests."),
    CampaignAction.VIEW: _("You may not see campaigns."),
    CampaignAction.MANAGE: _("Only a branch manager (for the branch) or head office may run campaigns."),
    CampaignAction.APPROVE: _("You may not approve campaigns."),
    CampaignAction.RECORD_RESPONSE: _("You may not record responses to campaigns."),
    CustomerAction.WORK_OFFERS: _("You may not work this customer's offers."),
    CustomerAction.REPORT_OFFERS: _("Only branch managers and head office see the offer reports."),
    SettingsAction.SEGMENT_RULES: _("You may not change the segmentation rules."),
    SettingsAction.CONTACT_PLANS: _("You may not change the contact plans."),
    SettingsAction.TRIGGER_RULES: _("You may not change the trigger rules."),
    SettingsAction.ADD_EXCHANGE_RATE: _("You may not change the exchange rates."),
    SettingsAction.CHANGE_EXCHANGE_RATE: _("You may not change the exchange rates."),
    SettingsAction.CONTACT_CAPS: _("You may not change the contact caps."),
    SettingsAction.OFFER_CATALOGUE: _("You may not change the offer catalogue."),
    SettingsAction.OFFER_RULES: _("You may not change the offer rules."),
}


def extend_policy(*, rules: dict[str, tuple[Grant, ...]] | None = None,
                  settings_rules: dict[str, tuple[str, ...]] | None = None,
                  refusals: dict | None = None) -> None:
    """Add a higher app's actions on customers to the one policy table (call from its
    AppConfig.ready()): `rules` are actions on a customer decided by grants and scopes like
    CustomerAction's, `settings_rules` configuration actions decided by Django permissions like
    SettingsAction's, `refusals` the message for each. The same `allows`, `check` and
    `restrict` then answer for them. An action name is added once; a second app naming an
    existing action is a programming error."""
    for table, extra in ((RULES, rules or {}), (SETTINGS_RULES, settings_rules or {})):
        for action, value in extra.items():
            if action in RULES or action in SETTINGS_RULES:
                raise ImproperlyConfigured(f"The policy already has an action named {action!r}.")
            table[action] = value
    REFUSALS.update(refusals or {})
