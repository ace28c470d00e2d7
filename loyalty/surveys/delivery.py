"""Handing a survey link to the channel that carries it to the customer.

Settings name the function that takes each link (LOYALTY_SURVEY_DELIVERY, a dotted path called
with the invitation and the link's absolute URL). The default, `channel_delivery`, sends it
through the campaigns' channel adapters (e-mail through Django's mail; SMS and app push through
the adapters CAMPAIGN_SMS_ADAPTER and CAMPAIGN_PUSH_ADAPTER name, which by default record the
message, encrypted, and send nothing), in the customer's language. The link is a bearer
credential and is never logged. `log_delivery` writes a line with ids only; `memory_delivery`
keeps the links in `OUTBOX` (tests and the demo).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

OUTBOX: list[tuple[int, str]] = []


def channel_delivery(invitation, url: str) -> None:
    """Send the link on the invitation's channel through the campaigns' adapter for it. A
    channel without an adapter, a missing address or a failing adapter is logged (ids and the
    outcome only); the invitation stays sent, as a campaign message does."""
    from django.utils import translation
    from django.utils.translation import gettext as _

    from customers.models import Customer
    from customers.outreach.campaigns import channels

    customer = Customer.objects.get(pk=invitation.customer_id)
    address, mask = channels.message_address(invitation.channel, customer)
    days = int(getattr(settings, "LOYALTY_SURVEY_LINK_DAYS", 14))
    with translation.override(invitation.language or settings.LANGUAGE_CODE):
        subject = _("How did we do?")
        body = _("Dear %(name)s, please tell us about your recent contact with %(bank)s: %(url)s "
                 "(the link works once, for %(days)d days).") % {
            "name": customer.display_name, "bank": settings.BANK_NAME, "url": url, "days": days}
    message = channels.Message(channel=invitation.channel, customer_id=customer.pk, campaign_id=None,
                               address=address, address_mask=mask, subject=subject, body=body)
    try:
        result = channels.adapter_for(invitation.channel).deliver(message)
    except KeyError:
        logger.warning("survey invitation %s: no adapter for channel %s", invitation.pk, invitation.channel)
        return
    except Exception as error:
        logger.warning("survey invitation %s: delivery failed (%s)", invitation.pk, type(error).__name__)
        return
    logger.info("survey invitation %s handed to %s: %s", invitation.pk, invitation.channel, result.outcome)


def log_delivery(invitation, url: str) -> None:
    logger.debug("survey invitation %s handed to channel %s", invitation.pk, invitation.channel)


def memory_delivery(invitation, url: str) -> None:
    OUTBOX.append((invitation.pk, url))


def deliver(invitation, url: str) -> None:
    path = getattr(settings, "LOYALTY_SURVEY_DELIVERY", "loyalty.surveys.delivery.channel_delivery")
    import_string(path)(invitation, url)
