"""Sending a campaign: batches of recipients through the contact-pressure policy, then the
channel adapters.

A batch is one transaction: it claims up to N recipients that are waiting (or deferred and
due again) with SELECT ... FOR UPDATE SKIP LOCKED, in customer order, so concurrent workers
never take the same row; for each it asks `customers.outreach.contact_request` (the check and
the contact log entry, under the customer's row lock) and writes the recipient's status with
it. The messages the policy allowed are delivered after the batch commits (on_commit), each at
most once (`delivered_at` is claimed before the adapter is called). A worker that dies before
the commit leaves its rows waiting and their contact log entries undone: the next batch takes
them again. A consent withdrawn while a batch runs waits for the customer's lock; once it has
committed, no later batch sends to that customer.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from crm.outbox import outbox_enqueue
from customers import outreach
from customers.models import (
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    Customer,
    DeliveryOutcome,
    RecipientStatus,
    RefusalCode,
    SenderKind,
)
from customers.outreach.campaigns import channels
from customers.outreach.campaigns.messages import render

logger = logging.getLogger(__name__)
BATCH_TASK = "customers.outreach.campaigns.tasks.campaign_send_batch"


@dataclass(frozen=True)
class BatchResult:
    claimed: int = 0
    sent: int = 0
    blocked: int = 0
    deferred: int = 0
    more: bool = False

    def as_dict(self) -> dict:
        return {"claimed": self.claimed, "sent": self.sent, "blocked": self.blocked,
                "deferred": self.deferred, "more": self.more}


def batch_size() -> int:
    return int(getattr(settings, "CAMPAIGN_BATCH_SIZE", 200))


def _due(now: datetime.datetime) -> Q:
    return Q(status=RecipientStatus.PENDING) | Q(status=RecipientStatus.DEFERRED, retry_at__lte=now)


def _decide(campaign: Campaign, recipient: CampaignRecipient, customer: Customer,
            now: datetime.datetime) -> str:
    decision = outreach.contact_request(
        actor=None, customer=customer, channel=campaign.channel, purpose=campaign.purpose,
        reason=campaign.name, sender=outreach.ContactSender(SenderKind.CAMPAIGN, str(campaign.pk)))
    recipient.attempts += 1
    recipient.contact_log_id = decision.log.pk
    recipient.decided_at = decision.log.at
    if decision.allowed:
        recipient.status, recipient.refusal_code, recipient.retry_at = RecipientStatus.SENT, "", None
    elif decision.code == RefusalCode.QUIET_HOURS and decision.retry_at is not None:
        recipient.status, recipient.refusal_code = RecipientStatus.DEFERRED, decision.code
        recipient.retry_at = decision.retry_at
    else:
        recipient.status, recipient.refusal_code = RecipientStatus.BLOCKED, decision.code
        recipient.retry_at = None
    recipient.save(update_fields=["attempts", "contact_log", "decided_at", "status", "refusal_code",
                                  "retry_at"])
    return recipient.status


def campaign_batch_send(*, campaign_id: int, size: int | None = None,
                        now: datetime.datetime | None = None) -> BatchResult:
    """Decide one batch of `campaign_id`'s due recipients and queue the next batch when more
    are due; deliver the allowed messages once this commits. Return what the batch did; a
    campaign that is not sending does nothing."""
    size = size or batch_size()
    counts = {RecipientStatus.SENT: 0, RecipientStatus.BLOCKED: 0, RecipientStatus.DEFERRED: 0}
    with transaction.atomic():
        campaign = Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.SENDING).first()
        if campaign is None:
            return BatchResult()
        now = now or timezone.now()
        recipients = list(
            CampaignRecipient.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(_due(now), campaign_id=campaign_id).select_related("customer")
            .order_by("customer_id")[:size]
        )
        allowed = []
        for recipient in recipients:
            status = _decide(campaign, recipient, recipient.customer, now)
            counts[status] += 1
            if status == RecipientStatus.SENT:
                allowed.append(recipient.pk)
        more = len(recipients) == size
        if more:
            outbox_enqueue(BATCH_TASK, campaign_id)
        if allowed:
            transaction.on_commit(lambda: deliver_recipients(allowed))
    return BatchResult(claimed=len(recipients), sent=counts[RecipientStatus.SENT],
                       blocked=counts[RecipientStatus.BLOCKED], deferred=counts[RecipientStatus.DEFERRED],
                       more=more)


def deliver_recipients(recipient_ids: list[int]) -> int:
    """Deliver the campaign message of each recipient the policy allowed (status sent), at
    most once each: a recipient whose delivery was already claimed is skipped. Return how many
    were delivered. A failing adapter is recorded as a failed delivery, never retried (the
    contact was counted and the customer may have received it)."""
    delivered = 0
    for recipient in (CampaignRecipient.objects.filter(pk__in=recipient_ids, status=RecipientStatus.SENT)
                      .select_related("campaign", "customer").order_by("pk")):
        claimed = CampaignRecipient.objects.filter(pk=recipient.pk, delivered_at__isnull=True).update(
            delivered_at=timezone.now())
        if not claimed:
            continue
        campaign, customer = recipient.campaign, recipient.customer
        # Decrypted here, for the adapter only; the mask is what anything else may show.
        address, mask = channels.message_address(campaign.channel, customer)
        message = channels.Message(
            channel=campaign.channel, customer_id=customer.pk, campaign_id=campaign.pk, address=address,
            address_mask=mask, subject=render(campaign.subject, name=customer.display_name),
            body=render(campaign.body, name=customer.display_name))
        try:
            result = channels.adapter_for(campaign.channel).deliver(message)
            outcome = result.outcome
        except Exception as error:  # an adapter's failure is the recipient's, not the batch's
            logger.warning("campaign %s recipient %s: delivery failed (%s)", campaign.pk, recipient.pk,
                           type(error).__name__)
            outcome = DeliveryOutcome.FAILED
        CampaignRecipient.objects.filter(pk=recipient.pk).update(delivery=outcome)
        delivered += outcome == DeliveryOutcome.DELIVERED
    return delivered


def campaign_complete_if_done(*, campaign_id: int, now: datetime.datetime | None = None) -> bool:
    """Mark a sending campaign completed when no recipient waits any more (none pending or
    deferred). Return whether it was."""
    with transaction.atomic():
        campaign = (Campaign.objects.select_for_update(skip_locked=True)
                    .filter(pk=campaign_id, status=CampaignStatus.SENDING).first())
        if campaign is None:
            return False
        waiting = CampaignRecipient.objects.filter(
            campaign_id=campaign_id, status__in=[RecipientStatus.PENDING, RecipientStatus.DEFERRED]).exists()
        if waiting:
            return False
        campaign.status = CampaignStatus.COMPLETED
        campaign.completed_at = now or timezone.now()
        campaign.save(update_fields=["status", "completed_at"])
    return True


def campaigns_tick(*, now: datetime.datetime | None = None) -> dict:
    """The beat task's work: start the due scheduled campaigns, queue a batch for each sending
    campaign with recipients due (new, left by a dead worker, or deferred past their quiet
    hours), and complete those with nobody waiting. Return counts."""
    from customers.outreach.campaigns.services import START_TASK

    now = now or timezone.now()
    started = queued = completed = 0
    due = list(Campaign.objects.filter(status=CampaignStatus.SCHEDULED, send_at__lte=now)
               .values_list("pk", flat=True))
    with transaction.atomic():
        for campaign_id in due:
            outbox_enqueue(START_TASK, campaign_id)
            started += 1
    for campaign_id in Campaign.objects.filter(status=CampaignStatus.SENDING).values_list("pk", flat=True):
        if CampaignRecipient.objects.filter(_due(now), campaign_id=campaign_id).exists():
            with transaction.atomic():
                outbox_enqueue(BATCH_TASK, campaign_id)
            queued += 1
        elif campaign_complete_if_done(campaign_id=campaign_id, now=now):
            completed += 1
    return {"started": started, "batches": queued, "completed": completed}
