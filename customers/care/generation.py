"""The daily follow-up run, set-based: one statement per step per range of customer ids.

1. For each range, in one transaction: insert the follow-ups of the contact plans' current
   cycles that fall due within the look-ahead, insert the follow-ups of every active trigger,
   and refresh the AUM snapshots that are older than the drop trigger's window. Every insert
   is INSERT ... SELECT ... ON CONFLICT (customer, cycle key) DO NOTHING: the unique
   constraint, not a check, makes the run exactly-once per customer per cycle, whether it runs
   twice, concurrently (the second insert waits for the first and then skips) or again after
   dying half-way (the ranges committed before the failure insert nothing the second time).
2. Open follow-ups follow their customer: each goes to the customer's current RM, or to the
   colleague covering the RM's book while a delegation runs, and back when it ends.
3. Open follow-ups past their due date are marked overdue.

A follow-up is assigned at creation to the same person, so a customer without an RM gets none.
Plan follow-ups are spread over the cycle by customer id (`due = cycle start + id mod cycle
length`); a customer whose day has already passed in the cycle (a first run, a new plan) is
spread over the days left of it instead, so a quarterly book is never due on one day.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from customers.care import triggers
from customers.care.periods import cycle_of
from customers.models import (
    OPEN_STATUSES,
    BookDelegation,
    ContactPlan,
    Customer,
    CustomerStatus,
    FollowUp,
    FollowUpStatus,
    TriggerKind,
    TriggerRule,
)

BATCH_SIZE = 20000
FOLLOW_UPS = FollowUp._meta.db_table
CUSTOMERS = Customer._meta.db_table
DELEGATIONS = BookDelegation._meta.db_table

# Who works a customer's follow-ups today: the colleague covering the RM's book, else the RM.
ASSIGNEE = f"""COALESCE((
    SELECT d.delegate_id FROM {DELEGATIONS} d
    WHERE d.relationship_manager_id = c.relationship_manager_id AND d.starts_on <= %(today)s
      AND d.ends_on >= %(today)s AND d.revoked_at IS NULL
    ORDER BY d.id DESC LIMIT 1), c.relationship_manager_id)"""  # noqa: S608 - table names only

WORKED_CUSTOMER = """c.relationship_manager_id IS NOT NULL AND c.merged_into_id IS NULL
    AND c.status <> %(closed)s"""


@dataclass
class GenerationResult:
    planned: int = 0
    triggered: dict[str, int] = field(default_factory=dict)
    moved: int = 0
    overdue: int = 0
    batches: int = 0

    def as_dict(self) -> dict:
        return {"planned": self.planned, "triggered": dict(self.triggered), "moved": self.moved,
                "overdue": self.overdue, "batches": self.batches}


def _lookahead() -> int:
    return getattr(settings, "CARE_LOOKAHEAD_DAYS", 7)


def _plan_rows(today: datetime.date):
    plans = list(ContactPlan.objects.filter(is_active=True))
    rows = {"segments": [], "ids": [], "starts": [], "days": [], "channels": [], "data": []}
    for plan in plans:
        cycle = cycle_of(today=today, interval_days=plan.interval_days, interval_months=plan.interval_months)
        rows["segments"].append(plan.segment)
        rows["ids"].append(plan.pk)
        rows["starts"].append(cycle.starts_on)
        rows["days"].append(cycle.days)
        rows["channels"].append(plan.channel)
        interval = {"months": plan.interval_months} if plan.interval_months else {"days": plan.interval_days}
        rows["data"].append(json.dumps(interval))
    return rows


# A plan follow-up's day: the customer's spread day in the cycle (cycle start + id mod cycle
# length); when that day has already passed (the plan is new, or the customer joined the
# segment late), a day spread over what is left of the cycle, so a first run does not make the
# whole backlog due at once.
PLAN_DUE = """CASE WHEN p.starts_on + (c.id %% p.days)::int >= %(today)s::date
        THEN p.starts_on + (c.id %% p.days)::int
        ELSE %(today)s::date + (c.id %% (p.starts_on + p.days - %(today)s::date))::int END"""


def _plan_insert(assignee: str) -> str:
    return f"""
    INSERT INTO {FOLLOW_UPS} (customer_id, assigned_to_id, cycle_key, reason, reason_data, channel,
                              due_on, status, outcome, needs_discovered, created_at)
    SELECT c.id, {assignee}, 'plan:' || p.plan_id || ':' || p.starts_on, 'plan', p.data::jsonb, p.channel,
           {PLAN_DUE}, %(open)s, '', '{{}}', now()
    FROM {CUSTOMERS} c
    JOIN unnest(%(segments)s::text[], %(ids)s::int[], %(starts)s::date[], %(days)s::int[],
                %(channels)s::text[], %(data)s::text[])
         AS p(segment, plan_id, starts_on, days, channel, data) ON p.segment = c.segment
    WHERE c.id >= %(lo)s AND c.id < %(hi)s AND {WORKED_CUSTOMER}
      AND {PLAN_DUE} <= %(horizon)s
    ON CONFLICT (customer_id, cycle_key) DO NOTHING"""  # noqa: S608 - table names only


def _trigger_insert(select_sql: str, assignee: str = ASSIGNEE) -> str:
    return f"""
    INSERT INTO {FOLLOW_UPS} (customer_id, assigned_to_id, cycle_key, reason, reason_data, channel,
                              due_on, status, outcome, needs_discovered, created_at)
    SELECT c.id, {assignee}, e.cycle_key, e.reason, e.reason_data, %(channel)s, e.due_on, %(open)s, '',
           '{{}}', now()
    FROM ({select_sql}) AS e(customer_id, cycle_key, reason, reason_data, due_on)
    JOIN {CUSTOMERS} c ON c.id = e.customer_id
    WHERE {WORKED_CUSTOMER}
    ON CONFLICT (customer_id, cycle_key) DO NOTHING"""  # noqa: S608 - table names only


SNAPSHOT_REFRESH = f"""
    INSERT INTO {triggers.SNAPSHOTS} (customer_id, aum, taken_on)
    SELECT c.id, c.aum, %(today)s FROM {CUSTOMERS} c WHERE c.id >= %(lo)s AND c.id < %(hi)s
    ON CONFLICT (customer_id) DO UPDATE SET aum = EXCLUDED.aum, taken_on = EXCLUDED.taken_on
    WHERE {triggers.SNAPSHOTS}.taken_on <= %(stale)s"""  # noqa: S608 - table names only


def id_ranges(batch_size: int, start_after: int = 0):
    """Ranges [lo, hi) of `batch_size` customer ids covering every customer after `start_after`."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id), max(id) FROM {CUSTOMERS} WHERE id > %s", [start_after])  # noqa: S608
        low, high = cursor.fetchone()
    if low is None:
        return
    for lo in range(low, high + 1, batch_size):
        yield lo, lo + batch_size


def _assignee(delegations: bool) -> str:
    """Who a new follow-up goes to: the delegate while a delegation runs, else the RM (no
    delegation read per row on a day none runs)."""
    return ASSIGNEE if delegations else "c.relationship_manager_id"


def generate_range(*, lo: int, hi: int, today: datetime.date, plans: dict, rules: list[TriggerRule],
                   result: GenerationResult, delegations: bool | None = None) -> None:
    """Insert the plan and trigger follow-ups of customers `lo <= id < hi` and refresh their
    AUM snapshots, in one transaction. `delegations`: whether a delegation runs today (asked
    when not given)."""
    common = {"lo": lo, "hi": hi, "today": today, "open": FollowUpStatus.OPEN,
              "closed": CustomerStatus.CLOSED}
    assignee = _assignee(delegations_run(today) if delegations is None else delegations)
    with transaction.atomic(), connection.cursor() as cursor:
        if plans["ids"]:
            cursor.execute(_plan_insert(assignee), {**common, **plans,
                                         "horizon": today + datetime.timedelta(days=_lookahead())})
            result.planned += cursor.rowcount
        drop_rule = None
        for rule in rules:
            select_sql, params = triggers.SELECTORS[rule.kind](rule, today, lo, hi)
            cursor.execute(_trigger_insert(select_sql, assignee), {**common, **params, "channel": "phone"})
            result.triggered[rule.kind] = result.triggered.get(rule.kind, 0) + cursor.rowcount
            if rule.kind == TriggerKind.AUM_DROP:
                drop_rule = rule
        if drop_rule is not None:
            cursor.execute(SNAPSHOT_REFRESH, {
                **common, "stale": today - datetime.timedelta(days=max(drop_rule.days_ahead, 1)),
            })


# Only the range's open follow-ups are looked at (a few per cent of its customers): the
# assignee is worked out for each of them, not for every customer of the range.
REALIGN = f"""
    UPDATE {FOLLOW_UPS} f SET assigned_to_id = a.assignee
    FROM (SELECT o.id AS follow_up_id, {ASSIGNEE} AS assignee
          FROM {FOLLOW_UPS} o JOIN {CUSTOMERS} c ON c.id = o.customer_id
          WHERE o.customer_id >= %(lo)s AND o.customer_id < %(hi)s AND o.status = ANY(%(open)s)
            AND c.relationship_manager_id IS NOT NULL) a
    WHERE f.id = a.follow_up_id AND f.assigned_to_id <> a.assignee"""  # noqa: S608 - table names only

# The same when no delegation runs today: every open follow-up goes to its customer's RM.
REALIGN_TO_RMS = f"""
    UPDATE {FOLLOW_UPS} f SET assigned_to_id = c.relationship_manager_id
    FROM {CUSTOMERS} c
    WHERE c.id = f.customer_id AND f.customer_id >= %(lo)s AND f.customer_id < %(hi)s
      AND f.status = ANY(%(open)s) AND c.relationship_manager_id IS NOT NULL
      AND f.assigned_to_id <> c.relationship_manager_id"""  # noqa: S608 - table names only

MARK_OVERDUE = f"""
    UPDATE {FOLLOW_UPS} SET status = %(overdue)s
    WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND status = %(open)s AND due_on < %(today)s"""  # noqa: S608 - table names only


def delegations_run(today: datetime.date) -> bool:
    """Whether any delegation covers a book on `today` (one indexed read per run)."""
    return BookDelegation.objects.filter(starts_on__lte=today, ends_on__gte=today,
                                         revoked_at__isnull=True).exists()


def follow_ups_realign_range(*, lo: int, hi: int, today: datetime.date,
                             delegations: bool | None = None) -> int:
    """Give the open follow-ups of customers `lo <= id < hi` to whoever works the customer
    today; return how many moved. `delegations`: whether any delegation runs today (asked
    when not given); without one, the assignee is the customer's RM and no delegation is read."""
    if delegations is None:
        delegations = delegations_run(today)
    with connection.cursor() as cursor:
        cursor.execute(REALIGN if delegations else REALIGN_TO_RMS,
                       {"lo": lo, "hi": hi, "today": today,
                        "open": [status.value for status in OPEN_STATUSES]})
        return cursor.rowcount


def follow_ups_generate(*, today: datetime.date | None = None, batch_size: int = BATCH_SIZE,
                        start_after: int = 0) -> GenerationResult:
    """The daily run (see the module): safe to run again, concurrently, or after a failure.

    A database error in a range propagates; the ranges before it stay committed and a rerun
    (from the start, or from `start_after`) completes the rest exactly once.
    """
    today = today or timezone.localdate()
    plans = _plan_rows(today)
    rules = list(TriggerRule.objects.filter(is_active=True))
    result = GenerationResult()
    delegations = delegations_run(today)
    for lo, hi in id_ranges(batch_size, start_after):
        generate_range(lo=lo, hi=hi, today=today, plans=plans, rules=rules, result=result,
                       delegations=delegations)
        with transaction.atomic():
            result.moved += follow_ups_realign_range(lo=lo, hi=hi, today=today,
                                                     delegations=delegations)
            with connection.cursor() as cursor:
                cursor.execute(MARK_OVERDUE, {"lo": lo, "hi": hi, "today": today, "open": FollowUpStatus.OPEN,
                                              "overdue": FollowUpStatus.OVERDUE})
                result.overdue += cursor.rowcount
        result.batches += 1
    return result
