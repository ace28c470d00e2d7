"""The SQL of each life-event trigger: which events of customers in a primary-key range are
due, with the event's key and its non-identifying details.

Each function returns (sql, params) selecting `customer_id, cycle_key, reason, reason_data,
due_on` for customers with `lo <= id < hi`. The key names the event itself (the holding and
its maturity date, the birthday's year, the review date, the snapshot the drop is measured
against, the last contact), so an event fires once however often the scan runs.

Birthdays: the date of birth is encrypted and cannot be compared in SQL. The profile keeps
its month and day in clear (`IndividualProfile.birthday_hint`, see BirthdayHintField for why
that is acceptable), and the scan joins the month-days of the coming days to it.
"""

from __future__ import annotations

import calendar
import datetime

from customers.models import (
    AumSnapshot,
    Customer,
    CustomerStatus,
    Holding,
    HoldingStatus,
    IndividualProfile,
    TriggerKind,
    TriggerRule,
)

CUSTOMERS = Customer._meta.db_table
HOLDINGS = Holding._meta.db_table
PROFILES = IndividualProfile._meta.db_table
SNAPSHOTS = AumSnapshot._meta.db_table


def _maturity(rule: TriggerRule, today: datetime.date, lo: int, hi: int):
    sql = f"""
        SELECT h.customer_id, 'maturity:' || h.id || ':' || h.matures_on AS cycle_key,
               'maturity' AS reason,
               jsonb_build_object('product_type', h.product_type, 'account', h.account_number_mask,
                                  'date', h.matures_on) AS reason_data,
               %(today)s::date AS due_on
        FROM {HOLDINGS} h
        WHERE h.customer_id >= %(lo)s AND h.customer_id < %(hi)s AND h.status = %(active)s
          AND h.product_type = ANY(%(types)s) AND h.matures_on >= %(today)s
          AND h.matures_on <= %(until)s"""  # noqa: S608 - table names only
    return sql, {"types": list(rule.product_types), "active": HoldingStatus.ACTIVE,
                 "until": today + datetime.timedelta(days=rule.days_ahead)}


def birthday_month_days(today: datetime.date, days_ahead: int) -> tuple[list[str], list[datetime.date]]:
    """The month-days of `today` .. `today + days_ahead` and the date each falls on. In a
    year without 29 February, a 29 February birthday is kept on the 28th."""
    hints, dates = [], []
    for offset in range(days_ahead + 1):
        day = today + datetime.timedelta(days=offset)
        hints.append(f"{day.month:02d}-{day.day:02d}")
        dates.append(day)
        if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
            hints.append("02-29")
            dates.append(day)
    return hints, dates


def _birthday(rule: TriggerRule, today: datetime.date, lo: int, hi: int):
    hints, dates = birthday_month_days(today, rule.days_ahead)
    sql = f"""
        SELECT p.customer_id, 'birthday:' || extract(year FROM b.on_date)::int AS cycle_key,
               'birthday' AS reason, jsonb_build_object('date', b.on_date) AS reason_data,
               b.on_date AS due_on
        FROM {PROFILES} p
        JOIN unnest(%(hints)s::text[], %(dates)s::date[]) AS b(hint, on_date) ON p.birthday_hint = b.hint
        WHERE p.customer_id >= %(lo)s AND p.customer_id < %(hi)s"""  # noqa: S608 - table names only
    return sql, {"hints": hints, "dates": dates}


def _review(column: str, reason: str):
    def select(rule: TriggerRule, today: datetime.date, lo: int, hi: int):
        sql = f"""
            SELECT c.id, '{reason}:' || c.{column} AS cycle_key, '{reason}' AS reason,
                   jsonb_build_object('date', c.{column}) AS reason_data, %(today)s::date AS due_on
            FROM {CUSTOMERS} c
            WHERE c.id >= %(lo)s AND c.id < %(hi)s AND c.{column} <= %(until)s"""  # noqa: S608
        return sql, {"until": today + datetime.timedelta(days=rule.days_ahead)}
    return select


def _aum_drop(rule: TriggerRule, today: datetime.date, lo: int, hi: int):
    sql = f"""
        SELECT c.id, 'aum_drop:' || s.taken_on AS cycle_key, 'aum_drop' AS reason,
               jsonb_build_object('percent', round(100 * (s.aum - c.aum) / s.aum)::int,
                                  'since', s.taken_on) AS reason_data,
               %(today)s::date AS due_on
        FROM {CUSTOMERS} c JOIN {SNAPSHOTS} s ON s.customer_id = c.id
        WHERE c.id >= %(lo)s AND c.id < %(hi)s AND s.customer_id >= %(lo)s AND s.customer_id < %(hi)s
          AND s.aum > 0
          AND c.aum * 100 <= s.aum * (100 - %(threshold)s)"""  # noqa: S608 - table names only
    return sql, {"threshold": rule.threshold_percent}


def _dormant(rule: TriggerRule, today: datetime.date, lo: int, hi: int):
    sql = f"""
        SELECT c.id,
               'dormant:' || COALESCE(floor(extract(epoch FROM c.last_contact_at))::bigint::text,
                                      'never') AS cycle_key,
               'dormant' AS reason, jsonb_build_object('days', %(days)s::int) AS reason_data,
               %(today)s::date AS due_on
        FROM {CUSTOMERS} c
        WHERE c.id >= %(lo)s AND c.id < %(hi)s AND (
            (c.last_contact_at IS NULL AND c.since <= %(before)s)
            OR c.last_contact_at < %(before)s::timestamptz)"""  # noqa: S608 - table names only
    return sql, {"days": rule.dormant_days, "before": today - datetime.timedelta(days=rule.dormant_days)}


SELECTORS = {
    TriggerKind.MATURITY: _maturity,
    TriggerKind.BIRTHDAY: _birthday,
    TriggerKind.KYC_REVIEW: _review("kyc_review_due_on", TriggerKind.KYC_REVIEW.value),
    TriggerKind.RISK_REVIEW: _review("risk_review_due_on", TriggerKind.RISK_REVIEW.value),
    TriggerKind.AUM_DROP: _aum_drop,
    TriggerKind.DORMANT: _dormant,
}

EXCLUDED_STATUSES = (CustomerStatus.CLOSED,)
