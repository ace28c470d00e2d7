"""Campaigns: a message to a targeted set of customers, approved when large, sent in batches
through the contact-pressure policy (`customers.outreach.contact_request`), one recipient row
per customer so every send, block, deferral, response and conversion is tracked.

A campaign belongs to a branch (a branch manager's campaign reaches their branch's customers)
or to the whole bank (`branch` empty: head office). Its filters are codes and ids, never
personal data; its subject and body are templates whose only placeholders are the customer's
display name and the bank's name.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compliance.fields import EncryptedTextField, RecordKeyField
from crm.models import Branch
from customers.models.holdings import ProductType
from customers.models.outreach import ContactChannel, ContactLog, ContactPurpose, RefusalCode
from customers.models.party import Customer, CustomerKind, Segment
from customers.models.relations import NeedType

# The channels a campaign delivers on (each has an adapter) and the purposes it may serve.
CAMPAIGN_CHANNELS = (ContactChannel.EMAIL, ContactChannel.SMS, ContactChannel.APP_PUSH)
CAMPAIGN_PURPOSES = (ContactPurpose.MARKETING, ContactPurpose.EVENTS, ContactPurpose.SURVEYS)
CAMPAIGN_CHANNEL_CHOICES = [(channel.value, channel.label) for channel in CAMPAIGN_CHANNELS]
CAMPAIGN_PURPOSE_CHOICES = [(purpose.value, purpose.label) for purpose in CAMPAIGN_PURPOSES]


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending_approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Campaign(models.Model):
    """A campaign and its audience's filters. Only `customers.outreach.campaigns.services`
    changes it; its status moves draft -> (awaiting approval ->) approved -> scheduled ->
    sending -> completed, or to cancelled from any state before completed."""

    name = models.CharField(_("name"), max_length=120)
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("branch"))
    channel = models.CharField(_("channel"), max_length=12,
                               choices=CAMPAIGN_CHANNEL_CHOICES)
    purpose = models.CharField(_("purpose"), max_length=12, default=ContactPurpose.MARKETING,
                               choices=CAMPAIGN_PURPOSE_CHOICES)
    status = models.CharField(_("status"), max_length=16, choices=CampaignStatus.choices,
                              default=CampaignStatus.DRAFT)
    # The audience: every list empty means "any".
    segments = ArrayField(models.CharField(max_length=16, choices=Segment.choices), default=list, blank=True,
                          verbose_name=_("segments"))
    branches = ArrayField(models.BigIntegerField(), default=list, blank=True, verbose_name=_("branches"))
    kinds = ArrayField(models.CharField(max_length=12, choices=CustomerKind.choices), default=list,
                       blank=True, verbose_name=_("customer kinds"))
    needs = ArrayField(models.CharField(max_length=24, choices=NeedType.choices), default=list, blank=True,
                       verbose_name=_("open needs"))
    holds_products = ArrayField(models.CharField(max_length=20, choices=ProductType.choices), default=list,
                                blank=True, verbose_name=_("holds products"))
    lacks_products = ArrayField(models.CharField(max_length=20, choices=ProductType.choices), default=list,
                                blank=True, verbose_name=_("does not hold products"))
    min_aum = models.DecimalField(_("minimum AUM"), max_digits=20, decimal_places=2, null=True, blank=True,
                                  validators=[MinValueValidator(0)])
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"), max_length=2000)
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    audience_estimate = models.PositiveIntegerField(_("eligible when submitted"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("cancelled by"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("manage_campaign", _("Can prepare, schedule and cancel campaigns")),
            ("approve_campaign", _("Can approve another person's large campaign")),
        ]
        indexes = [
            models.Index(fields=["status", "send_at"], name="campaign_due"),
            models.Index(fields=["branch", "-created_at"], name="campaign_branch_recent"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(approved_by=models.F("created_by")),
                                   name="campaign_approver_is_not_creator"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status not in (CampaignStatus.COMPLETED, CampaignStatus.CANCELLED)


class RecipientStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DEFERRED = "deferred", _("Deferred (quiet hours)")
    SENT = "sent", _("Sent")
    BLOCKED = "blocked", _("Blocked")
    CANCELLED = "cancelled", _("Not sent (campaign cancelled)")


class DeliveryOutcome(models.TextChoices):
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Delivery failed")
    NO_ADDRESS = "no_address", _("No address for the channel")


class CampaignRecipient(models.Model):
    """One customer of a campaign's audience. The status and the contact log entry are
    written in one transaction (a message is decided once), the message is delivered after
    that commits. `refusal_code` is the policy's code for a block or a deferral; `retry_at`
    when quiet hours end for a deferred one."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients",
                                 verbose_name=_("campaign"))
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("customer"))
    status = models.CharField(_("status"), max_length=10, choices=RecipientStatus.choices,
                              default=RecipientStatus.PENDING)
    refusal_code = models.CharField(_("refused because"), max_length=20, choices=RefusalCode.choices,
                                    blank=True)
    retry_at = models.DateTimeField(_("retry at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    contact_log = models.ForeignKey(ContactLog, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("contact log entry"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    delivery = models.CharField(_("delivery"), max_length=12, choices=DeliveryOutcome.choices, blank=True)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign recipient")
        verbose_name_plural = _("campaign recipients")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "customer"], name="campaign_recipient_once"),
            models.CheckConstraint(
                condition=Q(status__in=["blocked", "deferred"]) | Q(refusal_code=""),
                name="campaign_recipient_code_if_refused",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status", "customer"], name="campaign_recipient_work",
                         condition=Q(status__in=["pending", "deferred"])),
            models.Index(fields=["campaign", "status", "refusal_code"], name="campaign_recipient_report"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.customer_id} {self.status}"


class OutboundMessage(models.Model):
    """A message the development channel backend recorded instead of sending it (SMS and app
    push in development, tests and the demo). The address is kept masked; the subject and
    body, which name the customer, are encrypted and registered with the trust layer."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("customer"))
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("campaign"))
    channel = models.CharField(_("channel"), max_length=12, choices=ContactChannel.choices)
    address_mask = models.CharField(_("to (masked)"), max_length=64, blank=True)
    record_key = RecordKeyField()
    subject = EncryptedTextField(_("subject"), max_length=260, blank=True, null=True)
    body = EncryptedTextField(_("message"), max_length=2200, blank=True, null=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("recorded message")
        verbose_name_plural = _("recorded messages")
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.channel} {self.address_mask}"
