"""Handing a survey link to the channel that carries it to the customer.

The message gateways (SMS, e-mail, app push) are outside the portal: settings name the
function that takes each link (LOYALTY_SURVEY_DELIVERY, a dotted path called with the
invitation and the link's absolute URL). The default writes a debug line with ids only; the
link is a bearer credential and is never logged. `memory_delivery` keeps the links in
`OUTBOX` (tests and the demo).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

OUTBOX: list[tuple[int, str]] = []


def log_delivery(invitation, url: str) -> None:
    logger.debug("survey invitation %s handed to channel %s", invitation.pk, invitation.channel)


def memory_delivery(invitation, url: str) -> None:
    OUTBOX.append((invitation.pk, url))


def deliver(invitation, url: str) -> None:
    path = getattr(settings, "LOYALTY_SURVEY_DELIVERY", "loyalty.surveys.delivery.log_delivery")
    import_string(path)(invitation, url)
