"""The monthly tier review, as set-based SQL in batches of customer ids.

For each batch, one transaction: record this month's AUM sample per customer (once a month,
unique), then in one statement compute each customer's points earned over the rolling 12
months (earns less reversals) and average AUM over the last 12 monthly samples, the
highest tier both meet, and decide: a better (or equal) tier is taken at once; a worse one
only once the customer has been below their tier for LOYALTY_TIER_DOWNGRADE_GRACE_DAYS
(`below_since` records when they first fell short; meeting the tier again clears it). The
memberships are upserted and each change is written as a TierChange (once per customer per
review date), which the customer page shows. A rerun on the same day changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from customers.models import Customer
from loyalty.models import AumSample, PointsAccount, PointsEntry, Tier, TierChange, TierMembership

BATCH_SIZE = 10_000
CUSTOMERS = Customer._meta.db_table

_SAMPLE = f"""
    INSERT INTO {AumSample._meta.db_table} (customer_id, month, aum)
    SELECT id, %(month)s, aum FROM {CUSTOMERS}
    WHERE id > %(after)s AND id <= %(until)s AND merged_into_id IS NULL
    ON CONFLICT (customer_id, month) DO NOTHING
"""  # noqa: S608 - table names only

_REVIEW = f"""
    WITH batch AS (
        SELECT id AS customer_id FROM {CUSTOMERS}
        WHERE id > %(after)s AND id <= %(until)s AND merged_into_id IS NULL
    ), earned AS (
        SELECT account.customer_id, SUM(entry.points) AS points
        FROM {PointsAccount._meta.db_table} account
        JOIN {PointsEntry._meta.db_table} entry ON entry.account_id = account.id
        WHERE account.customer_id > %(after)s AND account.customer_id <= %(until)s
          AND entry.kind IN ('earn', 'reverse') AND entry.occurred_at > %(since)s
              AND entry.occurred_at <= %(now)s
        GROUP BY account.customer_id
    ), assets AS (
        SELECT customer_id, AVG(aum) AS aum FROM {AumSample._meta.db_table}
        WHERE customer_id > %(after)s AND customer_id <= %(until)s
          AND month > %(since_month)s AND month <= %(month)s
        GROUP BY customer_id
    ), stats AS (
        SELECT batch.customer_id, COALESCE(earned.points, 0) AS points,
               ROUND(COALESCE(assets.aum, 0), 2) AS aum
        FROM batch LEFT JOIN earned USING (customer_id) LEFT JOIN assets USING (customer_id)
    ), qualified AS (
        SELECT stats.*, best.id AS tier_id, COALESCE(best.rank, 0) AS tier_rank
        FROM stats LEFT JOIN LATERAL (
            SELECT tier.id, tier.rank FROM {Tier._meta.db_table} tier
            WHERE tier.is_active AND tier.min_points <= stats.points AND tier.min_aum <= stats.aum
            ORDER BY tier.rank DESC LIMIT 1
        ) best ON TRUE
    ), held AS (
        SELECT qualified.*, membership.customer_id IS NOT NULL AS has_membership,
               membership.tier_id AS current_id, COALESCE(current.rank, 0) AS current_rank,
               membership.below_since
        FROM qualified
        LEFT JOIN {TierMembership._meta.db_table} membership ON membership.customer_id = qualified.customer_id
        LEFT JOIN {Tier._meta.db_table} current ON current.id = membership.tier_id
    ), decided AS (
        SELECT held.*,
               CASE WHEN tier_rank >= current_rank THEN tier_id
                    WHEN below_since IS NOT NULL AND below_since <= %(grace_start)s THEN tier_id
                    ELSE current_id END AS new_id,
               CASE WHEN tier_rank >= current_rank THEN tier_rank
                    WHEN below_since IS NOT NULL AND below_since <= %(grace_start)s THEN tier_rank
                    ELSE current_rank END AS new_rank,
               CASE WHEN tier_rank >= current_rank THEN NULL
                    WHEN below_since IS NOT NULL AND below_since <= %(grace_start)s THEN NULL
                    ELSE COALESCE(below_since, %(today)s) END AS new_below_since
        FROM held
    ), upserted AS (
        INSERT INTO {TierMembership._meta.db_table}
            (customer_id, tier_id, since, qualified_tier_id, points_12m, average_aum, below_since,
                reviewed_on)
        SELECT customer_id, new_id, %(today)s, tier_id, points, aum, new_below_since, %(today)s
        FROM decided WHERE has_membership OR new_id IS NOT NULL
        ON CONFLICT (customer_id) DO UPDATE SET
            since = CASE WHEN {TierMembership._meta.db_table}.tier_id IS DISTINCT FROM EXCLUDED.tier_id
                         THEN EXCLUDED.since ELSE {TierMembership._meta.db_table}.since END,
            tier_id = EXCLUDED.tier_id, qualified_tier_id = EXCLUDED.qualified_tier_id,
            points_12m = EXCLUDED.points_12m, average_aum = EXCLUDED.average_aum,
            below_since = EXCLUDED.below_since, reviewed_on = EXCLUDED.reviewed_on
    )
    INSERT INTO {TierChange._meta.db_table} (customer_id, kind, from_tier_id, to_tier_id, reviewed_on)
    SELECT customer_id,
           CASE WHEN current_id IS NULL THEN 'joined' WHEN new_rank > current_rank THEN 'upgrade'
                ELSE 'downgrade' END,
           current_id, new_id, %(today)s
    FROM decided WHERE new_id IS DISTINCT FROM current_id
    ON CONFLICT (customer_id, reviewed_on) DO NOTHING
    RETURNING kind
"""  # noqa: S608 - table names only


@dataclass
class TierReviewResult:
    batches: int = 0
    changes: dict = field(default_factory=lambda: {"joined": 0, "upgrade": 0, "downgrade": 0})

    def as_dict(self) -> dict:
        return {"batches": self.batches, **self.changes}


def _months_back(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 - count
    return datetime.date(index // 12, index % 12 + 1, 1)


def tiers_review(*, today: datetime.date | None = None, batch_size: int = BATCH_SIZE,
                 grace_days: int | None = None) -> TierReviewResult:
    """Review every customer's tier as of `today` (the bank's date); see the module docstring.
    Return the number of batches and of changes by kind."""
    today = today or timezone.localdate()
    grace = settings.LOYALTY_TIER_DOWNGRADE_GRACE_DAYS if grace_days is None else grace_days
    month = today.replace(day=1)
    now = timezone.now()
    params = {
        "today": today, "month": month, "since_month": _months_back(month, 12), "now": now,
        "since": now - datetime.timedelta(days=365), "grace_start": today - datetime.timedelta(days=grace),
    }
    last = Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    result, after = TierReviewResult(), 0
    while after < last:
        bounds = {"after": after, "until": after + batch_size}
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_SAMPLE, {**params, **bounds})
            cursor.execute(_REVIEW, {**params, **bounds})
            for (kind,) in cursor.fetchall():
                result.changes[kind] += 1
        result.batches += 1
        after += batch_size
    return result
