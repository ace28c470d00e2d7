"""Points for taking part: the one place events, courses and surveys ask for them.

`award_points` hands the activity to the points ledger (`loyalty.points.award_activity`),
which earns what the active earning rule for the activity gives (with the tier multiplier and
the rule's period limit), once per reference. Without an active rule for the activity the bank
gives no points for it: nothing is earned and a line (ids only) says so.
"""

from __future__ import annotations

import datetime
import logging
from enum import StrEnum

from django.core.exceptions import ValidationError

from loyalty.points import award_activity
from loyalty.points.errors import IdempotencyConflict

logger = logging.getLogger(__name__)


class Activity(StrEnum):
    # The earning rules' activity codes (loyalty.models.EarningRule.activity).
    EVENT_ATTENDED = "event_attendance"
    COURSE_COMPLETED = "course_completion"
    SURVEY_COMPLETED = "survey_completed"


def award_points(customer, activity: str, reference: str, occurred_at: datetime.datetime):
    """Earn the points `activity` is worth for `customer`, once per `reference` (an id such as
    "event-registration:12"; never personal data). Return the ledger's EarnResult, or None when
    no active rule gives points for the activity."""
    try:
        return award_activity(customer=customer, activity=str(activity), reference=reference,
                              occurred_at=occurred_at)
    except ValidationError as error:
        if "activity" not in getattr(error, "message_dict", {}):
            raise
        logger.info("No active earning rule for %s: customer %s earns nothing for %s", activity, customer.pk,
                    reference)
        return None
    except IdempotencyConflict:
        logger.warning("Points for %s of customer %s were earned before with other details", reference,
                       customer.pk)
        return None
