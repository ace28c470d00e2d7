"""Segmentation services: versions of the rules and their rules, activation, overrides."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from compliance.models import AuditEvent
from crm.roles import Role
from customers import segmentation
from customers.models import (
    CustomerEvent,
    CustomerEventKind,
    Segment,
    SegmentOverride,
    SegmentRule,
    SegmentRuleSet,
)
from tests.customers.factories import make_corporate, make_individual
from tests.customers.segmentation.helpers import (
    CORP,
    IND,
    REASON,
    cond,
    in_days,
    segment_of,
    set_aum,
    snapshot,
)
from tests.factories import UserFactory

# ---------------------------------------------------------------------------------------------
# Versions
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestRuleSetVersions:
    def test_create_version_copies_the_active_rules_into_an_inactive_next_version(
        self, default_rules, administrator
    ):
        # when
        draft = segmentation.segment_rule_set_create_version(actor=administrator, note="  Spring review ")
        # then
        assert (draft.version, draft.is_active, draft.note, draft.created_by) == (2, False, "Spring review",
                                                                                   administrator)
        copied = list(draft.rules.order_by("kind", "priority").values_list("kind", "segment", "priority",
                                                                          "conditions"))
        original = list(default_rules.rules.order_by("kind", "priority").values_list("kind", "segment",
                                                                                    "priority", "conditions"))
        assert copied == original and len(copied) == 9
        assert segmentation.active_rule_set() == default_rules
        event = AuditEvent.objects.get(action="config.changed", object_id=str(draft.pk))
        assert event.extra == {"change": "segment_rules_version_created", "version": 2, "from_version": 1}

    def test_activate_switches_the_active_version_atomically(self, default_rules, administrator):
        draft = segmentation.segment_rule_set_create_version(actor=administrator)
        # when
        segmentation.segment_rule_set_activate(actor=administrator, rule_set=draft)
        # then
        assert list(SegmentRuleSet.objects.filter(is_active=True)) == [draft]
        assert segmentation.active_rule_set() == draft
        event = AuditEvent.objects.filter(action="config.changed").order_by("-sequence").first()
        assert (event.object_id, event.fields, event.extra) == (
            str(draft.pk), ["is_active"],
            {"change": "segment_rules_activated", "version": 2, "previous_version": 1},
        )

    def test_an_incomplete_version_is_not_activated(self, default_rules, administrator):
        draft = segmentation.segment_rule_set_create_version(actor=administrator)
        draft.rules.filter(kind=CORP, conditions=[]).delete()
        audit_before = AuditEvent.objects.count()
        with pytest.raises(ValidationError):
            segmentation.segment_rule_set_activate(actor=administrator, rule_set=draft)
        assert segmentation.active_rule_set() == default_rules
        assert AuditEvent.objects.count() == audit_before

    def test_staff_without_configuration_rights_are_refused(self, default_rules, branch_manager):
        before = SegmentRuleSet.objects.count()
        with pytest.raises(PermissionDenied):
            segmentation.segment_rule_set_create_version(actor=branch_manager)
        draft = SegmentRuleSet.objects.create(version=5)
        with pytest.raises(PermissionDenied):
            segmentation.segment_rule_set_activate(actor=branch_manager, rule_set=draft)
        assert SegmentRuleSet.objects.count() == before + 1
        assert segmentation.active_rule_set() == default_rules


def config_events(rule_set):
    return AuditEvent.objects.filter(action="config.changed", object_id=str(rule_set.pk)).order_by("sequence")


def rules_of(rule_set):
    return list(rule_set.rules.order_by("kind", "priority").values_list("kind", "segment", "priority",
                                                                       "conditions"))


@pytest.mark.django_db
class TestRuleSetEdits:
    def test_changing_the_note_writes_one_audit_event(self, default_rules, administrator):
        draft = segmentation.segment_rule_set_create_version(actor=administrator, note="Draft")
        before = config_events(draft).count()
        # when
        saved = segmentation.segment_rule_set_update(actor=administrator, rule_set=draft, note=" Spring ")
        # then
        assert SegmentRuleSet.objects.values_list("note", flat=True).get(pk=draft.pk) == "Spring"
        assert saved.note == draft.note == "Spring"
        events = list(config_events(draft))
        assert len(events) == before + 1
        assert (events[-1].actor_id, events[-1].fields, events[-1].extra) == (
            administrator.pk, ["note"], {"change": "segment_rules_note_changed", "version": 2})

    def test_an_unchanged_note_writes_nothing(self, default_rules, administrator):
        draft = segmentation.segment_rule_set_create_version(actor=administrator, note="Draft")
        before = AuditEvent.objects.count()
        segmentation.segment_rule_set_update(actor=administrator, rule_set=draft, note="Draft")
        assert AuditEvent.objects.count() == before

    def test_saving_rules_adds_changes_and_deletes_as_one_audited_change(self, default_rules, administrator):
        draft = segmentation.segment_rule_set_create_version(actor=administrator)
        private = draft.rules.get(kind=IND, priority=10)
        private.conditions = [cond("aum", ">=", 8000000)]
        doomed = draft.rules.get(kind=IND, priority=30)
        added = SegmentRule(rule_set=draft, kind=IND, segment="vip", priority=35,
                            conditions=[cond("holding", "has", "fund")])
        before = config_events(draft).count()
        # when
        segmentation.segment_rules_save(actor=administrator, rule_set=draft, rules=[private, added],
                                        deleted=[doomed])
        # then
        assert draft.rules.get(pk=private.pk).conditions == [cond("aum", ">=", "8000000")]
        assert not draft.rules.filter(pk=doomed.pk).exists()
        assert draft.rules.get(priority=35, kind=IND).conditions == [cond("holding", "has", "fund")]
        assert draft.rules.count() == 9
        events = list(config_events(draft))
        assert len(events) == before + 1
        assert (events[-1].actor_id, events[-1].fields, events[-1].extra) == (
            administrator.pk, ["rules"],
            {"change": "segment_rules_changed", "version": 2, "added": 1, "changed": 1, "deleted": 1},
        )

    def test_an_invalid_rule_raises_and_saves_nothing(self, default_rules, administrator):
        draft = segmentation.segment_rule_set_create_version(actor=administrator)
        before_rules, before_events = rules_of(draft), AuditEvent.objects.count()
        valid = draft.rules.get(kind=IND, priority=10)
        valid.segment = "vip"
        invalid = draft.rules.get(kind=IND, priority=20)
        invalid.conditions = [cond("altitude", ">=", "1")]
        # when
        with pytest.raises(ValidationError) as raised:
            segmentation.segment_rules_save(actor=administrator, rule_set=draft, rules=[valid, invalid],
                                            deleted=[draft.rules.get(kind=IND, priority=30)])
        # then
        assert list(raised.value.message_dict) == ["conditions"]
        assert rules_of(draft) == before_rules
        assert AuditEvent.objects.count() == before_events

    def test_the_active_versions_rules_are_frozen(self, default_rules, administrator):
        before_rules, before_events = rules_of(default_rules), AuditEvent.objects.count()
        rule = default_rules.rules.get(kind=IND, priority=10)
        rule.segment = "mass"
        with pytest.raises(ValidationError) as raised:
            segmentation.segment_rules_save(actor=administrator, rule_set=default_rules, rules=[rule])
        assert raised.value.error_list[0].code == "frozen"
        assert rules_of(default_rules) == before_rules
        assert AuditEvent.objects.count() == before_events

    def test_a_rule_of_another_version_is_refused(self, default_rules, administrator):
        draft = segmentation.segment_rule_set_create_version(actor=administrator)
        before = rules_of(default_rules)
        with pytest.raises(ValidationError):
            segmentation.segment_rules_save(actor=administrator, rule_set=draft,
                                            deleted=[default_rules.rules.get(kind=IND, priority=10)])
        assert rules_of(default_rules) == before

    def test_staff_without_configuration_rights_change_nothing(self, default_rules, administrator,
                                                                branch_manager):
        draft = segmentation.segment_rule_set_create_version(actor=administrator, note="Draft")
        before_rules, before_events = rules_of(draft), AuditEvent.objects.count()
        rule = draft.rules.get(kind=IND, priority=10)
        rule.segment = "mass"
        with pytest.raises(PermissionDenied):
            segmentation.segment_rules_save(actor=branch_manager, rule_set=draft, rules=[rule])
        with pytest.raises(PermissionDenied):
            segmentation.segment_rule_set_update(actor=branch_manager, rule_set=draft, note="Mine")
        assert rules_of(draft) == before_rules
        assert SegmentRuleSet.objects.values_list("note", flat=True).get(pk=draft.pk) == "Draft"
        assert AuditEvent.objects.count() == before_events

    def test_activation_switches_exactly_one_active_version(self, default_rules, administrator):
        first = segmentation.segment_rule_set_create_version(actor=administrator)
        second = segmentation.segment_rule_set_create_version(actor=administrator)
        # when
        segmentation.segment_rule_set_activate(actor=administrator, rule_set=first)
        segmentation.segment_rule_set_activate(actor=administrator, rule_set=second)
        # then
        assert list(SegmentRuleSet.objects.filter(is_active=True).values_list("pk", flat=True)) == [second.pk]
        assert list(SegmentRuleSet.objects.order_by("version").values_list("version", "is_active")) == [
            (1, False), (2, False), (3, True)]
        # and activating the active version again changes and audits nothing
        before = AuditEvent.objects.count()
        segmentation.segment_rule_set_activate(actor=administrator, rule_set=second)
        assert SegmentRuleSet.objects.filter(is_active=True).count() == 1
        assert AuditEvent.objects.count() == before


# ---------------------------------------------------------------------------------------------
# Overrides
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestOverrides:
    def test_branch_manager_sets_an_override(self, branch, branch_manager, default_rules):
        customer = make_individual(branch=branch)
        segmentation.segments_recompute()
        # when
        override = segmentation.segment_override_set(
            actor=branch_manager, customer=customer, segment=Segment.VIP, reason=f"  {REASON} ",
            expires_on=in_days(90),
        )
        # then
        assert (override.segment, override.reason, override.expires_on, override.created_by,
                override.ended_at) == ("vip", REASON, in_days(90), branch_manager, None)
        customer.refresh_from_db()
        assert (customer.segment, customer.segment_since, customer.segment_rule_id,
                customer.segment_basis) == ("vip", timezone.localdate(), None, {"override": override.pk})
        event = CustomerEvent.objects.get(customer=customer, kind=CustomerEventKind.SEGMENT_OVERRIDDEN)
        assert (event.actor, event.data) == (branch_manager, {
            "action": "set", "override": override.pk, "from": "mass", "to": "vip",
            "expires_on": in_days(90).isoformat()})
        audit = AuditEvent.objects.get(action="customer.segment_overridden")
        assert (audit.actor_id, audit.object_id, audit.fields, audit.purpose, audit.extra) == (
            branch_manager.pk, str(customer.pk), ["segment"], "",
            {"override": override.pk, "expires_on": in_days(90).isoformat()})

    def test_a_new_override_ends_the_previous_one(self, branch, branch_manager, default_rules):
        customer = make_individual(branch=branch)
        first = segmentation.segment_override_set(actor=branch_manager, customer=customer, segment="vip",
                                                  reason=REASON, expires_on=in_days(30))
        second = segmentation.segment_override_set(actor=branch_manager, customer=customer, segment="private",
                                                   reason=REASON, expires_on=in_days(60))
        first.refresh_from_db()
        assert first.ended_at is not None and second.ended_at is None
        assert segment_of(customer) == "private"
        assert CustomerEvent.objects.filter(customer=customer).latest("pk").data["replaces"] == first.pk

    def test_head_office_role_with_reassign_right_may_override_any_branch(self, other_branch, default_rules):
        from django.contrib.auth.models import Permission

        head_office = UserFactory(role=Role.COMPLIANCE_OFFICER, branch=None, username="head.office")
        head_office.user_permissions.add(Permission.objects.get(codename="reassign_customer"))
        customer = make_corporate(branch=other_branch)
        segmentation.segment_override_set(actor=head_office, customer=customer, segment="large",
                                          reason=REASON, expires_on=in_days(10))
        assert segment_of(customer) == "large"

    @pytest.mark.parametrize("who", ["relationship_manager", "other_branch_manager", "compliance_officer",
                                     "branch_staff"])
    def test_refused_actors_change_nothing(self, request, who, branch, relationship_manager, default_rules):
        actor = request.getfixturevalue(who)
        customer = make_individual(branch=branch, relationship_manager=relationship_manager)
        before = snapshot(customer)
        events, audits = CustomerEvent.objects.count(), AuditEvent.objects.count()
        with pytest.raises(PermissionDenied):
            segmentation.segment_override_set(actor=actor, customer=customer, segment="private",
                                              reason=REASON, expires_on=in_days(30))
        assert snapshot(customer) == before
        assert not SegmentOverride.objects.exists()
        assert (CustomerEvent.objects.count(), AuditEvent.objects.count()) == (events, audits)

    @pytest.mark.parametrize(
        ("changes", "errors"),
        [
            ({"reason": "VIP pls  "}, {"reason": ["State the reason in at least 10 characters."]}),
            ({"expires_on": 0}, {"expires_on": ["The override must end in the future."]}),
            ({"expires_on": 367}, {"expires_on": ["An override may last at most one year."]}),
            ({"segment": "large"}, {"segment": ["This segment does not fit the customer kind."]}),
        ],
    )
    def test_invalid_overrides_change_nothing(self, branch, branch_manager, default_rules, changes, errors):
        customer = make_individual(branch=branch)
        before = snapshot(customer)
        values = {"segment": "vip", "reason": REASON, "expires_on": in_days(30), **changes}
        if isinstance(values["expires_on"], int):
            values["expires_on"] = in_days(values["expires_on"])
        with pytest.raises(ValidationError) as error:
            segmentation.segment_override_set(actor=branch_manager, customer=customer, **values)
        assert error.value.message_dict == errors
        assert snapshot(customer) == before
        assert not SegmentOverride.objects.exists()

    def test_a_year_exactly_is_allowed(self, branch, branch_manager, default_rules):
        customer = make_individual(branch=branch)
        today = timezone.localdate()
        try:
            a_year = today.replace(year=today.year + 1)
        except ValueError:
            a_year = today.replace(year=today.year + 1, day=28)
        override = segmentation.segment_override_set(actor=branch_manager, customer=customer, segment="vip",
                                                     reason=REASON, expires_on=a_year)
        assert override.expires_on == a_year

    def test_recompute_respects_an_open_override(self, branch, branch_manager, default_rules):
        customer = make_individual(branch=branch)
        set_aum(customer, "9000000")
        segmentation.segment_override_set(actor=branch_manager, customer=customer, segment="vip",
                                          reason=REASON, expires_on=in_days(30))
        before = snapshot(customer)
        result = segmentation.segments_recompute()
        assert (result.scanned, result.overridden, result.updated) == (1, 1, 0)
        assert snapshot(customer) == before

    def test_expired_overrides_end_and_the_next_run_puts_customers_back(self, branch, branch_manager,
                                                                       default_rules):
        expired_customer = make_individual(branch=branch)
        current_customer = make_individual(branch=branch)
        expired = segmentation.segment_override_set(actor=branch_manager, customer=expired_customer,
                                                    segment="private", reason=REASON, expires_on=in_days(5))
        current = segmentation.segment_override_set(actor=branch_manager, customer=current_customer,
                                                    segment="private", reason=REASON, expires_on=in_days(6))
        # when the day after the first expiry comes
        assert segmentation.segment_overrides_expire(today=in_days(6)) == 1
        # then only the expired one ended, with history
        expired.refresh_from_db()
        current.refresh_from_db()
        assert expired.ended_at is not None and current.ended_at is None
        assert CustomerEvent.objects.filter(customer=expired_customer).latest("pk").data == {
            "action": "expired", "override": expired.pk}
        assert AuditEvent.objects.get(action="segment_overrides.expired").extra == {
            "count": 1, "before": in_days(6).isoformat()}
        # and the next run places the customer by the rules again
        segmentation.segments_recompute()
        assert [segment_of(expired_customer), segment_of(current_customer)] == ["mass", "private"]
        change = CustomerEvent.objects.get(customer=expired_customer, kind=CustomerEventKind.SEGMENT_CHANGED)
        assert change.data["direction"] == "down"
        assert segmentation.segment_overrides_expire(today=in_days(6)) == 0

    def test_ending_an_override_places_the_customer_at_once(self, branch, branch_manager, default_rules):
        customer = make_individual(branch=branch)
        set_aum(customer, "600000")
        override = segmentation.segment_override_set(actor=branch_manager, customer=customer,
                                                     segment="private", reason=REASON, expires_on=in_days(30))
        # when
        segmentation.segment_override_end(actor=branch_manager, override=override)
        # then
        override.refresh_from_db()
        assert override.ended_at is not None
        customer.refresh_from_db()
        assert (customer.segment, customer.segment_rule.priority) == ("vip", 20)
        assert AuditEvent.objects.filter(action="customer.segment_override_ended").count() == 1

    def test_ending_is_refused_for_another_branch(self, branch, branch_manager, other_branch_manager,
                                                 default_rules):
        customer = make_individual(branch=branch)
        override = segmentation.segment_override_set(actor=branch_manager, customer=customer, segment="vip",
                                                     reason=REASON, expires_on=in_days(30))
        before = snapshot(customer)
        with pytest.raises(PermissionDenied):
            segmentation.segment_override_end(actor=other_branch_manager, override=override)
        override.refresh_from_db()
        assert override.ended_at is None
        assert snapshot(customer) == before
