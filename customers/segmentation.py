"""Segmentation: versioned rules, the nightly set-based recomputation, manual overrides and the
explanation staff read on the 360 page.

Rules
    A `SegmentRuleSet` is one version of the rules; exactly one is active. Its rules are
    ordered per customer kind by `priority`; the first rule whose conditions all hold places
    the customer, and the rule without conditions is the kind's default. A condition is
    {"metric", "op", "value"}:

    ===========  ==========  ====================  ==========================================
    metric       kinds       ops                   value
    ===========  ==========  ====================  ==========================================
    aum          both        >= > <= < =           amount (Customer.aum, in clear)
    income       individual  >= <                  a band floor from models.INCOME_BANDS
    revenue      corporate   >= <                  a band floor from models.INCOME_BANDS
    employees    corporate   >= > <= < =           whole number
    countries    corporate   >= > <= < =           whole number (countries of operation)
    holding      both        has                   a product type held in an active holding
    ===========  ==========  ====================  ==========================================

    Income and revenue are encrypted; only their band floor is in clear. "income >= T" on the
    floor is exact when T is itself a floor, and so is "< T"; ">", "<=" and "=" are not
    (a floor of 1M says nothing about being above 1M), so they are refused.

Recomputation
    `segments_recompute` walks customers in primary-key ranges. Each range is one UPDATE ...
    FROM statement (with the history rows written by an INSERT ... SELECT in the same
    statement): no row reaches Python, so memory stays flat however many customers there are.

Basis
    `Customer.segment_basis` keeps what the rule used when it placed the customer:
    {"rule": id, "version": n, "conditions": [{"metric", "op", "value", "figure"}]} with
    amounts and counts as strings ("7200000.00"); {"override": id} while an override holds.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from compliance.audit import audit_record, note_pii_revealed
from crm.roles import Role, has_role
from customers import permissions
from customers.models import (
    CORPORATE_SEGMENTS,
    INCOME_BANDS,
    RETAIL_PRODUCTS,
    RETAIL_SEGMENTS,
    SEGMENT_RANK,
    Customer,
    CustomerEvent,
    CustomerEventKind,
    CustomerKind,
    HoldingStatus,
    ProductType,
    Segment,
    SegmentOverride,
    SegmentRule,
    SegmentRuleSet,
)

logger = logging.getLogger(__name__)

OBJECT_TYPE_CUSTOMER = "customers.customer"
OBJECT_TYPE_RULE_SET = "customers.segmentruleset"
OVERRIDE_REASON_MIN = 10

# ---------------------------------------------------------------------------------------------
# Metrics and operators
# ---------------------------------------------------------------------------------------------

AMOUNT, BAND, COUNT, PRODUCT = "amount", "band", "count", "product"
NUMERIC_OPS = (">=", ">", "<=", "<", "=")
BAND_OPS = (">=", "<")
OP_SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "=", "has": ""}
BOTH_KINDS = frozenset({CustomerKind.INDIVIDUAL.value, CustomerKind.CORPORATE.value})


@dataclass(frozen=True)
class Metric:
    """A figure a rule may test: which kinds have it, how its value reads, its SQL column."""

    name: str
    label: str
    kinds: frozenset[str]
    value_kind: str
    column: str  # a column of the `scan` CTE below; empty for `holding`

    @property
    def ops(self) -> tuple[str, ...]:
        if self.value_kind == PRODUCT:
            return ("has",)
        if self.value_kind == BAND:
            return BAND_OPS
        return NUMERIC_OPS


METRICS: dict[str, Metric] = {
    metric.name: metric
    for metric in (
        Metric("aum", gettext_lazy("AUM"), BOTH_KINDS, AMOUNT, "s.m_aum"),
        Metric("income", gettext_lazy("income band"), frozenset({CustomerKind.INDIVIDUAL.value}),
               BAND, "s.m_income"),
        Metric("revenue", gettext_lazy("revenue band"), frozenset({CustomerKind.CORPORATE.value}),
               BAND, "s.m_revenue"),
        Metric("employees", gettext_lazy("employees"), frozenset({CustomerKind.CORPORATE.value}),
               COUNT, "s.m_employees"),
        Metric("countries", gettext_lazy("countries of operation"),
               frozenset({CustomerKind.CORPORATE.value}), COUNT, "s.m_countries"),
        Metric("holding", gettext_lazy("holding"), BOTH_KINDS, PRODUCT, ""),
    )
}


# Metrics read from a sensitive field (customers.apps registers them with compliance.access).
SENSITIVE_METRIC_FIELDS = {"aum": "aum", "income": "annual_income", "revenue": "annual_revenue"}


def segments_for_kind(kind: str) -> tuple[str, ...]:
    """The segment codes a customer of `kind` may be placed in."""
    if kind == CustomerKind.INDIVIDUAL:
        return tuple(segment.value for segment in RETAIL_SEGMENTS)
    if kind == CustomerKind.CORPORATE:
        return tuple(segment.value for segment in CORPORATE_SEGMENTS)
    return ()


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def _parse_amount(value) -> Decimal | None:
    # Floats are refused: 0.1 is not 0.1 in binary, and a threshold must mean what it says.
    if isinstance(value, bool | float):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            amount = Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            return None
        return amount if amount.is_finite() else None
    return None


def _plain(amount: Decimal) -> str:
    return f"{amount.normalize():f}"


def _condition_errors(kind: str, number: int, condition) -> tuple[list[str], dict | None]:
    """Messages for one condition, and its normalised form when it is valid."""

    def say(message: str, **params) -> list[str]:
        return [_("Condition %(number)s: %(problem)s") % {"number": number, "problem": message % params}]

    if not isinstance(condition, dict):
        return say(_("write it as {\"metric\": ..., \"op\": ..., \"value\": ...}.")), None
    keys = set(condition)
    if keys != {"metric", "op", "value"}:
        missing = sorted({"metric", "op", "value"} - keys)
        extra = sorted(keys - {"metric", "op", "value"})
        if missing:
            return say(_("%(names)s missing."), names=", ".join(missing)), None
        return say(_("unknown key %(names)s; use metric, op and value."), names=", ".join(extra)), None
    metric = METRICS.get(condition["metric"]) if isinstance(condition["metric"], str) else None
    if metric is None:
        return say(_("unknown metric; choose one of %(names)s."), names=", ".join(METRICS)), None
    if kind not in metric.kinds:
        return say(_("%(metric)s does not apply to %(kind)s customers."), metric=metric.name,
                   kind=CustomerKind(kind).label.lower()), None
    op = condition["op"]
    if op not in metric.ops:
        if metric.value_kind == BAND:
            return say(_("%(metric)s is known only as a band floor, so it can be compared only with "
                         ">= or <."), metric=metric.name), None
        return say(_("%(metric)s takes the operators %(ops)s."), metric=metric.name,
                   ops=" ".join(metric.ops)), None
    value = condition["value"]
    if metric.value_kind == PRODUCT:
        if value not in ProductType.values:
            return say(_("unknown product type.")), None
        if kind == CustomerKind.INDIVIDUAL and value not in RETAIL_PRODUCTS:
            return say(_("%(product)s is not a retail product."), product=value), None
        return [], {"metric": metric.name, "op": op, "value": value}
    if isinstance(value, float):
        return say(_("write a decimal amount as a string, for example \"6000000.50\".")), None
    amount = _parse_amount(value)
    if amount is None:
        return say(_("the value must be a number.")), None
    if amount < 0:
        return say(_("the value cannot be negative.")), None
    if metric.value_kind == COUNT and amount != amount.to_integral_value():
        return say(_("%(metric)s is counted in whole numbers."), metric=metric.name), None
    if metric.value_kind == BAND and amount not in INCOME_BANDS:
        return say(_("%(metric)s must use a band threshold: %(bands)s."), metric=metric.name,
                   bands=", ".join(_plain(band) for band in INCOME_BANDS[1:])), None
    return [], {"metric": metric.name, "op": op, "value": _plain(amount)}


def validate_conditions(kind: str, conditions) -> list[dict]:
    """Check a rule's conditions for customers of `kind`; return them normalised.

    Normalised values are strings ("6000000", "3") except product codes. An empty list is
    valid (the kind's default rule). Raise ValidationError with one message per problem,
    each naming the condition's position, so a form can show them under the field.
    """
    if kind not in BOTH_KINDS:
        raise ValidationError(_("Choose individual or corporate."), code="kind")
    if conditions is None:
        conditions = []
    if not isinstance(conditions, list):
        raise ValidationError(_("Conditions must be a list of {\"metric\", \"op\", \"value\"}."),
                              code="conditions")
    messages: list[str] = []
    normalised: list[dict] = []
    for number, condition in enumerate(conditions, start=1):
        problems, clean = _condition_errors(kind, number, condition)
        messages.extend(problems)
        if clean is not None:
            normalised.append(clean)
    if messages:
        raise ValidationError([ValidationError(message, code="condition") for message in messages])
    return normalised


def validate_rule(*, rule_set: SegmentRuleSet | None, kind: str, segment: str, conditions) -> list[dict]:
    """Form-level check of one rule (for SegmentRuleForm.clean); return normalised conditions.

    Raise ValidationError keyed by field: `rule_set` when it is the active version (rules of
    the active version are frozen; create a new version), `segment` when it does not fit the
    kind, `conditions` with validate_conditions' messages.
    """
    errors: dict[str, list] = {}
    if rule_set is not None and rule_set.pk and rule_set.is_active:
        errors["rule_set"] = [_("The active version cannot be changed; create a new version.")]
    if segment not in segments_for_kind(kind):
        errors["segment"] = [_("This segment does not fit the customer kind.")]
    normalised: list[dict] = []
    try:
        normalised = validate_conditions(kind, conditions)
    except ValidationError as error:
        errors["conditions"] = error.messages
    if errors:
        raise ValidationError(errors)
    return normalised


def segment_rule_set_validate(rule_set: SegmentRuleSet) -> None:
    """Check a whole version before it is activated.

    Every kind needs exactly one default rule (no conditions), placed last: a rule after the
    default could never match. Raise ValidationError listing every problem.
    """
    messages: list[str] = []
    rules = list(rule_set.rules.order_by("kind", "priority"))
    for kind in (CustomerKind.INDIVIDUAL, CustomerKind.CORPORATE):
        of_kind = [rule for rule in rules if rule.kind == kind]
        label = CustomerKind(kind).label
        defaults = [rule for rule in of_kind if not rule.conditions]
        if len(defaults) != 1:
            messages.append(_("%(kind)s rules need exactly one default rule (without conditions).")
                            % {"kind": label})
        elif of_kind[-1] is not defaults[0]:
            messages.append(_("%(kind)s: the default rule must come last; rules after it never match.")
                            % {"kind": label})
        for rule in of_kind:
            if rule.segment not in segments_for_kind(kind):
                messages.append(_("%(kind)s rule #%(priority)s: the segment does not fit the kind.")
                                % {"kind": label, "priority": rule.priority})
            try:
                validate_conditions(kind, rule.conditions)
            except ValidationError as error:
                messages.extend(
                    _("%(kind)s rule #%(priority)s: %(problem)s")
                    % {"kind": label, "priority": rule.priority, "problem": message}
                    for message in error.messages
                )
    if messages:
        raise ValidationError(messages)


# ---------------------------------------------------------------------------------------------
# Rule set versions
# ---------------------------------------------------------------------------------------------


def active_rule_set() -> SegmentRuleSet | None:
    """The active version of the rules, or None when none is active."""
    return SegmentRuleSet.objects.filter(is_active=True).first()


def _check_may_configure(actor) -> None:
    if not (getattr(actor, "is_active", False) and actor.has_perm("customers.change_segmentruleset")):
        raise PermissionDenied(_("You may not change the segmentation rules."))


@transaction.atomic
def segment_rule_set_create_version(*, actor, from_rule_set: SegmentRuleSet | None = None,
                                    note: str = "") -> SegmentRuleSet:
    """Create version max+1, inactive, with a copy of `from_rule_set`'s rules (default: the
    active version's; none if there is no active version).

    Raise PermissionDenied if `actor` may not change the segmentation configuration.
    """
    _check_may_configure(actor)
    # Two administrators creating a version at once would both pick max+1.
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE customers_segmentruleset IN SHARE ROW EXCLUSIVE MODE")
    source = from_rule_set if from_rule_set is not None else active_rule_set()
    version = (SegmentRuleSet.objects.aggregate(latest=Max("version"))["latest"] or 0) + 1
    rule_set = SegmentRuleSet(version=version, is_active=False, note=note.strip(), created_by=actor)
    rule_set.full_clean()
    rule_set.save()
    if source is not None:
        SegmentRule.objects.bulk_create([
            SegmentRule(rule_set=rule_set, kind=rule.kind, segment=rule.segment, priority=rule.priority,
                        conditions=rule.conditions)
            for rule in source.rules.order_by("kind", "priority")
        ])
    audit_record(
        actor=actor, action="config.changed", object_type=OBJECT_TYPE_RULE_SET, object_id=rule_set.pk,
        fields=["rules"],
        extra={"change": "segment_rules_version_created", "version": version,
               "from_version": source.version if source is not None else None},
    )
    return rule_set


@transaction.atomic
def segment_rule_set_activate(*, actor, rule_set: SegmentRuleSet) -> SegmentRuleSet:
    """Make `rule_set` the active version, deactivating the previous one in the same
    transaction. Customers move at the next recomputation (nightly, or `recompute_segments`).

    Raise PermissionDenied if `actor` may not change the configuration, ValidationError if the
    version's rules are incomplete (see segment_rule_set_validate).
    """
    _check_may_configure(actor)
    # One configuration change at a time: two activations must not both deactivate the same
    # previous version and then collide on the one-active constraint.
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE customers_segmentruleset IN SHARE ROW EXCLUSIVE MODE")
    ids = {rule_set.pk, *SegmentRuleSet.objects.filter(is_active=True).values_list("pk", flat=True)}
    rows = {row.pk: row for row in SegmentRuleSet.objects.filter(pk__in=ids)}
    target = rows[rule_set.pk]
    if target.is_active:
        return target
    segment_rule_set_validate(target)
    previous = next((row for row in rows.values() if row.is_active), None)
    if previous is not None:
        previous.is_active = False
        previous.save(update_fields=["is_active"])
    target.is_active = True
    target.save(update_fields=["is_active"])
    audit_record(
        actor=actor, action="config.changed", object_type=OBJECT_TYPE_RULE_SET, object_id=target.pk,
        fields=["is_active"],
        extra={"change": "segment_rules_activated", "version": target.version,
               "previous_version": previous.version if previous is not None else None},
    )
    rule_set.is_active = True
    return target


# ---------------------------------------------------------------------------------------------
# Rules as SQL
# ---------------------------------------------------------------------------------------------

_SQL_OPS = {">=": ">=", ">": ">", "<=": "<=", "<": "<", "=": "="}


@dataclass(frozen=True)
class CompiledRules:
    """The active rules as two CASE expressions over the `scan` CTE (alias `s`).

    `rule_sql` yields the id of the first matching rule; `basis_sql`, given that id as
    `s.rule_id`, the JSON basis with the figures the rule used.
    """

    rule_set_id: int
    version: int
    rule_sql: str
    rule_params: list
    basis_sql: str
    basis_params: list


def _condition_sql(condition: dict) -> tuple[str, list]:
    metric = METRICS[condition["metric"]]
    if metric.value_kind == PRODUCT:
        return (
            "EXISTS (SELECT 1 FROM customers_holding h WHERE h.customer_id = s.id "
            "AND h.status = %s AND h.product_type = %s)",
            [HoldingStatus.ACTIVE.value, condition["value"]],
        )
    return f"{metric.column} {_SQL_OPS[condition['op']]} %s::numeric", [condition["value"]]


def _figure_sql(condition: dict) -> str:
    metric = METRICS[condition["metric"]]
    if metric.value_kind == PRODUCT:
        return "to_jsonb(true)"
    return f"({metric.column})::text"


def compile_rules(rule_set: SegmentRuleSet) -> CompiledRules:
    """Translate the ordered rules of `rule_set` to SQL (one query to read them).

    Metric names and operators come from fixed tables; values travel as parameters. Raise
    ValidationError if a stored rule no longer validates.
    """
    rules = list(rule_set.rules.order_by("kind", "priority"))
    rule_whens: list[str] = []
    rule_params: list = []
    basis_whens: list[str] = []
    basis_params: list = []
    for rule in rules:
        conditions = validate_conditions(rule.kind, rule.conditions)
        parts = [_condition_sql(condition) for condition in conditions]
        test = " AND ".join(sql for sql, _params in parts) or "TRUE"
        rule_whens.append(f"WHEN s.kind = %s AND ({test}) THEN {int(rule.pk)}")
        rule_params.append(rule.kind)
        for _sql, params in parts:
            rule_params.extend(params)
        items = []
        for condition in conditions:
            items.append(
                "jsonb_build_object('metric', %s::text, 'op', %s::text, 'value', %s::text, "
                f"'figure', {_figure_sql(condition)})"
            )
            basis_params.extend([condition["metric"], condition["op"], condition["value"]])
        basis_whens.append(
            f"WHEN {int(rule.pk)} THEN jsonb_build_object('rule', {int(rule.pk)}, "
            f"'version', {int(rule_set.version)}, 'conditions', jsonb_build_array({', '.join(items)}))"
        )
    if not rules:
        return CompiledRules(rule_set.pk, rule_set.version, "NULL::bigint", [], "NULL::jsonb", [])
    return CompiledRules(
        rule_set_id=rule_set.pk,
        version=rule_set.version,
        rule_sql="CASE " + " ".join(rule_whens) + " END",
        rule_params=rule_params,
        basis_sql="CASE s.rule_id " + " ".join(basis_whens) + " END",
        basis_params=basis_params,
    )


# ---------------------------------------------------------------------------------------------
# Recomputation
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Overrides
# ---------------------------------------------------------------------------------------------


def _check_may_override(actor, customer: Customer) -> None:
    if not permissions.has_customer_permission(actor, permissions.REASSIGN):
        raise PermissionDenied(_("Only a branch manager may set a customer's segment by hand."))
    if permissions.has_customer_permission(actor, permissions.VIEW):
        return  # a head-office role with every customer in scope
    own_branch = customer.home_branch_id == permissions.user_branch_id(actor)
    if not (own_branch and has_role(actor, Role.BRANCH_MANAGER)):
        raise PermissionDenied(_("You may set the segment of your branch's customers only."))


def _one_year_after(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _open_override(customer_id: int, *, lock: bool = False) -> SegmentOverride | None:
    queryset = SegmentOverride.objects.filter(customer_id=customer_id, ended_at__isnull=True)
    if lock:
        queryset = queryset.select_for_update()
    return queryset.first()


@transaction.atomic
def segment_override_set(*, actor, customer: Customer, segment: str, reason: str,
                         expires_on: datetime.date) -> SegmentOverride:
    """Put `customer` in `segment` by hand until `expires_on` (inclusive), for a stated reason.

    Ends any open override of the customer, sets the segment at once (`segment_since` today
    when it changes), records SEGMENT_OVERRIDDEN in the history and `customer.segment_overridden`
    in the audit chain. The reason may describe the customer's finances: it is kept on the
    override only, never in history or audit payloads.

    Raise PermissionDenied unless `actor` holds the reassign permission and, without
    head-office scope, manages the customer's branch. Raise ValidationError (by field) for a
    reason under 10 characters, an expiry not in the future or more than a year away, or a
    segment that does not fit the customer's kind. A refused call changes nothing.
    """
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    _check_may_override(actor, customer)
    reason = (reason or "").strip()
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if segment not in segments_for_kind(customer.kind):
        errors["segment"] = _("This segment does not fit the customer kind.")
    if len(reason) < OVERRIDE_REASON_MIN:
        errors["reason"] = _("State the reason in at least 10 characters.")
    if not isinstance(expires_on, datetime.date) or isinstance(expires_on, datetime.datetime):
        errors["expires_on"] = _("Enter a date.")
    elif expires_on <= today:
        errors["expires_on"] = _("The override must end in the future.")
    elif expires_on > _one_year_after(today):
        errors["expires_on"] = _("An override may last at most one year.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    previous = _open_override(customer.pk, lock=True)
    if previous is not None:
        previous.ended_at = now
        previous.save(update_fields=["ended_at"])
    override = SegmentOverride(customer=customer, segment=segment, reason=reason, expires_on=expires_on,
                               created_by=actor)
    override.full_clean()
    override.save()
    old_segment = customer.segment
    changed_fields = ["segment", "segment_rule", "segment_basis", "updated_at"]
    if old_segment != segment or customer.segment_since is None:
        customer.segment_since = today
        changed_fields.append("segment_since")
    customer.segment = segment
    customer.segment_rule = None
    customer.segment_basis = {"override": override.pk}
    customer.full_clean()
    customer.save(update_fields=changed_fields)
    CustomerEvent.objects.create(
        customer=customer, kind=CustomerEventKind.SEGMENT_OVERRIDDEN, actor=actor, occurred_at=now,
        data={"action": "set", "override": override.pk, "from": old_segment, "to": segment,
              "expires_on": expires_on.isoformat(),
              **({"replaces": previous.pk} if previous is not None else {})},
    )
    audit_record(
        actor=actor, action="customer.segment_overridden", object_type=OBJECT_TYPE_CUSTOMER,
        object_id=customer.pk, fields=["segment"],
        extra={"override": override.pk, "expires_on": expires_on.isoformat()},
    )
    return override


@transaction.atomic
def segment_override_end(*, actor, override: SegmentOverride) -> SegmentOverride:
    """End an override now and place the customer by the active rules at once.

    Ending an override that has already ended does nothing. Raise PermissionDenied as
    segment_override_set does; a refused call changes nothing.
    """
    customer = Customer.objects.select_for_update().get(pk=override.customer_id)
    _check_may_override(actor, customer)
    override = SegmentOverride.objects.select_for_update().get(pk=override.pk)
    if override.ended_at is not None:
        return override
    override.ended_at = timezone.now()
    override.save(update_fields=["ended_at"])
    CustomerEvent.objects.create(
        customer=customer, kind=CustomerEventKind.SEGMENT_OVERRIDDEN, actor=actor,
        occurred_at=override.ended_at, data={"action": "ended", "override": override.pk},
    )
    audit_record(
        actor=actor, action="customer.segment_override_ended", object_type=OBJECT_TYPE_CUSTOMER,
        object_id=customer.pk, fields=["segment"], extra={"override": override.pk},
    )
    if active_rule_set() is not None:
        segments_recompute(customer_ids=[customer.pk])
    return override


@transaction.atomic
def segment_overrides_expire(*, today: datetime.date | None = None) -> int:
    """End every open override whose expiry date is before `today` (default: today in the
    bank's zone); return how many ended. One statement ends them and writes their history;
    the next recomputation places the customers by the rules again.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH ended AS (
                UPDATE customers_segmentoverride SET ended_at = %s
                WHERE ended_at IS NULL AND expires_on < %s
                RETURNING id, customer_id
            ), events AS (
                INSERT INTO customers_customerevent (customer_id, kind, data, actor_id, occurred_at)
                SELECT e.customer_id, %s, jsonb_build_object('action', 'expired', 'override', e.id), NULL, %s
                FROM ended e
                RETURNING 1
            )
            SELECT count(*) FROM ended
            """,
            [now, today, CustomerEventKind.SEGMENT_OVERRIDDEN.value, now],
        )
        count = cursor.fetchone()[0]
    if count:
        audit_record(actor=None, action="segment_overrides.expired", fields=["segment"],
                     extra={"count": count, "before": today.isoformat()})
    return count


# ---------------------------------------------------------------------------------------------
# Explanation
# ---------------------------------------------------------------------------------------------


def _compact(amount: Decimal) -> str:
    """7200000 -> "7.2M" (two decimals at most, cut rather than rounded up)."""
    for size, suffix in (
        (Decimal(10) ** 9, pgettext("amount suffix, billions", "%(number)sB")),
        (Decimal(10) ** 6, pgettext("amount suffix, millions", "%(number)sM")),
        (Decimal(10) ** 3, pgettext("amount suffix, thousands", "%(number)sK")),
    ):
        if abs(amount) >= size:
            scaled = (amount / size).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            return suffix % {"number": _plain(scaled)}
    return _plain(amount)


def _format_pair(metric: Metric, figure, threshold) -> tuple[str, str]:
    if metric.value_kind == COUNT:
        return (formats.number_format(int(Decimal(str(figure))), force_grouping=True),
                formats.number_format(int(Decimal(str(threshold))), force_grouping=True))
    figure_amount, threshold_amount = Decimal(str(figure)), Decimal(str(threshold))
    figure_text, threshold_text = _compact(figure_amount), _compact(threshold_amount)
    if figure_text == threshold_text and figure_amount != threshold_amount:
        # "6M > 6M" would read as false; show the figure in full instead.
        figure_text = formats.number_format(figure_amount, decimal_pos=2, force_grouping=True)
    return figure_text, threshold_text


def _condition_text(condition: dict) -> str:
    metric = METRICS.get(condition.get("metric"))
    if metric is None:
        return ""
    if metric.value_kind == PRODUCT:
        label = ProductType(condition["value"]).label if condition["value"] in ProductType.values else ""
        return _("holds %(product)s") % {"product": label}
    figure, threshold = _format_pair(metric, condition.get("figure"), condition.get("value"))
    return _("%(metric)s %(figure)s %(op)s %(threshold)s") % {
        "metric": metric.label, "figure": figure, "op": OP_SYMBOLS[condition["op"]], "threshold": threshold,
    }


def _current_override(customer: Customer) -> SegmentOverride | None:
    return SegmentOverride.objects.filter(
        customer_id=customer.pk, ended_at__isnull=True, expires_on__gte=timezone.localdate()
    ).first()


def segment_explanation(customer: Customer) -> dict:
    """Why `customer` is in their segment, for the 360 page (one query, for the override).

    Keys: segment (code), segment_label, since (date or None), version (of the rules, None for
    an override or before the first run), rule (id), metric / value / op / threshold (the
    rule's first condition and the customer's figure for it; None for a default rule),
    conditions (all of them, each with its figure), override (None or {"id", "expires_on",
    "reason"}). `value` and `reason` may be sensitive: show them only to a viewer who sees
    AUM in clear (see segment_explanation_text).
    """
    basis = customer.segment_basis if isinstance(customer.segment_basis, dict) else {}
    override = _current_override(customer)
    conditions = [dict(condition) for condition in basis.get("conditions", [])] if not override else []
    first = conditions[0] if conditions else {}
    return {
        "segment": customer.segment,
        "segment_label": str(Segment(customer.segment).label) if customer.segment in Segment.values else "",
        "since": customer.segment_since,
        "version": None if override else basis.get("version"),
        "rule": None if override else basis.get("rule"),
        "metric": first.get("metric"),
        "value": first.get("figure"),
        "op": first.get("op"),
        "threshold": first.get("value"),
        "conditions": conditions,
        "override": (
            {"id": override.pk, "expires_on": override.expires_on, "reason": override.reason}
            if override else None
        ),
    }


def segment_explanation_text(customer: Customer, *, show_figures: bool) -> str:
    """One translated sentence: "Private banking since 2026-03-01: AUM 7.2M ≥ 6M".

    Pass show_figures=`RecordView.for_object(user, customer).is_clear("aum")`: without it
    figures and an override's reason are left out: "Private banking since 2026-03-01
    (rule v3)", "VIP by manual override until 2026-12-31". Figures shown from sensitive
    fields (AUM, income or revenue band) are noted with `note_pii_revealed`, as RecordView
    notes a clear read.
    """
    explanation = segment_explanation(customer)
    segment = explanation["segment_label"]
    since = explanation["since"].isoformat() if explanation["since"] else ""
    override = explanation["override"]
    if override is not None:
        until = override["expires_on"].isoformat()
        if show_figures:
            return _("%(segment)s by manual override until %(until)s: %(reason)s") % {
                "segment": segment, "until": until, "reason": override["reason"]}
        return _("%(segment)s by manual override until %(until)s") % {"segment": segment, "until": until}
    version = explanation["version"]
    if version is None:
        if since:
            return _("%(segment)s since %(since)s") % {"segment": segment, "since": since}
        return segment
    if not show_figures:
        return _("%(segment)s since %(since)s (rule v%(version)s)") % {
            "segment": segment, "since": since, "version": version}
    if not explanation["conditions"]:
        return _("%(segment)s since %(since)s: no other rule applies (rule v%(version)s)") % {
            "segment": segment, "since": since, "version": version}
    revealed = sorted({SENSITIVE_METRIC_FIELDS[condition["metric"]] for condition in explanation["conditions"]
                       if condition.get("metric") in SENSITIVE_METRIC_FIELDS})
    if revealed:
        # The figures are the customer's sensitive amounts (or their band) shown in clear.
        note_pii_revealed(object_type=OBJECT_TYPE_CUSTOMER, object_id=customer.pk, fields=revealed)
    reasons = [_condition_text(condition) for condition in explanation["conditions"]]
    joined = reasons[0]
    for reason in reasons[1:]:
        joined = _("%(first)s and %(second)s") % {"first": joined, "second": reason}
    return _("%(segment)s since %(since)s: %(reasons)s") % {
        "segment": segment, "since": since, "reasons": joined}


__all__ = [
    "METRICS",
    "CompiledRules",
    "RecomputeResult",
    "SegmentBatchFailed",
    "SegmentationNotConfigured",
    "active_rule_set",
    "compile_rules",
    "segment_explanation",
    "segment_explanation_text",
    "segment_override_end",
    "segment_override_set",
    "segment_overrides_expire",
    "segment_rule_set_activate",
    "segment_rule_set_create_version",
    "segment_rule_set_validate",
    "segments_for_kind",
    "segments_recompute",
    "validate_conditions",
    "validate_rule",
]
