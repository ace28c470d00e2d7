"""The engagement actions (events and surveys) in the one policy.

Added to customers' policy table with `customers.permissions.extend_policy` from
LoyaltyConfig.ready(), so the same `allows`, `check` and `restrict` answer them:

* on a customer: register them for an event or invite them (whoever may log interactions
  for the customer); see their events and survey answers on the 360° page (VIEW);
* on a branch (the object is a Branch, or None for "some branch"): manage the branch's
  events and check customers in at the door (RMs and managers of the branch, head office
  with change rights); see the branch's satisfaction dashboards and RM scorecard (branch
  managers of the branch; compliance and head office for every branch);
* configuration: survey templates (a Django permission, administrators).
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from customers.permissions import ADD, CHANGE, REVEAL, Grant, Scope, allows, check, extend_policy

__all__ = ["EngagementAction", "allows", "check", "register_engagement_policy"]


class EngagementAction(StrEnum):
    MANAGE_EVENTS = "manage_events"  # on a branch: create events, check in, record lessons
    REGISTER_FOR_EVENT = "register_for_event"  # on a customer: register, cancel, invite
    VIEW_SATISFACTION = "view_satisfaction"  # on a branch: NPS/CSAT dashboards, RM scorecard
    SURVEY_TEMPLATES = "configure_survey_templates"  # configuration


RULES = {
    EngagementAction.MANAGE_EVENTS: (Grant((CHANGE,), Scope.BRANCH),),
    EngagementAction.REGISTER_FOR_EVENT: (Grant((ADD, CHANGE), Scope.VISIBLE),),
    EngagementAction.VIEW_SATISFACTION: (Grant((REVEAL,), Scope.BRANCH),),
}
SETTINGS_RULES = {EngagementAction.SURVEY_TEMPLATES: ("loyalty.change_surveytemplate",)}
REFUSALS = {
    EngagementAction.MANAGE_EVENTS: _("You may manage only your own branch's events."),
    EngagementAction.REGISTER_FOR_EVENT: _("You may not register this customer for events."),
    EngagementAction.VIEW_SATISFACTION: _(
        "Only the branch manager or head office may see satisfaction figures."
    ),
    EngagementAction.SURVEY_TEMPLATES: _("You may not change the survey templates."),
}


def register_engagement_policy() -> None:
    """Add the engagement actions to the one policy (once, from LoyaltyConfig.ready())."""
    from customers.permissions import RULES as TABLE

    if EngagementAction.MANAGE_EVENTS in TABLE:
        return
    extend_policy(rules=RULES, settings_rules=SETTINGS_RULES, refusals=REFUSALS)
