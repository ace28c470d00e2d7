"""Writes on campaigns: prepare, submit, approve, schedule, cancel, start, record responses.

Each is one transaction, keyword-only with the actor first, asks the one policy
(CampaignAction) and writes an audit event naming ids and fields, never values. A state
change that does not fit the campaign's status raises ValidationError on "status".
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.audit import audit_record
from crm.outbox import outbox_enqueue
from customers import permissions
from customers.models import (
    CAMPAIGN_CHANNELS,
    CAMPAIGN_PURPOSES,
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    CustomerKind,
    NeedType,
    ProductType,
    RecipientStatus,
    Segment,
)
from customers.outreach.campaigns.audience import audience, preview
from customers.outreach.campaigns.messages import validate_templates
from customers.permissions import CampaignAction

OBJECT_TYPE = "customers.campaign"
START_TASK = "customers.outreach.campaigns.tasks.campaign_start"
BATCH_TASK = "customers.outreach.campaigns.tasks.campaign_send_batch"
FILTER_FIELDS = ["segments", "branches", "kinds", "needs", "holds_products", "lacks_products", "min_aum"]
DEFINITION_FIELDS = ["name", "channel", "purpose", "subject", "body", *FILTER_FIELDS]


def approval_threshold() -> int:
    """Above this many eligible customers a campaign needs a second person's approval."""
    return int(getattr(settings, "CAMPAIGN_APPROVAL_THRESHOLD", 1000))


def _choices_error(values, allowed, field: str, errors: dict) -> list:
    values = list(dict.fromkeys(values or []))
    unknown = [value for value in values if value not in allowed]
    if unknown:
        errors[field] = [_("Unknown choice: %(values)s.") % {"values": ", ".join(map(str, unknown))}]
    return values


def _clean_definition(values: dict) -> dict:
    errors: dict = {}
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = [_("Name the campaign.")]
    elif len(name) > 120:
        errors["name"] = [_("Keep the name within %(max)s characters.") % {"max": 120}]
    channel = values.get("channel") or ""
    if channel not in CAMPAIGN_CHANNELS:
        errors["channel"] = [_("Choose e-mail, SMS or app push.")]
    purpose = values.get("purpose") or "marketing"
    if purpose not in CAMPAIGN_PURPOSES:
        errors["purpose"] = [_("Choose marketing, events or surveys.")]
    body = (values.get("body") or "").strip()
    subject = (values.get("subject") or "").strip()
    if not body:
        errors["body"] = [_("Write the message.")]
    elif len(body) > 2000:
        errors["body"] = [_("Keep the message within %(max)s characters.") % {"max": 2000}]
    if len(subject) > 200:
        errors["subject"] = [_("Keep the subject within %(max)s characters.") % {"max": 200}]
    if channel == "email" and not subject:
        errors["subject"] = [_("An e-mail needs a subject.")]
    try:
        validate_templates(subject=subject, body=body)
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            errors.setdefault(key, messages)
    cleaned = {
        "name": name, "channel": channel, "purpose": purpose, "subject": subject, "body": body,
        "segments": _choices_error(values.get("segments"), Segment.values, "segments", errors),
        "kinds": _choices_error(values.get("kinds"), CustomerKind.values, "kinds", errors),
        "needs": _choices_error(values.get("needs"), NeedType.values, "needs", errors),
        "holds_products": _choices_error(values.get("holds_products"), ProductType.values, "holds_products",
                                         errors),
        "lacks_products": _choices_error(values.get("lacks_products"), ProductType.values, "lacks_products",
                                         errors),
        "branches": [int(pk) for pk in dict.fromkeys(values.get("branches") or [])],
    }
    min_aum = values.get("min_aum")
    if min_aum is not None and Decimal(min_aum) < 0:
        errors["min_aum"] = [_("The minimum AUM cannot be negative.")]
    cleaned["min_aum"] = min_aum
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def campaign_create(*, actor, values: dict) -> Campaign:
    """Prepare a campaign (draft). `values`: name, channel, purpose, subject, body and the
    filters (segments, branches, kinds, needs, holds_products, lacks_products: lists of codes
    or branch ids; min_aum). A branch manager's campaign is their branch's, head office's the
    bank's. Raise PermissionDenied unless `actor` may run campaigns there; ValidationError (by
    field) for bad values."""
    branch_id = None if permissions.is_head_office(actor) else permissions.user_branch_id(actor)
    permissions.check(actor, CampaignAction.MANAGE, Campaign(branch_id=branch_id))
    cleaned = _clean_definition(values)
    campaign = Campaign(branch_id=branch_id, created_by=actor, **cleaned)
    campaign.full_clean()
    campaign.save()
    audit_record(actor=actor, action="campaign.created", object_type=OBJECT_TYPE, object_id=campaign.pk,
                 fields=DEFINITION_FIELDS)
    return campaign


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _status_error(campaign: Campaign) -> ValidationError:
    return ValidationError({"status": [_("Not possible while the campaign is %(status)s.") % {
        "status": campaign.get_status_display().lower()}]})


@transaction.atomic
def campaign_update(*, actor, campaign: Campaign, values: dict) -> Campaign:
    """Change a draft's definition. Raise PermissionDenied, or ValidationError for bad values
    or a campaign that is no longer a draft."""
    permissions.check(actor, CampaignAction.MANAGE, campaign)
    campaign = _locked(campaign)
    if campaign.status != CampaignStatus.DRAFT:
        raise _status_error(campaign)
    cleaned = _clean_definition(values)
    changed = [name for name, value in cleaned.items() if getattr(campaign, name) != value]
    if not changed:
        return campaign
    for name in changed:
        setattr(campaign, name, cleaned[name])
    campaign.full_clean()
    campaign.save(update_fields=changed)
    audit_record(actor=actor, action="campaign.changed", object_type=OBJECT_TYPE, object_id=campaign.pk,
                 fields=changed)
    return campaign


@transaction.atomic
def campaign_submit(*, actor, campaign: Campaign) -> Campaign:
    """Submit a draft: counted now (the preview), it is approved at once when it reaches at
    most CAMPAIGN_APPROVAL_THRESHOLD eligible customers, and otherwise awaits another
    person's approval. Raise PermissionDenied, or ValidationError for a campaign that is not a
    draft or reaches nobody."""
    permissions.check(actor, CampaignAction.MANAGE, campaign)
    campaign = _locked(campaign)
    if campaign.status != CampaignStatus.DRAFT:
        raise _status_error(campaign)
    eligible = preview(campaign).eligible
    if eligible == 0:
        raise ValidationError({"status": [_("No customer may be contacted by this campaign now.")]})
    now = timezone.now()
    campaign.audience_estimate = eligible
    campaign.submitted_at = now
    campaign.status = (CampaignStatus.PENDING_APPROVAL if eligible > approval_threshold()
                       else CampaignStatus.APPROVED)
    campaign.save(update_fields=["audience_estimate", "submitted_at", "status"])
    audit_record(actor=actor, action="campaign.submitted", object_type=OBJECT_TYPE, object_id=campaign.pk,
                 fields=["status"], extra={"eligible": eligible, "status": campaign.status})
    return campaign


@transaction.atomic
def campaign_approve(*, actor, campaign: Campaign) -> Campaign:
    """Approve a campaign awaiting approval. Raise PermissionDenied unless `actor` may approve
    it and is not the person who prepared it; ValidationError if it is not awaiting approval."""
    permissions.check(actor, CampaignAction.APPROVE, campaign)
    campaign = _locked(campaign)
    if campaign.created_by_id == actor.pk:
        raise PermissionDenied(_("A campaign is approved by someone other than who prepared it."))
    if campaign.status != CampaignStatus.PENDING_APPROVAL:
        raise _status_error(campaign)
    campaign.status = CampaignStatus.APPROVED
    campaign.approved_by = actor
    campaign.approved_at = timezone.now()
    campaign.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(actor=actor, action="campaign.approved", object_type=OBJECT_TYPE, object_id=campaign.pk,
                 fields=["status"])
    return campaign


@transaction.atomic
def campaign_schedule(*, actor, campaign: Campaign, send_at: datetime.datetime | None = None) -> Campaign:
    """Schedule an approved campaign for `send_at` (now when None or past): the beat task
    starts it then; one due now is started as soon as this commits. Raise PermissionDenied,
    or ValidationError if it is not approved."""
    permissions.check(actor, CampaignAction.MANAGE, campaign)
    campaign = _locked(campaign)
    if campaign.status != CampaignStatus.APPROVED:
        raise _status_error(campaign)
    now = timezone.now()
    campaign.send_at = max(send_at or now, now)
    campaign.status = CampaignStatus.SCHEDULED
    campaign.save(update_fields=["send_at", "status"])
    audit_record(actor=actor, action="campaign.scheduled", object_type=OBJECT_TYPE, object_id=campaign.pk,
                 fields=["status", "send_at"])
    if campaign.send_at <= now:
        outbox_enqueue(START_TASK, campaign.pk)
    return campaign


@transaction.atomic
def campaign_cancel(*, actor, campaign: Campaign) -> Campaign:
    """Cancel a campaign that has not completed: nothing more is sent (recipients still waiting
    are marked cancelled; what was sent stays sent). Raise PermissionDenied, or
    ValidationError if it is completed or cancelled already."""
    permissions.check(actor, CampaignAction.MANAGE, campaign)
    campaign = _locked(campaign)
    if not campaign.is_open:
        raise _status_error(campaign)
    campaign.status = CampaignStatus.CANCELLED
    campaign.cancelled_by = actor
    campaign.cancelled_at = timezone.now()
    campaign.save(update_fields=["status", "cancelled_by", "cancelled_at"])
    waiting = CampaignRecipient.objects.filter(
        campaign=campaign, status__in=[RecipientStatus.PENDING, RecipientStatus.DEFERRED],
    ).update(status=RecipientStatus.CANCELLED, refusal_code="", retry_at=None)
    audit_record(actor=actor, action="campaign.cancelled", object_type=OBJECT_TYPE, object_id=campaign.pk,
                 fields=["status"], extra={"not_sent": waiting})
    return campaign


INSERT_RECIPIENTS = """
INSERT INTO customers_campaignrecipient (campaign_id, customer_id, status, refusal_code, attempts, delivery)
SELECT %s, audience.customer_id, 'pending', '', 0, '' FROM ({audience}) AS audience (customer_id)
ON CONFLICT (campaign_id, customer_id) DO NOTHING
"""


@transaction.atomic
def campaign_start(*, campaign_id: int, now: datetime.datetime | None = None) -> int:
    """Start a due scheduled campaign (the beat task's and the scheduler's call, actor None):
    its audience becomes recipient rows in one INSERT ... SELECT (once: the rows are unique
    per customer), the campaign is sending and its first batch is queued. Return how many
    recipients were created; 0 for a campaign that is not due or not scheduled. One whose
    eligible audience grew above the approval threshold without an approval goes back to
    awaiting approval instead."""
    now = now or timezone.now()
    campaign = (Campaign.objects.select_for_update(skip_locked=True).select_related("created_by")
                .filter(pk=campaign_id, status=CampaignStatus.SCHEDULED, send_at__lte=now).first())
    if campaign is None:
        return 0
    needs_approval = campaign.approved_by_id is None and (
        preview(campaign, now=now).eligible > approval_threshold())
    if needs_approval:
        campaign.status = CampaignStatus.PENDING_APPROVAL
        campaign.save(update_fields=["status"])
        audit_record(actor=None, action="campaign.needs_approval", object_type=OBJECT_TYPE,
                     object_id=campaign.pk, fields=["status"])
        return 0
    sql, params = audience(campaign).order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(INSERT_RECIPIENTS.format(audience=sql), [campaign.pk, *params])
        created = cursor.rowcount
    campaign.status = CampaignStatus.SENDING
    campaign.started_at = now
    campaign.save(update_fields=["status", "started_at"])
    audit_record(actor=None, action="campaign.started", object_type=OBJECT_TYPE, object_id=campaign.pk,
                 fields=["status"], extra={"recipients": created})
    outbox_enqueue(BATCH_TASK, campaign.pk)
    return created


RESPONSE_OUTCOMES = ("responded", "converted")


@transaction.atomic
def campaign_response_record(*, actor, campaign: Campaign, customer_id: int, outcome: str,
                             at: datetime.datetime | None = None) -> CampaignRecipient:
    """Record that the recipient `customer_id` of `campaign` responded or converted (took up
    the product); a conversion is a response too. Recording it again changes nothing. Raise
    PermissionDenied unless `actor` may record responses to the campaign; ValidationError on
    "outcome" for an unknown outcome, on "customer" when the customer was not sent the
    campaign."""
    permissions.check(actor, CampaignAction.RECORD_RESPONSE, campaign)
    if outcome not in RESPONSE_OUTCOMES:
        raise ValidationError({"outcome": [_("Choose responded or converted.")]})
    recipient = (CampaignRecipient.objects.select_for_update()
                 .filter(campaign=campaign, customer_id=customer_id, status=RecipientStatus.SENT).first())
    if recipient is None:
        raise ValidationError({"customer": [_("This customer was not sent the campaign.")]})
    at = at or timezone.now()
    changed = []
    if recipient.responded_at is None:
        recipient.responded_at = at
        changed.append("responded_at")
    if outcome == "converted" and recipient.converted_at is None:
        recipient.converted_at = at
        changed.append("converted_at")
    if changed:
        recipient.save(update_fields=changed)
        audit_record(actor=actor, action=f"campaign.{outcome}", object_type=OBJECT_TYPE,
                     object_id=campaign.pk, fields=changed, extra={"customer": recipient.customer_id})
    return recipient
