"""Segmentation rules: validating a rule and a whole version, and the SQL a version compiles to.

A `SegmentRuleSet` is one version of the rules; exactly one is active. Its rules are ordered
per customer kind by `priority`; the first rule whose conditions all hold places the customer,
and the rule without conditions is the kind's default. A condition is {"metric", "op",
"value"} (see customers.segmentation.metrics for the metrics and their operators).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from customers.models import (
    INCOME_BANDS,
    RETAIL_PRODUCTS,
    CustomerKind,
    HoldingStatus,
    ProductType,
    SegmentRuleSet,
)
from customers.segmentation.metrics import (
    BAND,
    BOTH_KINDS,
    COUNT,
    METRICS,
    PRODUCT,
    plain_number,
    segments_for_kind,
)

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
                   bands=", ".join(plain_number(band) for band in INCOME_BANDS[1:])), None
    return [], {"metric": metric.name, "op": op, "value": plain_number(amount)}


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
# Rules as SQL
# ---------------------------------------------------------------------------------------------


def active_rule_set() -> SegmentRuleSet | None:
    """The active version of the rules, or None when none is active."""
    return SegmentRuleSet.objects.filter(is_active=True).first()



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
