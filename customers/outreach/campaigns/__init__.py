"""Campaigns: target a segment, preview who may be contacted, approve, schedule and send in
batches through the contact-pressure policy and pluggable channel adapters; track each
recipient (sent, blocked with the reason, deferred by quiet hours, responded, converted).

    audience   the campaign's filters over the customers its owner may target; the preview
    messages   subject and body templates ({name}, {bank} only)
    channels   the adapters: e-mail through Django's mail, SMS / app push by settings
    services   prepare, submit, approve, schedule, cancel, start, record responses
    sending    batches (FOR UPDATE SKIP LOCKED) through contact_request, delivery after commit
    selectors  campaigns and recipients as the reader may see them; the results
    tasks      Celery: the beat tick, start, batches
"""

from customers.outreach.campaigns.audience import Preview, audience, preview
from customers.outreach.campaigns.selectors import (
    CampaignResults,
    campaign_get,
    campaign_list,
    campaign_recipients,
    campaign_results,
)
from customers.outreach.campaigns.sending import campaign_batch_send, campaigns_tick, deliver_recipients
from customers.outreach.campaigns.services import (
    RESPONSE_OUTCOMES,
    approval_threshold,
    campaign_approve,
    campaign_cancel,
    campaign_create,
    campaign_response_record,
    campaign_schedule,
    campaign_start,
    campaign_submit,
    campaign_update,
)

__all__ = [
    "RESPONSE_OUTCOMES",
    "CampaignResults",
    "Preview",
    "approval_threshold",
    "audience",
    "campaign_approve",
    "campaign_batch_send",
    "campaign_cancel",
    "campaign_create",
    "campaign_get",
    "campaign_list",
    "campaign_recipients",
    "campaign_response_record",
    "campaign_results",
    "campaign_schedule",
    "campaign_start",
    "campaign_submit",
    "campaign_update",
    "campaigns_tick",
    "deliver_recipients",
    "preview",
]
