"""The customer's history, book delegations and timed reveal grants."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models.party import Customer

# Band floors for income and revenue (in the bank's currency). Segment rules on income or

class CustomerEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Details updated")
    SEGMENT_CHANGED = "segment_changed", _("Segment changed")
    SEGMENT_OVERRIDDEN = "segment_overridden", _("Segment set by hand")
    REASSIGNED = "reassigned", _("Relationship manager changed")
    STATUS_CHANGED = "status_changed", _("Status changed")
    MERGED = "merged", _("Merged")
    UNMERGED = "unmerged", _("Merge reversed")
    IMPORTED = "imported", _("Imported")


class CustomerEvent(models.Model):
    """The customer's history as staff read it. `data` holds ids and codes, never PII."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="history")
    kind = models.CharField(_("event"), max_length=20, choices=CustomerEventKind.choices)
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("customer event")
        verbose_name_plural = _("customer events")
        indexes = [models.Index(fields=["customer", "-occurred_at"], name="customer_event_timeline")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind}"


class BookDelegation(models.Model):
    """A colleague covers a relationship manager's book for a date range (inclusive)."""

    relationship_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_given",
        verbose_name=_("relationship manager"),
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_received",
        verbose_name=_("covered by"),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("book delegation")
        verbose_name_plural = _("book delegations")
        indexes = [models.Index(fields=["delegate", "starts_on", "ends_on"], name="delegation_active")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="delegation_dates"),
            models.CheckConstraint(
                condition=~Q(delegate=models.F("relationship_manager")), name="delegation_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.relationship_manager_id} → {self.delegate_id} {self.starts_on}..{self.ends_on}"


class RevealGrant(models.Model):
    """A time-limited right to see named sensitive fields of one customer in clear."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="reveal_grants")
    fields = ArrayField(models.CharField(max_length=64))
    purpose = models.CharField(_("purpose"), max_length=300)
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("reveal grant")
        verbose_name_plural = _("reveal grants")
        indexes = [models.Index(fields=["user", "customer", "expires_at"], name="reveal_grant_active")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.customer_id} until {self.expires_at:%H:%M}"


