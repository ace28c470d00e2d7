"""The ledger's consistency check (`manage.py loyalty_check`, nightly from beat): every
account's cached balance equals the sum of its entries and the sum of its lots' remaining
points, and every lot's consumed points equal its consumption rows. Set-based SQL."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from loyalty.points.expiry import ACCOUNTS, CONSUMPTIONS, ENTRIES, LOTS

_ACCOUNTS = f"""
    SELECT account.id, account.customer_id, account.balance,
           COALESCE(entries.total, 0), COALESCE(lots.total, 0)
    FROM {ACCOUNTS} account
    LEFT JOIN (SELECT account_id, SUM(points) AS total FROM {ENTRIES} GROUP BY account_id) entries
           ON entries.account_id = account.id
    LEFT JOIN (SELECT account_id, SUM(remaining) AS total FROM {LOTS} GROUP BY account_id) lots
           ON lots.account_id = account.id
    WHERE account.balance <> COALESCE(entries.total, 0) OR account.balance <> COALESCE(lots.total, 0)
    ORDER BY account.id LIMIT %(limit)s
"""  # noqa: S608 - table names only
_LOTS = f"""
    SELECT lot.id, lot.account_id, lot.original - lot.remaining, COALESCE(used.total, 0)
    FROM {LOTS} lot
    LEFT JOIN (SELECT lot_id, SUM(points) AS total FROM {CONSUMPTIONS} GROUP BY lot_id) used
           ON used.lot_id = lot.id
    WHERE lot.original - lot.remaining <> COALESCE(used.total, 0)
    ORDER BY lot.id LIMIT %(limit)s
"""  # noqa: S608 - table names only
_TOTALS = f"""
    SELECT (SELECT COALESCE(SUM(balance), 0) FROM {ACCOUNTS}),
           (SELECT COALESCE(SUM(points), 0) FROM {ENTRIES}),
           (SELECT COALESCE(SUM(remaining), 0) FROM {LOTS} WHERE remaining > 0 AND expires_at > now())
"""  # noqa: S608 - table names only


@dataclass
class LedgerCheck:
    """What the check found: accounts and lots that disagree (at most `limit` of each), the
    total of the cached balances, of the entries, and the outstanding liability (unexpired
    points)."""

    accounts: list[dict] = field(default_factory=list)
    lots: list[dict] = field(default_factory=list)
    total_balance: int = 0
    total_entries: int = 0
    liability: int = 0

    @property
    def ok(self) -> bool:
        return not self.accounts and not self.lots and self.total_balance == self.total_entries

    def as_dict(self) -> dict:
        return {"ok": self.ok, "accounts": self.accounts, "lots": self.lots,
                "total_balance": self.total_balance,
                "total_entries": self.total_entries, "liability": self.liability}


def ledger_check(*, limit: int = 100) -> LedgerCheck:
    """Compare the cached balances, the entries and the lots; return what disagrees."""
    result = LedgerCheck()
    with connection.cursor() as cursor:
        cursor.execute(_ACCOUNTS, {"limit": limit})
        result.accounts = [{"account": row[0], "customer": row[1], "balance": int(row[2]),
                            "entries": int(row[3]),
                            "lots": int(row[4])} for row in cursor.fetchall()]
        cursor.execute(_LOTS, {"limit": limit})
        result.lots = [{"lot": row[0], "account": row[1], "consumed": int(row[2]),
                        "consumptions": int(row[3])}
                       for row in cursor.fetchall()]
        cursor.execute(_TOTALS)
        total_balance, total_entries, liability = cursor.fetchone()
    result.total_balance, result.total_entries, result.liability = (int(total_balance), int(total_entries),
                                                                     int(liability))
    return result
