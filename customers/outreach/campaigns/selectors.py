"""Reads on campaigns, restricted by the one policy: a campaign the reader may not see is
absent (404); recipients are the customers the reader sees."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from compliance import access
from customers import permissions
from customers.models import Campaign, CampaignRecipient, Customer, RecipientStatus, RefusalCode
from customers.permissions import CampaignAction


def campaign_list(*, actor) -> QuerySet[Campaign]:
    """The campaigns `actor` may see, newest first."""
    return (permissions.campaigns_restrict(Campaign.objects.all(), actor, CampaignAction.VIEW)
            .select_related("branch", "created_by", "approved_by").order_by("-created_at", "-pk"))


def campaign_get(*, actor, pk: int) -> Campaign:
    """The campaign `pk` if `actor` may see it. Raise Campaign.DoesNotExist otherwise (the same
    for a missing and a hidden one)."""
    return campaign_list(actor=actor).get(pk=pk)


def campaign_recipients(*, actor, campaign: Campaign,
                        status: str | None = None) -> QuerySet[CampaignRecipient]:
    """`campaign`'s recipients whose customer `actor` sees, optionally of one status."""
    visible = access.restrict(Customer.objects.all(), actor)
    recipients = (CampaignRecipient.objects.filter(campaign=campaign, customer__in=visible.values("pk"))
                  .select_related("customer"))
    if status:
        recipients = recipients.filter(status=status)
    return recipients


@dataclass(frozen=True)
class CampaignResults:
    """A campaign's figures: recipients per status, blocks and deferrals per refusal code,
    responses and conversions with their rates over the messages sent."""

    total: int
    by_status: dict[str, int] = field(default_factory=dict)
    blocked_by_reason: dict[str, int] = field(default_factory=dict)
    deferred: int = 0
    responded: int = 0
    converted: int = 0

    @property
    def sent(self) -> int:
        return self.by_status.get(RecipientStatus.SENT, 0)

    @property
    def response_rate(self) -> float | None:
        return None if not self.sent else self.responded / self.sent

    @property
    def conversion_rate(self) -> float | None:
        return None if not self.sent else self.converted / self.sent

    def as_dict(self) -> dict:
        return {"total": self.total, "by_status": dict(self.by_status),
                "blocked_by_reason": dict(self.blocked_by_reason), "responded": self.responded,
                "converted": self.converted, "response_rate": self.response_rate,
                "conversion_rate": self.conversion_rate}


def campaign_results(*, campaign: Campaign) -> CampaignResults:
    """The figures of `campaign` over all its recipients (counts only, no customer is shown):
    two aggregate queries."""
    rows = (CampaignRecipient.objects.filter(campaign=campaign).order_by()
            .values("status", "refusal_code")
            .annotate(n=Count("pk"), responded=Count("pk", filter=Q(responded_at__isnull=False)),
                      converted=Count("pk", filter=Q(converted_at__isnull=False))))
    by_status = {status.value: 0 for status in RecipientStatus}
    blocked = {code.value: 0 for code in RefusalCode if code != RefusalCode.QUIET_HOURS}
    responded = converted = 0
    for row in rows:
        by_status[row["status"]] += row["n"]
        if row["status"] == RecipientStatus.BLOCKED:
            blocked[row["refusal_code"]] = blocked.get(row["refusal_code"], 0) + row["n"]
        responded += row["responded"]
        converted += row["converted"]
    return CampaignResults(total=sum(by_status.values()), by_status=by_status, blocked_by_reason=blocked,
                           deferred=by_status[RecipientStatus.DEFERRED], responded=responded,
                           converted=converted)
