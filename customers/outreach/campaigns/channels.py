"""Channel adapters: how a campaign message reaches the customer once the policy allowed it.

An adapter has one method, `deliver(message) -> DeliveryResult`. E-mail goes through Django's
mail (`EmailAdapter`, so EMAIL_BACKEND decides: SMTP in production, the console or locmem
elsewhere); SMS and app push go through the adapters named in settings (CAMPAIGN_SMS_ADAPTER,
CAMPAIGN_PUSH_ADAPTER, dotted paths), by default `RecordingAdapter`, which stores the message
in OutboundMessage (the body encrypted, the address masked) and sends nothing: no network.

A message carries the customer's address in clear only while it is delivered; adapters never
log it (nor the body), and a failure's result names a code, not the address.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from customers.models import ContactChannel, DeliveryOutcome, OutboundMessage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """One message to one customer: `address` is the e-mail address or phone number in clear
    (empty for app push, which the app routes by customer), `address_mask` what may be shown."""

    channel: str
    customer_id: int
    campaign_id: int | None
    address: str
    address_mask: str
    subject: str
    body: str


@dataclass(frozen=True)
class DeliveryResult:
    outcome: str  # DeliveryOutcome
    reference: str = ""


class ChannelAdapter(Protocol):
    def deliver(self, message: Message) -> DeliveryResult: ...


class EmailAdapter:
    """E-mail through Django's mail (EMAIL_BACKEND)."""

    def deliver(self, message: Message) -> DeliveryResult:
        if not message.address:
            return DeliveryResult(DeliveryOutcome.NO_ADDRESS)
        email = EmailMessage(subject=message.subject, body=message.body, to=[message.address])
        email.send(fail_silently=False)
        return DeliveryResult(DeliveryOutcome.DELIVERED)


class RecordingAdapter:
    """The development backend: records the message (OutboundMessage) instead of sending it."""

    def deliver(self, message: Message) -> DeliveryResult:
        if message.channel != ContactChannel.APP_PUSH and not message.address:
            return DeliveryResult(DeliveryOutcome.NO_ADDRESS)
        recorded = OutboundMessage.objects.create(
            customer_id=message.customer_id, campaign_id=message.campaign_id, channel=message.channel,
            address_mask=message.address_mask[:64], subject=message.subject, body=message.body)
        logger.info("campaign message recorded: channel=%s message=%s", message.channel, recorded.pk)
        return DeliveryResult(DeliveryOutcome.DELIVERED, reference=str(recorded.pk))


def message_address(channel: str, customer) -> tuple[str, str]:
    """The customer's address for `channel` in clear (for the adapter only) and what may be
    shown of it: e-mail or phone; app push is routed by the app, shown by customer number."""
    if channel == ContactChannel.EMAIL:
        return customer.email or "", customer.email_mask or ""
    if channel == ContactChannel.SMS:
        return customer.phone or "", customer.phone_mask or ""
    return "", customer.number


ADAPTER_SETTINGS = {
    ContactChannel.EMAIL: "CAMPAIGN_EMAIL_ADAPTER",
    ContactChannel.SMS: "CAMPAIGN_SMS_ADAPTER",
    ContactChannel.APP_PUSH: "CAMPAIGN_PUSH_ADAPTER",
}


@cache
def _adapter(path: str) -> ChannelAdapter:
    return import_string(path)()


def adapter_for(channel: str) -> ChannelAdapter:
    """The adapter settings name for `channel`. Raise KeyError for a channel campaigns do not use."""
    return _adapter(getattr(settings, ADAPTER_SETTINGS[channel]))
