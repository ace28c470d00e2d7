"""Whom a campaign reaches, and the eligibility preview: set-based SQL over customers.

`audience` is the campaign's filters over the customers its owner may target (the one
policy's restriction for CampaignAction.MANAGE: the branch manager's branch, every customer
for head office). `preview` classifies that audience in ONE aggregate query: each customer
gets the first reason the contact-pressure policy (`customers.outreach.pressure`) would give
for refusing the campaign's channel and purpose now (merged, do not contact, hold, vulnerable,
consent withdrawn, no consent, cap reached), or "eligible", and the rows are counted per
reason. Quiet hours are no exclusion (they defer a send), so the preview does not ask them.
The rules are the policy's, in the policy's order; a test checks both agree on a crafted set.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone

from customers import permissions
from customers.models import (
    Campaign,
    ConsentStatus,
    ContactCap,
    ContactHold,
    ContactLog,
    ContactOutcome,
    Customer,
    CustomerStatus,
    Holding,
    HoldingStatus,
    Need,
    NeedStatus,
    RefusalCode,
)
from customers.outreach.pressure import OPT_IN_PURPOSES, OUTREACH_PURPOSES

ELIGIBLE = "eligible"
# The reasons the preview counts, in the policy's order (quiet hours defer, they do not exclude).
EXCLUSION_REASONS = (
    RefusalCode.MERGED, RefusalCode.DO_NOT_CONTACT, RefusalCode.HOLD, RefusalCode.VULNERABLE,
    RefusalCode.CONSENT_WITHDRAWN, RefusalCode.NO_CONSENT, RefusalCode.CAP,
)
OPEN_NEEDS = (NeedStatus.OPEN, NeedStatus.IN_PROGRESS)
HELD = (HoldingStatus.ACTIVE, HoldingStatus.IN_ARREARS)


@dataclass(frozen=True)
class Preview:
    """How many customers the campaign targets, how many it may contact now, and how many
    each reason excludes (every reason present, 0 where none)."""

    targeted: int
    eligible: int
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())

    def as_dict(self) -> dict:
        return {"targeted": self.targeted, "eligible": self.eligible, "excluded": dict(self.excluded)}


def audience(campaign: Campaign) -> QuerySet[Customer]:
    """The customers `campaign` targets: its filters, within what its owner may target.
    A closed customer is left out unless merged (the policy then refuses it as merged)."""
    customers = permissions.customers_restrict(Customer.objects.all(), campaign.created_by,
                                               permissions.CampaignAction.MANAGE)
    customers = customers.filter(~Q(status=CustomerStatus.CLOSED) | Q(merged_into__isnull=False))
    if campaign.branch_id:
        customers = customers.filter(home_branch_id=campaign.branch_id)
    if campaign.segments:
        customers = customers.filter(segment__in=campaign.segments)
    if campaign.branches:
        customers = customers.filter(home_branch_id__in=campaign.branches)
    if campaign.kinds:
        customers = customers.filter(kind__in=campaign.kinds)
    if campaign.min_aum is not None:
        customers = customers.filter(aum__gte=campaign.min_aum)
    if campaign.needs:
        customers = customers.filter(Exists(Need.objects.filter(
            customer_id=OuterRef("pk"), need_type__in=campaign.needs, status__in=OPEN_NEEDS)))
    if campaign.holds_products:
        customers = customers.filter(Exists(Holding.objects.filter(
            customer_id=OuterRef("pk"), product_type__in=campaign.holds_products, status__in=HELD)))
    if campaign.lacks_products:
        customers = customers.filter(~Exists(Holding.objects.filter(
            customer_id=OuterRef("pk"), product_type__in=campaign.lacks_products, status__in=HELD)))
    return customers


def _cap_conditions(purpose: str, now: datetime.datetime) -> list[GreaterThanOrEqual]:
    """One condition per active cap of `purpose`: the customer's sent contacts in the cap's
    window reach its maximum (a correlated count on the contact log's caps index)."""
    conditions = []
    for cap in ContactCap.objects.filter(purpose=purpose, is_active=True).order_by("-window_days", "pk"):
        sent = (ContactLog.objects.filter(customer_id=OuterRef("pk"), purpose=purpose,
                                          outcome=ContactOutcome.SENT,
                                          at__gt=now - datetime.timedelta(days=cap.window_days))
                .order_by().values("customer_id").annotate(n=Count("pk")).values("n")[:1])
        conditions.append(GreaterThanOrEqual(
            Coalesce(Subquery(sent, output_field=IntegerField()), Value(0)), cap.maximum))
    return conditions


def reason_expression(*, channel: str, purpose: str, now: datetime.datetime) -> Case:
    """The policy's first refusal for each customer row as a SQL CASE (or ELIGIBLE); the row
    must carry the `campaign_consent` relation (see `classified`)."""
    whens = [When(merged_into__isnull=False, then=Value(RefusalCode.MERGED.value)),
             When(do_not_contact=True, then=Value(RefusalCode.DO_NOT_CONTACT.value))]
    if purpose in OUTREACH_PURPOSES:
        whens += [
            When(Exists(ContactHold.objects.filter(customer_id=OuterRef("pk"), lifted_at__isnull=True)),
                 then=Value(RefusalCode.HOLD.value)),
            When(is_vulnerable=True, then=Value(RefusalCode.VULNERABLE.value)),
        ]
    whens.append(When(campaign_consent__status=ConsentStatus.WITHDRAWN,
                      then=Value(RefusalCode.CONSENT_WITHDRAWN.value)))
    if purpose in OPT_IN_PURPOSES:
        whens.append(When(campaign_consent__status__isnull=True, then=Value(RefusalCode.NO_CONSENT.value)))
    whens += [When(condition, then=Value(RefusalCode.CAP.value))
              for condition in _cap_conditions(purpose, now)]
    return Case(*whens, default=Value(ELIGIBLE), output_field=CharField())


def classified(customers: QuerySet[Customer], *, channel: str, purpose: str,
               now: datetime.datetime | None = None) -> QuerySet[Customer]:
    """`customers` annotated with `reason`: the policy's first refusal now, or ELIGIBLE."""
    now = now or timezone.now()
    return customers.annotate(
        campaign_consent=FilteredRelation(
            "consents", condition=Q(consents__channel=channel, consents__purpose=purpose)),
    ).annotate(reason=reason_expression(channel=channel, purpose=purpose, now=now))


def preview(campaign: Campaign, *, now: datetime.datetime | None = None) -> Preview:
    """Count the campaign's audience per exclusion reason and eligible, in one query."""
    rows = (classified(audience(campaign), channel=campaign.channel, purpose=campaign.purpose, now=now)
            .order_by().values("reason").annotate(n=Count("pk")))
    counts = {row["reason"]: row["n"] for row in rows}
    excluded = {code.value: counts.get(code.value, 0) for code in EXCLUSION_REASONS}
    eligible = counts.get(ELIGIBLE, 0)
    return Preview(targeted=eligible + sum(excluded.values()), eligible=eligible, excluded=excluded)
