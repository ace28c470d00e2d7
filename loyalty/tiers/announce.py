"""Telling of tier changes: each change a monthly review made is put on the customer's
timeline (an Interaction logged in the loyalty system's name by the service account named by
LOYALTY_SERVICE_ACCOUNT, once per change by its reference) and the customer is told through
the contact-pressure policy (a service notice; a refusal is recorded there and never
bypassed). Only the changes of the review, in batches: not a loop over customers."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from customers import outreach, services
from customers.models import Channel, ContactPurpose, Customer, InteractionType, SenderKind
from loyalty.models import TierChange
from loyalty.points.expiry import CHANNEL_FOR, DEFAULT_CHANNEL

logger = logging.getLogger(__name__)
SYSTEM = "loyalty"


@dataclass
class AnnounceResult:
    announced: int = 0
    told: int = 0
    refused: int = 0

    def as_dict(self) -> dict:
        return {"announced": self.announced, "told": self.told, "refused": self.refused}


def _summary(change: TierChange) -> str:
    before = change.from_tier.name if change.from_tier else "-"
    after = change.to_tier.name if change.to_tier else "-"
    return f"Loyalty tier {change.kind}: {before} -> {after} (review of {change.reviewed_on})"


def tier_changes_announce(*, batch_size: int = 500) -> AnnounceResult:
    """Announce every tier change not yet announced (see the module docstring). Safe to run
    twice: the timeline entry is found again by its reference, and a change is marked
    announced in the same transaction as its contact request."""
    result = AnnounceResult()
    account = get_user_model().objects.filter(username=settings.LOYALTY_SERVICE_ACCOUNT,
                                              is_active=True).first()
    if account is None:
        logger.warning("No active service account %r: tier changes are not put on timelines.",
                       settings.LOYALTY_SERVICE_ACCOUNT)
    after = 0
    while True:
        changes = list(TierChange.objects.filter(announced_at__isnull=True, pk__gt=after)
                       .select_related("from_tier", "to_tier").order_by("pk")[:batch_size])
        if not changes:
            return result
        customers = Customer.objects.in_bulk([change.customer_id for change in changes])
        preferred = dict(Customer.objects.filter(pk__in=customers)
                         .values_list("pk", "individual__preferred_channel"))
        for change in changes:
            customer = customers[change.customer_id]
            with transaction.atomic():
                if account is not None:
                    services.interaction_log_by_reference(
                        actor=account, customer=customer, external_reference=f"loyalty-tier:{change.pk}",
                        channel=Channel.MOBILE_APP, interaction_type=InteractionType.NOTIFICATION,
                        summary=_summary(change), occurred_at=timezone.now(), system=SYSTEM)
                decision = outreach.contact_request(
                    actor=None, customer=customer, channel=CHANNEL_FOR.get(preferred.get(customer.pk),
                                                                           DEFAULT_CHANNEL),
                    purpose=ContactPurpose.SERVICE, reason="Loyalty tier change",
                    sender=outreach.ContactSender(kind=SenderKind.NOTICE, id=f"tier-change:{change.pk}"))
                TierChange.objects.filter(pk=change.pk).update(announced_at=timezone.now())
            result.announced += 1
            if decision.allowed:
                result.told += 1
            else:
                result.refused += 1
        after = changes[-1].pk
