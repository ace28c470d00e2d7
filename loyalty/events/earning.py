"""Points for taking part: the one place events, courses and surveys ask for them.

`award_points` will hand the activity to the points ledger
(`loyalty.points.award_activity(customer=..., activity=..., reference=..., occurred_at=...)`),
which is idempotent by reference. Until that ledger is connected it records nothing and
writes a debug line with ids only.
"""

from __future__ import annotations

import datetime
import logging
from enum import StrEnum

logger = logging.getLogger(__name__)


class Activity(StrEnum):
    EVENT_ATTENDED = "event_attended"
    COURSE_COMPLETED = "course_completed"
    SURVEY_COMPLETED = "survey_completed"


def award_points(customer, activity: str, reference: str, occurred_at: datetime.datetime) -> None:
    """Earn the points `activity` is worth for `customer`, once per `reference` (an id such as
    "event-registration:12"; never personal data)."""
    logger.debug(
        "points activity %s for customer %s (%s) at %s",
        activity,
        customer.pk,
        reference,
        occurred_at.isoformat(),
    )
