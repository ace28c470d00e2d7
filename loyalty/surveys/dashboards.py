"""Satisfaction figures for managers: NPS and CSAT by month, branch, relationship manager,
segment and channel, response rates, detractor recovery, and the RM scorecard.

Everything is counted in SQL with one grouped query per table, over the responses' and
invitations' own copies of branch, RM, segment and channel (taken when the survey was sent),
so a figure does not move when a customer changes hands later and no query joins the
customers. Figures hold counts only, never a customer.

NPS = % promoters (9-10) - % detractors (0-6) of the NPS answers; CSAT = % of CSAT answers
that are 4 or 5. A group with no answer has no score (None), not zero.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from crm.models import Branch
from crm.roles import Role
from crm.selectors import staff_in_branch
from customers import permissions
from customers.models import (
    OPEN_STATUSES,
    ContactChannel,
    Customer,
    FollowUp,
    FollowUpOutcome,
    FollowUpStatus,
    Segment,
)
from loyalty.models import SurveyInvitation, SurveyInvitationStatus, SurveyResponse
from loyalty.permissions_engagement import EngagementAction, check

DIMENSIONS = ("branch", "relationship_manager", "segment", "channel")
SENT_STATUSES = (SurveyInvitationStatus.SENT, SurveyInvitationStatus.RESPONDED)


@dataclass(frozen=True)
class DashboardScope:
    """Which branches a user's figures cover: one branch, or every branch (None)."""

    branch_id: int | None
    branches: list[Branch] = field(default_factory=list)


def dashboard_scope(*, actor, branch_id: int | None = None) -> DashboardScope:
    """The branches `actor` may see figures of, narrowed to `branch_id` when given.

    Raise PermissionDenied unless `actor` may see satisfaction figures (of that branch)."""
    check(actor, EngagementAction.VIEW_SATISFACTION)
    if permissions.is_head_office(actor):
        branches = list(Branch.objects.order_by("code"))
        if branch_id is not None:
            check(actor, EngagementAction.VIEW_SATISFACTION, Branch(pk=branch_id))
            if not any(branch.pk == branch_id for branch in branches):
                branch_id = None
        return DashboardScope(branch_id=branch_id, branches=branches)
    own = permissions.user_branch_id(actor)
    if branch_id is not None and branch_id != own:
        check(actor, EngagementAction.VIEW_SATISFACTION, Branch(pk=branch_id))
    return DashboardScope(branch_id=own, branches=list(Branch.objects.filter(pk=own)))


def _window(months: int, today: datetime.date) -> datetime.datetime:
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))


def _scores() -> dict:
    return {
        "nps_answers": Count("pk", filter=Q(nps_score__isnull=False)),
        "promoters": Count("pk", filter=Q(nps_score__gte=9)),
        "detractors": Count("pk", filter=Q(nps_score__lte=6)),
        "csat_answers": Count("pk", filter=Q(csat_score__isnull=False)),
        "satisfied": Count("pk", filter=Q(csat_score__gte=4)),
        "csat_average": Avg("csat_score"),
        "responses": Count("pk"),
    }


def nps(promoters: int, detractors: int, answers: int) -> int | None:
    if not answers:
        return None
    return round(100 * (promoters - detractors) / answers)


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _finish(row: dict) -> dict:
    row["nps"] = nps(row["promoters"], row["detractors"], row["nps_answers"])
    row["csat"] = percent(row["satisfied"], row["csat_answers"])
    return row


def _month_key(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def satisfaction_figures(
    *, scope: DashboardScope, months: int = 12, today: datetime.date | None = None
) -> dict:
    """NPS, CSAT and response rates of the scope's branches over the last `months` months:
    by month (with the response rate), by branch, RM, segment and channel (each with its
    response rate), and the detractor recovery (call-backs done, reached, open, overdue)."""
    today = today or timezone.localdate()
    since = _window(months, today)
    bank_zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    answers = SurveyResponse.objects.filter(submitted_at__gte=since)
    sent = SurveyInvitation.objects.filter(sent_at__gte=since, status__in=SENT_STATUSES)
    if scope.branch_id is not None:
        answers = answers.filter(branch_id=scope.branch_id)
        sent = sent.filter(branch_id=scope.branch_id)

    month_sent = {
        _month_key(row["month"]): row["sent"]
        for row in sent.annotate(month=TruncMonth("sent_at", tzinfo=bank_zone))
        .values("month")
        .annotate(sent=Count("pk"))
    }
    by_month = []
    for row in (
        answers.annotate(month=TruncMonth("submitted_at", tzinfo=bank_zone))
        .values("month")
        .annotate(**_scores())
        .order_by("month")
    ):
        row = _finish(dict(row))
        row["month"] = _month_key(row["month"])
        row["sent"] = month_sent.get(row["month"], 0)
        row["rate"] = percent(row["responses"], row["sent"])
        by_month.append(row)

    groups = {}
    for dimension in DIMENSIONS:
        sent_by = {row[dimension]: row["sent"] for row in sent.values(dimension).annotate(sent=Count("pk"))}
        rows = []
        for row in answers.values(dimension).annotate(**_scores()).order_by(dimension):
            row = _finish(dict(row))
            row["key"] = row.pop(dimension)
            row["sent"] = sent_by.get(row["key"], 0)
            row["rate"] = percent(row["responses"], row["sent"])
            rows.append(row)
        groups[dimension] = rows
    _label(groups)

    recovery = answers.filter(is_detractor=True).aggregate(
        detractors=Count("pk"),
        called=Count("pk", filter=Q(follow_up__status=FollowUpStatus.DONE)),
        reached=Count("pk", filter=Q(follow_up__outcome=FollowUpOutcome.REACHED)),
        open=Count("pk", filter=Q(follow_up__status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(follow_up__status=FollowUpStatus.OVERDUE)),
        without=Count("pk", filter=Q(follow_up__isnull=True)),
    )
    recovery["reached_rate"] = percent(recovery["reached"], recovery["detractors"])
    totals = _finish(dict(answers.aggregate(**_scores())))
    totals["sent"] = sent.count()
    totals["rate"] = percent(totals["responses"], totals["sent"])
    return {
        "since": since.date(),
        "by_month": by_month,
        "groups": groups,
        "recovery": recovery,
        "totals": totals,
    }


def _label(groups: dict) -> None:
    branch_names = dict(
        Branch.objects.filter(pk__in=[row["key"] for row in groups["branch"] if row["key"]]).values_list(
            "pk", "name"
        )
    )
    users = get_user_model().objects.filter(
        pk__in=[row["key"] for row in groups["relationship_manager"] if row["key"]]
    )
    rm_names = {user.pk: user.get_full_name() or user.get_username() for user in users}
    labels = {
        "branch": branch_names,
        "relationship_manager": rm_names,
        "segment": dict(Segment.choices),
        "channel": dict(ContactChannel.choices),
    }
    for dimension, rows in groups.items():
        for row in rows:
            row["label"] = str(labels[dimension].get(row["key"], "—")) if row["key"] else "—"


def rm_scorecard(*, scope: DashboardScope, months: int = 6, today: datetime.date | None = None) -> list[dict]:
    """One row per relationship manager of the scope's branch (every RM with a book or an
    answer, for head office): their book, follow-up discipline (follow-ups due in the window
    done by their due date; open overdue now), survey figures (responses, response rate, NPS,
    CSAT) and detractor recovery (call-backs reached / detractors). A fixed number of
    queries, whatever the number of RMs."""
    today = today or timezone.localdate()
    since = _window(months, today)
    if scope.branch_id is not None:
        managers = list(staff_in_branch(scope.branch_id, Role.RELATIONSHIP_MANAGER.value))
    else:
        managers = list(
            get_user_model()
            .objects.filter(is_active=True, groups__name=Role.RELATIONSHIP_MANAGER.value)
            .distinct()
            .order_by("username")
        )
    ids = [manager.pk for manager in managers]
    books = dict(
        Customer.objects.filter(relationship_manager_id__in=ids, merged_into__isnull=True)
        .values("relationship_manager_id")
        .annotate(n=Count("pk"))
        .values_list("relationship_manager_id", "n")
    )
    follow_ups = {
        row["assigned_to_id"]: row
        for row in FollowUp.objects.filter(
            assigned_to_id__in=ids, due_on__gte=since.date(), due_on__lte=today
        )
        .values("assigned_to_id")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=Q(status=FollowUpStatus.DONE, completed_at__date__lte=F("due_on"))),
            overdue=Count("pk", filter=Q(status=FollowUpStatus.OVERDUE)),
        )
    }
    answers = {
        row["relationship_manager_id"]: row
        for row in SurveyResponse.objects.filter(relationship_manager_id__in=ids, submitted_at__gte=since)
        .values("relationship_manager_id")
        .annotate(
            **_scores(),
            recovered=Count("pk", filter=Q(is_detractor=True, follow_up__outcome=FollowUpOutcome.REACHED)),
            unhappy=Count("pk", filter=Q(is_detractor=True)),
        )
    }
    sent = dict(
        SurveyInvitation.objects.filter(
            relationship_manager_id__in=ids, sent_at__gte=since, status__in=SENT_STATUSES
        )
        .values("relationship_manager_id")
        .annotate(n=Count("pk"))
        .values_list("relationship_manager_id", "n")
    )
    rows = []
    for manager in managers:
        work = follow_ups.get(manager.pk, {"due": 0, "on_time": 0, "overdue": 0})
        answer = answers.get(manager.pk)
        answer = (
            _finish(dict(answer))
            if answer
            else {"responses": 0, "nps": None, "csat": None, "unhappy": 0, "recovered": 0}
        )
        rows.append(
            {
                "manager": manager,
                "name": manager.get_full_name() or manager.get_username(),
                "book": books.get(manager.pk, 0),
                "due": work["due"],
                "on_time": percent(work["on_time"], work["due"]),
                "overdue": work["overdue"],
                "sent": sent.get(manager.pk, 0),
                "responses": answer["responses"],
                "rate": percent(answer["responses"], sent.get(manager.pk, 0)),
                "nps": answer["nps"],
                "csat": answer["csat"],
                "unhappy": answer["unhappy"],
                "recovered": answer["recovered"],
                "recovery": percent(answer["recovered"], answer["unhappy"]),
            }
        )
    return rows
