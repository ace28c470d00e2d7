"""Points expiry and the reminders before it, as set-based SQL in batches of accounts.

`points_expire` runs daily (Celery beat). Each batch is one transaction: it locks its
accounts in primary-key order (the ledger's lock order), then in one statement writes one
"expire" entry per account for the lots past their expiry, the consumption rows, the lots
emptied and the cached balances. A rerun finds nothing left to expire: safe to run twice.

`expiry_reminders_send` runs daily: it records one ExpiryReminder per customer per expiry
window (the week their first points expire in; unique, so once however often it runs), then
asks the contact-pressure policy for each one not yet asked (actor None: the bank's own
scheduled sender; purpose service), and records the answer, sent or refused.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from customers import outreach
from customers.models import Channel, ContactChannel, ContactPurpose, Customer, SenderKind
from loyalty.models import ExpiryReminder, PointsAccount, PointsLot

logger = logging.getLogger(__name__)

BATCH_SIZE = 5000
ACCOUNTS = PointsAccount._meta.db_table
LOTS = PointsLot._meta.db_table
ENTRIES = "loyalty_pointsentry"
CONSUMPTIONS = "loyalty_lotconsumption"

_DUE_ACCOUNTS = f"""
    SELECT DISTINCT account_id FROM {LOTS}
    WHERE remaining > 0 AND expires_at <= %(now)s AND account_id > %(after)s
    ORDER BY account_id LIMIT %(limit)s
"""  # noqa: S608 - table names only
_LOCK_ACCOUNTS = f"SELECT id FROM {ACCOUNTS} WHERE id = ANY(%(ids)s) ORDER BY id FOR UPDATE"  # noqa: S608 - table names only
_EXPIRE = f"""
    WITH due AS (
        SELECT id, account_id, remaining FROM {LOTS}
        WHERE account_id = ANY(%(ids)s) AND remaining > 0 AND expires_at <= %(now)s
        FOR UPDATE
    ), totals AS (
        SELECT account_id, SUM(remaining) AS points FROM due GROUP BY account_id
    ), entries AS (
        INSERT INTO {ENTRIES} (account_id, kind, points, activity, reference, occurred_at, recorded_at)
        SELECT account_id, 'expire', -points, '', '', %(now)s, %(now)s FROM totals
        RETURNING id, account_id
    ), consumed AS (
        INSERT INTO {CONSUMPTIONS} (entry_id, lot_id, points)
        SELECT entries.id, due.id, due.remaining FROM due JOIN entries ON entries.account_id = due.account_id
    ), emptied AS (
        UPDATE {LOTS} SET remaining = 0 FROM due WHERE {LOTS}.id = due.id
    )
    UPDATE {ACCOUNTS} SET balance = {ACCOUNTS}.balance - totals.points
    FROM totals WHERE {ACCOUNTS}.id = totals.account_id
    RETURNING totals.points
"""  # noqa: S608 - table names only


@dataclass
class ExpiryResult:
    accounts: int = 0
    points: int = 0
    batches: int = 0

    def as_dict(self) -> dict:
        return {"accounts": self.accounts, "points": self.points, "batches": self.batches}


def points_expire(*, now: datetime.datetime | None = None, batch_size: int = BATCH_SIZE) -> ExpiryResult:
    """Expire every lot whose expiry is at or before `now` (default: now), in batches of
    `batch_size` accounts, each its own transaction. Return what was expired."""
    now = now or timezone.now()
    result, after = ExpiryResult(), 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(_DUE_ACCOUNTS, {"now": now, "after": after, "limit": batch_size})
            ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return result
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_LOCK_ACCOUNTS, {"ids": ids})
            cursor.execute(_EXPIRE, {"ids": ids, "now": now})
            expired = [row[0] for row in cursor.fetchall()]
        result.accounts += len(expired)
        result.points += int(sum(expired))
        result.batches += 1
        after = ids[-1]


_WINDOW_INSERT = f"""
    INSERT INTO {ExpiryReminder._meta.db_table}
        (customer_id, window_starts_on, points, expires_at, outcome, refusal_code, created_at)
    SELECT account.customer_id,
           (date_trunc('week', MIN(lot.expires_at) AT TIME ZONE %(zone)s))::date,
           SUM(lot.remaining), MIN(lot.expires_at), '', '', %(now)s
    FROM {LOTS} lot JOIN {ACCOUNTS} account ON account.id = lot.account_id
    WHERE lot.remaining > 0 AND lot.expires_at > %(now)s AND lot.expires_at <= %(horizon)s
      AND lot.account_id > %(after)s AND lot.account_id <= %(until)s
    GROUP BY account.customer_id
    ON CONFLICT (customer_id, window_starts_on) DO NOTHING
"""  # noqa: S608 - table names only

# The customer's preferred channel for a service message, on the contact channels.
CHANNEL_FOR = {
    Channel.EMAIL: ContactChannel.EMAIL, Channel.MESSAGING: ContactChannel.MESSAGING,
    Channel.MOBILE_APP: ContactChannel.APP_PUSH, Channel.ONLINE_BANKING: ContactChannel.APP_PUSH,
    Channel.LETTER: ContactChannel.POST,
}
DEFAULT_CHANNEL = ContactChannel.SMS


@dataclass
class ReminderResult:
    recorded: int = 0
    sent: int = 0
    refused: int = 0

    def as_dict(self) -> dict:
        return {"recorded": self.recorded, "sent": self.sent, "refused": self.refused}


def expiry_reminders_record(*, now: datetime.datetime | None = None, days: int | None = None,
                            batch_size: int = BATCH_SIZE * 4) -> int:
    """Record one reminder per customer whose points expire within `days`
    (LOYALTY_EXPIRY_REMINDER_DAYS) and who has none for that expiry window yet; set-based, in
    batches of account ids. Return how many were recorded."""
    now = now or timezone.now()
    horizon = now + datetime.timedelta(days=days or settings.LOYALTY_EXPIRY_REMINDER_DAYS)
    bounds = PointsAccount.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    recorded, after = 0, 0
    while after < bounds:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_WINDOW_INSERT, {"now": now, "horizon": horizon, "after": after,
                                            "until": after + batch_size, "zone": settings.TIME_ZONE})
            recorded += cursor.rowcount
        after += batch_size
    return recorded


def expiry_reminders_send(*, now: datetime.datetime | None = None, days: int | None = None,
                          batch_size: int = 500) -> ReminderResult:
    """Record the due reminders, then ask the contact-pressure policy about each reminder not
    yet asked and record its answer. A crash between the two leaves reminders unasked, which
    the next run asks: each is asked once."""
    result = ReminderResult(recorded=expiry_reminders_record(now=now, days=days))
    after = 0
    while True:
        pending = list(ExpiryReminder.objects.filter(outcome="", pk__gt=after).order_by("pk")[:batch_size])
        if not pending:
            return result
        customers = Customer.objects.in_bulk([reminder.customer_id for reminder in pending])
        preferred = dict(Customer.objects.filter(pk__in=customers).values_list(
            "pk", "individual__preferred_channel"))
        for reminder in pending:
            customer = customers[reminder.customer_id]
            channel = CHANNEL_FOR.get(preferred.get(customer.pk), DEFAULT_CHANNEL)
            decision = outreach.contact_request(
                actor=None, customer=customer, channel=channel, purpose=ContactPurpose.SERVICE,
                reason="Points about to expire",
                sender=outreach.ContactSender(kind=SenderKind.POINTS_REMINDER, id=str(reminder.pk)),
            )
            ExpiryReminder.objects.filter(pk=reminder.pk, outcome="").update(
                outcome=decision.log.outcome, refusal_code=decision.code, contact_log_id=decision.log.pk)
            if decision.allowed:
                result.sent += 1
            else:
                result.refused += 1
        after = pending[-1].pk
