"""The nightly set-based placement of every customer by the active rules.

`segments_recompute` walks customers in primary-key ranges. Each range is one UPDATE ... FROM
statement (with the history rows written by an INSERT ... SELECT in the same statement): no
row reaches Python, so memory stays flat however many customers there are.

`Customer.segment_basis` keeps what the rule used when it placed the customer:
{"rule": id, "version": n, "conditions": [{"metric", "op", "value", "figure"}]} with amounts
and counts as strings ("7200000.00"); {"override": id} while an override holds.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.db import OperationalError, connection, transaction
from django.utils import timezone

from compliance.audit import audit_record
from customers.models import SEGMENT_RANK, CustomerEventKind
from customers.segmentation.rules import CompiledRules, active_rule_set, compile_rules

logger = logging.getLogger(__name__)

OBJECT_TYPE_RULE_SET = "customers.segmentruleset"


class SegmentationNotConfigured(Exception):
    """No active rule set: the data migration or an administrator must provide one."""


class SegmentBatchFailed(OperationalError):
    """A batch failed on a database error; customers with ids in (after, last_id] are the
    batch. Earlier batches are committed, so a retry may resume with start_after=after."""

    def __init__(self, *, after: int, last_id: int):
        super().__init__(f"segment recompute batch failed for customer ids > {after} and <= {last_id}")
        self.after = after
        self.last_id = last_id


@dataclass
class RecomputeResult:
    """What a recomputation did, in counts."""

    version: int = 0
    batches: int = 0
    scanned: int = 0
    overridden: int = 0
    updated: int = 0
    segment_changes: int = 0
    upgraded: int = 0
    downgraded: int = 0
    last_id: int = 0
    batch_ranges: list[tuple[int, int]] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict:
        return {
            "version": self.version, "batches": self.batches, "scanned": self.scanned,
            "overridden": self.overridden, "updated": self.updated,
            "segment_changes": self.segment_changes, "upgraded": self.upgraded,
            "downgraded": self.downgraded,
        }


def _ranked_segments() -> list[str]:
    return [str(segment) for segment, _rank in sorted(SEGMENT_RANK.items(), key=lambda item: item[1])]


_BATCH_BOUND_SQL = (
    "SELECT max(id) FROM (SELECT id FROM customers_customer WHERE id > %s {only} ORDER BY id LIMIT %s) b"
)

_BATCH_SQL = """
WITH scan AS (
    SELECT c.id, c.kind, c.segment AS old_segment, c.segment_rule_id AS old_rule_id,
           c.aum AS m_aum, ip.income_band AS m_income, cp.revenue_band AS m_revenue,
           cp.employees AS m_employees, cardinality(cp.countries_of_operation) AS m_countries,
           EXISTS (
               SELECT 1 FROM customers_segmentoverride o
               WHERE o.customer_id = c.id AND o.ended_at IS NULL AND o.expires_on >= %s
           ) AS overridden
    FROM customers_customer c
    -- The profiles' keys are customer ids: bounding them too lets PostgreSQL read the range
    -- from their primary keys instead of hashing the whole profile table for every batch.
    LEFT JOIN customers_individualprofile ip
        ON ip.customer_id = c.id AND ip.customer_id > %s AND ip.customer_id <= %s
    LEFT JOIN customers_corporateprofile cp
        ON cp.customer_id = c.id AND cp.customer_id > %s AND cp.customer_id <= %s
    WHERE c.id > %s AND c.id <= %s {only}
),
matched AS (
    SELECT s.*, {rule_sql} AS rule_id
    FROM scan s
    WHERE NOT s.overridden
),
target AS (
    SELECT s.id, s.old_segment, s.rule_id, r.segment AS new_segment, {basis_sql} AS basis
    FROM matched s
    JOIN customers_segmentrule r ON r.id = s.rule_id
    WHERE s.old_segment IS DISTINCT FROM r.segment OR s.old_rule_id IS DISTINCT FROM s.rule_id
),
updated AS (
    UPDATE customers_customer c
    SET segment = t.new_segment,
        segment_rule_id = t.rule_id,
        segment_basis = t.basis,
        segment_since = CASE WHEN c.segment IS DISTINCT FROM t.new_segment THEN %s::date
                             ELSE COALESCE(c.segment_since, %s::date) END,
        updated_at = %s
    FROM target t
    WHERE c.id = t.id
    RETURNING c.id, t.old_segment, t.new_segment, t.rule_id
),
events AS (
    INSERT INTO customers_customerevent (customer_id, kind, data, actor_id, occurred_at)
    SELECT u.id, %s,
           jsonb_build_object(
               'from', u.old_segment, 'to', u.new_segment, 'rule', u.rule_id, 'version', %s::int,
               'direction', CASE WHEN array_position(%s::text[], u.new_segment)
                                      > array_position(%s::text[], u.old_segment)
                                 THEN 'up' ELSE 'down' END),
           NULL, %s
    FROM updated u
    WHERE u.old_segment IS DISTINCT FROM u.new_segment
    RETURNING data ->> 'direction' AS direction
)
SELECT (SELECT count(*) FROM scan),
       (SELECT count(*) FROM scan WHERE overridden),
       (SELECT count(*) FROM updated),
       (SELECT count(*) FROM events WHERE direction = 'up'),
       (SELECT count(*) FROM events WHERE direction = 'down')
"""


def _batch_upper_bound(*, after: int, batch_size: int, only_ids: list[int] | None) -> int | None:
    only = "AND id = ANY(%s)" if only_ids is not None else ""
    params: list = [after] + ([only_ids] if only_ids is not None else []) + [batch_size]
    with connection.cursor() as cursor:
        cursor.execute(_BATCH_BOUND_SQL.format(only=only), params)
        return cursor.fetchone()[0]


def _recompute_batch(*, compiled: CompiledRules, after: int, last_id: int, only_ids: list[int] | None,
                     today: datetime.date, now: datetime.datetime) -> tuple[int, ...]:
    only = "AND c.id = ANY(%s)" if only_ids is not None else ""
    sql = _BATCH_SQL.format(only=only, rule_sql=compiled.rule_sql, basis_sql=compiled.basis_sql)
    ranked = _ranked_segments()
    params: list = [today, after, last_id, after, last_id, after, last_id]
    if only_ids is not None:
        params.append(only_ids)
    params += compiled.rule_params
    params += compiled.basis_params
    params += [today, today, now]
    params += [CustomerEventKind.SEGMENT_CHANGED.value, compiled.version, ranked, ranked, now]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return tuple(cursor.fetchone())


def segments_recompute(*, batch_size: int = 20000, customer_ids=None,
                       start_after: int = 0) -> RecomputeResult:
    """Place customers by the active rules, in primary-key ranges of `batch_size`.

    Each range is one transaction and one statement: customers whose segment or rule changed
    get the new segment, rule and basis (`segment_since` becomes today when the segment
    changes), and each segment change writes a SEGMENT_CHANGED history row {"from", "to",
    "rule", "version", "direction"}. Customers with an open, unexpired override are left as
    the override set them. A second run with the same data changes nothing. `customer_ids`
    limits the run to those customers; `start_after` resumes after a failed batch.

    Raise SegmentationNotConfigured without an active rule set, ValidationError if a stored
    rule is invalid, SegmentBatchFailed (an OperationalError) naming the id range of a batch
    that hit a database error; batches before it stay committed.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    rule_set = active_rule_set()
    if rule_set is None:
        raise SegmentationNotConfigured("No active segment rule set.")
    compiled = compile_rules(rule_set)
    result = RecomputeResult(version=rule_set.version, last_id=start_after)
    only_ids = sorted({int(pk) for pk in customer_ids}) if customer_ids is not None else None
    if only_ids is not None and not only_ids:
        return result
    today = timezone.localdate()
    after = start_after
    while True:
        last_id = None
        try:
            last_id = _batch_upper_bound(after=after, batch_size=batch_size, only_ids=only_ids)
            if last_id is None:
                break
            with transaction.atomic():
                scanned, overridden, updated, upgraded, downgraded = _recompute_batch(
                    compiled=compiled, after=after, last_id=last_id, only_ids=only_ids, today=today,
                    now=timezone.now(),
                )
                if updated:
                    audit_record(
                        actor=None, action="segments.recomputed", object_type=OBJECT_TYPE_RULE_SET,
                        object_id=rule_set.pk, fields=["segment", "segment_rule", "segment_basis"],
                        extra={"version": rule_set.version, "after_id": after, "last_id": last_id,
                               "updated": updated, "upgraded": upgraded, "downgraded": downgraded},
                    )
        except OperationalError as exc:
            logger.warning(
                "Segment recompute batch failed: customer ids > %s and <= %s (%s)",
                after, last_id if last_id is not None else "?", type(exc).__name__,
            )
            raise SegmentBatchFailed(after=after, last_id=last_id or after) from exc
        result.batches += 1
        result.scanned += scanned
        result.overridden += overridden
        result.updated += updated
        result.upgraded += upgraded
        result.downgraded += downgraded
        result.segment_changes += upgraded + downgraded
        result.batch_ranges.append((after, last_id))
        result.last_id = last_id
        after = last_id
    logger.info("Segments recomputed with rules v%s: %s", rule_set.version, result.as_dict())
    return result
