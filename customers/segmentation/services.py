"""Writes of segmentation: versions of the rules and their rules, and manual overrides.

Every change to the configuration (a new version, its note, its rules, which version is
active) is audited here as `config.changed` with the version's id; the admin pages that call
these services write no audit event of their own.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.audit import audit_record
from customers import permissions
from customers.models import (
    Customer,
    CustomerEvent,
    CustomerEventKind,
    SegmentOverride,
    SegmentRule,
    SegmentRuleSet,
)
from customers.segmentation.metrics import segments_for_kind
from customers.segmentation.recompute import OBJECT_TYPE_RULE_SET, segments_recompute
from customers.segmentation.rules import active_rule_set, segment_rule_set_validate, validate_rule

OBJECT_TYPE_CUSTOMER = "customers.customer"
OVERRIDE_REASON_MIN = 10

# ---------------------------------------------------------------------------------------------
# Rule set versions
# ---------------------------------------------------------------------------------------------


def _check_may_configure(actor) -> None:
    permissions.check(actor, permissions.SettingsAction.SEGMENT_RULES)


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
def segment_rule_set_update(*, actor, rule_set: SegmentRuleSet, note: str) -> SegmentRuleSet:
    """Change the note of a version (active or not: the note describes it, it places no one).

    Return the version as saved. An unchanged note writes nothing; a changed one is saved
    and audited as `config.changed` (fields ["note"]).

    Raise PermissionDenied if `actor` may not change the segmentation configuration,
    ValidationError (by field) if the note is too long; a refused call changes nothing.
    """
    _check_may_configure(actor)
    target = SegmentRuleSet.objects.select_for_update().get(pk=rule_set.pk)
    note = (note or "").strip()
    if target.note == note:
        return target
    target.note = note
    target.full_clean()
    target.save(update_fields=["note"])
    audit_record(
        actor=actor, action="config.changed", object_type=OBJECT_TYPE_RULE_SET, object_id=target.pk,
        fields=["note"], extra={"change": "segment_rules_note_changed", "version": target.version},
    )
    rule_set.note = note
    return target


RULE_FIELDS = ["kind", "segment", "priority", "conditions"]


@transaction.atomic
def segment_rules_save(*, actor, rule_set: SegmentRuleSet, rules: Iterable[SegmentRule] = (),
                       deleted: Iterable[SegmentRule] = ()) -> list[SegmentRule]:
    """Save the added and changed `rules` of the inactive version `rule_set` and delete
    `deleted`, as one change; return the saved rules.

    `rules` are SegmentRule instances carrying the submitted values (unsaved for a new rule).
    Each is checked by validate_rule and saved with its conditions normalised. One
    `config.changed` event (fields ["rules"]) names the version and how many rules were added,
    changed and deleted; nothing to save writes nothing. Whether the version is complete is
    checked when it is activated, so a draft may be saved half-done.

    Raise PermissionDenied if `actor` may not change the segmentation configuration.
    Raise ValidationError if the version is active (its rules are frozen: create a new
    version), if a rule belongs to another version, or (by field) for the first invalid rule;
    a refused call saves and deletes nothing.
    """
    _check_may_configure(actor)
    target = SegmentRuleSet.objects.select_for_update().get(pk=rule_set.pk)
    if target.is_active:
        raise ValidationError(_("The active version cannot be changed; create a new version."),
                              code="frozen")
    rules, deleted = list(rules), list(deleted)
    if any(rule.rule_set_id not in (None, target.pk) for rule in (*rules, *deleted)):
        raise ValidationError(_("A rule of another version cannot be changed here."), code="rule_set")
    # Every rule is checked before anything is written.
    for rule in rules:
        rule.conditions = validate_rule(rule_set=target, kind=rule.kind, segment=rule.segment,
                                        conditions=rule.conditions)
    deleted_ids = [rule.pk for rule in deleted if rule.pk is not None]
    # Deletions first, so that a new rule may take the priority a deleted one had.
    removed = 0
    if deleted_ids:
        _total, by_model = SegmentRule.objects.filter(rule_set=target, pk__in=deleted_ids).delete()
        removed = by_model.get(SegmentRule._meta.label, 0)
    added = changed = 0
    for rule in rules:
        rule.rule_set = target
        rule.full_clean()
        if rule.pk is None:
            rule.save()
            added += 1
        else:
            rule.save(update_fields=RULE_FIELDS)
            changed += 1
    if added or changed or removed:
        audit_record(
            actor=actor, action="config.changed", object_type=OBJECT_TYPE_RULE_SET, object_id=target.pk,
            fields=["rules"],
            extra={"change": "segment_rules_changed", "version": target.version, "added": added,
                   "changed": changed, "deleted": removed},
        )
    return rules


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
# Overrides
# ---------------------------------------------------------------------------------------------


def _check_may_override(actor, customer: Customer) -> None:
    permissions.check(actor, permissions.CustomerAction.OVERRIDE_SEGMENT, customer)


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

    Raise PermissionDenied unless the policy allows `actor` OVERRIDE_SEGMENT on the customer
    (customers.permissions.RULES). Raise ValidationError (by field) for a
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
