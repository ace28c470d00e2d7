"""Segmentation: versioned rules, the nightly set-based recomputation, manual overrides and
the explanation staff read on the 360 page.

metrics         the figures a rule may test and the operators each takes
rules           validating a rule and a whole version; the SQL a version compiles to
recompute       placing every customer by the active rules, in primary-key batches
services        the writes: versions, their rules, activation, overrides
explanations    why a customer is in their segment

Callers use the names below (`from customers import segmentation; segmentation.X`); the
modules are the places to read and change them.
"""

from customers.segmentation.explanations import segment_explanation, segment_explanation_text
from customers.segmentation.metrics import (
    AMOUNT,
    BAND,
    COUNT,
    METRICS,
    OP_SYMBOLS,
    PRODUCT,
    SENSITIVE_METRIC_FIELDS,
    Metric,
    segments_for_kind,
)
from customers.segmentation.recompute import (
    RecomputeResult,
    SegmentationNotConfigured,
    SegmentBatchFailed,
    segments_recompute,
)
from customers.segmentation.rules import (
    CompiledRules,
    active_rule_set,
    compile_rules,
    segment_rule_set_validate,
    validate_conditions,
    validate_rule,
)
from customers.segmentation.services import (
    OVERRIDE_REASON_MIN,
    segment_override_end,
    segment_override_set,
    segment_overrides_expire,
    segment_rule_set_activate,
    segment_rule_set_create_version,
    segment_rule_set_update,
    segment_rules_save,
)

__all__ = [
    "AMOUNT",
    "BAND",
    "COUNT",
    "METRICS",
    "OP_SYMBOLS",
    "OVERRIDE_REASON_MIN",
    "PRODUCT",
    "SENSITIVE_METRIC_FIELDS",
    "CompiledRules",
    "Metric",
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
    "segment_rule_set_update",
    "segment_rule_set_validate",
    "segment_rules_save",
    "segments_for_kind",
    "segments_recompute",
    "validate_conditions",
    "validate_rule",
]
