"""Why a customer is in their segment: the data and the sentence the 360 page shows."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from compliance.audit import note_pii_revealed
from customers.models import Customer, ProductType, Segment, SegmentOverride
from customers.segmentation.metrics import (
    COUNT,
    METRICS,
    OP_SYMBOLS,
    PRODUCT,
    SENSITIVE_METRIC_FIELDS,
    Metric,
    plain_number,
)

OBJECT_TYPE_CUSTOMER = "customers.customer"


def _compact(amount: Decimal) -> str:
    """7200000 -> "7.2M" (two decimals at most, cut rather than rounded up)."""
    for size, suffix in (
        (Decimal(10) ** 9, pgettext("amount suffix, billions", "%(number)sB")),
        (Decimal(10) ** 6, pgettext("amount suffix, millions", "%(number)sM")),
        (Decimal(10) ** 3, pgettext("amount suffix, thousands", "%(number)sK")),
    ):
        if abs(amount) >= size:
            scaled = (amount / size).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            return suffix % {"number": plain_number(scaled)}
    return plain_number(amount)


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

