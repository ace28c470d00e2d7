"""Segment rule sets (versioned data), their rules, and manual segment overrides."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models.party import Customer, CustomerKind, Segment

# Band floors for income and revenue (in the bank's currency). Segment rules on income or

class SegmentRuleSet(models.Model):
    """A version of the segmentation rules. Exactly one version is active at a time."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    is_active = models.BooleanField(_("active"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("segment rule set")
        verbose_name_plural = _("segment rule sets")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_rule_set"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class SegmentRule(models.Model):
    """One ordered rule: customers of `kind` meeting every condition belong to `segment`.

    `conditions` is a list of {"metric": ..., "op": ">=", "value": ...}; metrics are aum,
    income, revenue, employees, countries (count) and holding (a product type held). The
    first matching rule (lowest `priority`) wins; a rule with no condition is the default.
    """

    rule_set = models.ForeignKey(SegmentRuleSet, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("kind"), max_length=12, choices=CustomerKind.choices)
    segment = models.CharField(_("segment"), max_length=16, choices=Segment.choices)
    priority = models.PositiveSmallIntegerField(_("priority"))
    conditions = models.JSONField(_("conditions"), default=list, blank=True)

    class Meta:
        verbose_name = _("segment rule")
        verbose_name_plural = _("segment rules")
        ordering = ["rule_set", "kind", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "kind", "priority"], name="segment_rule_order"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_set} {self.kind} #{self.priority} → {self.segment}"


class SegmentOverride(models.Model):
    """A manual segment, with a reason and an expiry, that the nightly run respects."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="segment_overrides")
    segment = models.CharField(_("segment"), max_length=16, choices=Segment.choices)
    reason = models.CharField(_("reason"), max_length=300)
    expires_on = models.DateField(_("expires"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("segment override")
        verbose_name_plural = _("segment overrides")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(ended_at__isnull=True), name="one_open_override"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} → {self.segment} until {self.expires_on}"


