"""Needs, relationships between customers, and interactions (one timeline for every channel)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compliance.fields import (
    EncryptedTextField,
    RecordKeyField,
)
from customers.models.party import Channel, Customer, CustomerKind

# Band floors for income and revenue (in the bank's currency). Segment rules on income or

class NeedType(models.TextChoices):
    WEALTH_GROWTH = "wealth_growth", _("Wealth growth")
    ASSET_PRESERVATION = "asset_preservation", _("Asset preservation")
    CONSUMER_CREDIT = "consumer_credit", _("Consumer credit")
    INVESTMENT = "investment", _("Investment")
    FINANCING = "financing", _("Financing")
    SETTLEMENT = "settlement", _("Settlement")
    CASH_MANAGEMENT = "cash_management", _("Cash management")
    INTERNATIONAL_BUSINESS = "international_business", _("International business")


NEEDS_BY_KIND = {
    CustomerKind.INDIVIDUAL: (NeedType.WEALTH_GROWTH, NeedType.ASSET_PRESERVATION,
                              NeedType.CONSUMER_CREDIT, NeedType.INVESTMENT),
    CustomerKind.CORPORATE: (NeedType.FINANCING, NeedType.SETTLEMENT, NeedType.CASH_MANAGEMENT,
                             NeedType.INTERNATIONAL_BUSINESS),
}


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    MET = "met", _("Met")
    DROPPED = "dropped", _("No longer relevant")


class Need(models.Model):
    """Something the customer needs, from the bank's catalogue, and who recorded it."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="needs", verbose_name=_("customer")
    )
    need_type = models.CharField(_("need"), max_length=24, choices=NeedType.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    # Every encrypted value of the row is bound to it (compliance.fields.RecordKeyField).
    record_key = RecordKeyField()
    note = EncryptedTextField(_("note"), blank=True, null=True, max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        indexes = [models.Index(fields=["customer", "status"], name="need_customer_status")]

    def __str__(self) -> str:
        return self.get_need_type_display()


class RelationshipKind(models.TextChoices):
    SPOUSE = "spouse", _("Spouse")
    HOUSEHOLD_MEMBER = "household_member", _("Household member")
    GUARANTOR = "guarantor", _("Guarantor")
    DIRECTOR = "director", _("Director")
    SHAREHOLDER = "shareholder", _("Shareholder")
    KEY_CONTACT = "key_contact", _("Key contact")
    PARENT_COMPANY = "parent_company", _("Parent company")
    SUBSIDIARY = "subsidiary", _("Subsidiary")


HOUSEHOLD_KINDS = (RelationshipKind.SPOUSE, RelationshipKind.HOUSEHOLD_MEMBER)


class Relationship(models.Model):
    """A directed link: `from_customer` is `kind` of `to_customer` (A is director of B)."""

    from_customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="relationships_out",
        verbose_name=_("from"),
    )
    to_customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="relationships_in", verbose_name=_("to")
    )
    kind = models.CharField(_("relationship"), max_length=20, choices=RelationshipKind.choices)
    role = models.CharField(_("role"), max_length=120, blank=True)
    share_percent = models.DecimalField(
        _("share %"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [
            models.UniqueConstraint(
                fields=["from_customer", "to_customer", "kind"], name="relationship_unique"
            ),
            models.CheckConstraint(
                condition=~Q(from_customer=models.F("to_customer")), name="relationship_not_self"
            ),
        ]
        indexes = [models.Index(fields=["to_customer", "kind"], name="relationship_to_kind")]

    def __str__(self) -> str:
        return f"{self.from_customer_id} {self.kind} {self.to_customer_id}"


class InteractionType(models.TextChoices):
    SERVICE = "service", _("Service")
    ADVICE = "advice", _("Advice")
    SALES = "sales", _("Sales")
    FOLLOW_UP = "follow_up", _("Follow-up")
    COMPLAINT = "complaint", _("Complaint")
    TRANSACTION = "transaction", _("Transaction")
    NOTIFICATION = "notification", _("Notification")


class Interaction(models.Model):
    """One contact with the customer on any channel, by a member of staff or a system."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="interactions", verbose_name=_("customer")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    interaction_type = models.CharField(
        _("type"), max_length=16, choices=InteractionType.choices, default=InteractionType.SERVICE
    )
    # Every encrypted value of the row is bound to it (compliance.fields.RecordKeyField).
    record_key = RecordKeyField()
    summary = EncryptedTextField(_("summary"), max_length=4000)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("staff member"),
    )
    system = models.CharField(_("system"), max_length=60, blank=True)
    occurred_at = models.DateTimeField(_("time"))
    external_reference = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="interaction_timeline"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(staff__isnull=False) | ~Q(system=""), name="interaction_has_author"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.occurred_at:%Y-%m-%d}"


