"""The set-based recomputation, and the migration's default rules applied to sample customers."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compliance.models import AuditEvent
from customers import segmentation
from customers.models import (
    Customer,
    CustomerEvent,
    CustomerEventKind,
    SegmentRuleSet,
)
from tests.customers.factories import make_corporate, make_individual
from tests.customers.segmentation.helpers import (
    CORP,
    IND,
    cond,
    default_rules_migration,
    segment_of,
    set_aum,
)

# ---------------------------------------------------------------------------------------------
# Recomputation
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestRecompute:
    def test_changes_exactly_the_customers_whose_segment_or_rule_changed(self, branch, default_rules):
        # given customers placed once
        private = make_individual(branch=branch)
        set_aum(private, "7200000")
        staying = make_individual(branch=branch)
        set_aum(staying, "600000")
        falling = make_individual(branch=branch)
        set_aum(falling, "600000")
        company = make_corporate(branch=branch)
        first = segmentation.segments_recompute()
        assert (first.scanned, first.updated, first.segment_changes, first.upgraded, first.downgraded) == (
            4, 4, 3, 3, 0)
        since_before = Customer.objects.get(pk=staying.pk).segment_since
        CustomerEvent.objects.filter(kind=CustomerEventKind.SEGMENT_CHANGED).delete()
        # when one rises, one falls, and the rest stay
        set_aum(falling, "1000")
        set_aum(staying, "700000")  # figure moves, segment and rule do not
        set_aum(company, "1")
        Customer.objects.filter(pk=private.pk).update(segment_since=datetime.date(2024, 5, 1))
        result = segmentation.segments_recompute()
        # then
        assert (result.scanned, result.updated, result.segment_changes, result.upgraded,
                result.downgraded) == (4, 1, 1, 0, 1)
        events = list(CustomerEvent.objects.filter(kind=CustomerEventKind.SEGMENT_CHANGED)
                      .values_list("customer_id", "data", "actor_id"))
        mass_rule = default_rules.rules.get(kind=IND, priority=40)
        assert events == [(falling.pk, {"from": "vip", "to": "mass", "rule": mass_rule.pk, "version": 1,
                                        "direction": "down"}, None)]
        assert Customer.objects.get(pk=private.pk).segment_since == datetime.date(2024, 5, 1)
        assert Customer.objects.get(pk=staying.pk).segment_since == since_before
        assert Customer.objects.get(pk=falling.pk).segment_since == timezone.localdate()

    def test_history_direction_up_and_basis(self, branch, default_rules):
        customer = make_individual(branch=branch)
        set_aum(customer, "7200000")
        # when
        segmentation.segments_recompute()
        # then
        customer.refresh_from_db()
        private_rule = default_rules.rules.get(kind=IND, priority=10)
        assert (customer.segment, customer.segment_rule_id, customer.segment_since) == (
            "private", private_rule.pk, timezone.localdate())
        assert customer.segment_basis == {
            "rule": private_rule.pk, "version": 1,
            "conditions": [{"metric": "aum", "op": ">=", "value": "6000000", "figure": "7200000.00"}],
        }
        event = CustomerEvent.objects.get(customer=customer, kind=CustomerEventKind.SEGMENT_CHANGED)
        assert event.data == {"from": "mass", "to": "private", "rule": private_rule.pk, "version": 1,
                              "direction": "up"}
        audit = AuditEvent.objects.get(action="segments.recomputed")
        assert (audit.actor_id, audit.extra["updated"], audit.extra["upgraded"]) == (None, 1, 1)

    def test_running_twice_changes_nothing_the_second_time(self, branch, default_rules):
        for amount in ("0", "600000", "9000000"):
            set_aum(make_individual(branch=branch), amount)
        make_corporate(branch=branch, employees=2000)
        segmentation.segments_recompute()
        before = list(Customer.objects.order_by("pk").values_list(
            "segment", "segment_since", "segment_rule_id", "segment_basis", "updated_at"))
        events = CustomerEvent.objects.count()
        audits = AuditEvent.objects.count()
        # when
        again = segmentation.segments_recompute()
        # then
        assert (again.scanned, again.updated, again.segment_changes) == (4, 0, 0)
        assert list(Customer.objects.order_by("pk").values_list(
            "segment", "segment_since", "segment_rule_id", "segment_basis", "updated_at")) == before
        assert (CustomerEvent.objects.count(), AuditEvent.objects.count()) == (events, audits)

    def test_a_new_version_moves_rules_but_writes_history_only_for_segment_changes(
        self, branch, default_rules, administrator
    ):
        vip = make_individual(branch=branch)
        set_aum(vip, "600000")
        mass = make_individual(branch=branch)
        segmentation.segments_recompute()
        draft = segmentation.segment_rule_set_create_version(actor=administrator)
        draft.rules.filter(kind=IND, priority=20).update(conditions=[cond("aum", ">=", "1000000")])
        segmentation.segment_rule_set_activate(actor=administrator, rule_set=draft)
        CustomerEvent.objects.all().delete()
        # when
        result = segmentation.segments_recompute()
        # then both move to the new version's rules; only the VIP changes segment
        assert (result.updated, result.segment_changes, result.downgraded) == (2, 1, 1)
        assert Customer.objects.get(pk=mass.pk).segment_rule.rule_set == draft
        assert list(CustomerEvent.objects.values_list("customer_id", "data__direction", "data__version")) == [
            (vip.pk, "down", 2)]

    def test_batches_run_in_primary_key_ranges(self, branch, default_rules):
        customers = [make_individual(branch=branch) for _ in range(7)]
        for customer in customers[::2]:
            set_aum(customer, "600000")
        result = segmentation.segments_recompute(batch_size=3)
        ids = [c.pk for c in customers]
        assert result.batch_ranges == [(0, ids[2]), (ids[2], ids[5]), (ids[5], ids[6])]
        assert (result.batches, result.scanned, result.segment_changes) == (3, 7, 4)
        assert [segment_of(c) for c in customers] == ["vip", "mass", "vip", "mass", "vip", "mass", "vip"]

    def test_customer_ids_limit_the_run(self, branch, default_rules):
        chosen = make_individual(branch=branch)
        other = make_individual(branch=branch)
        set_aum(chosen, "600000")
        set_aum(other, "600000")
        result = segmentation.segments_recompute(customer_ids=[chosen.pk])
        assert (result.scanned, result.updated) == (1, 1)
        assert [segment_of(chosen), segment_of(other)] == ["vip", "mass"]
        assert segmentation.segments_recompute(customer_ids=[]).scanned == 0

    def test_without_an_active_rule_set_nothing_runs(self, db):
        SegmentRuleSet.objects.update(is_active=False)
        with pytest.raises(segmentation.SegmentationNotConfigured):
            segmentation.segments_recompute()

    def test_query_count_does_not_grow_with_customers(self, branch, default_rules,
                                                      django_assert_max_num_queries):
        # given 10 customers that all change
        customers = [make_individual(branch=branch) for _ in range(10)]
        for customer in customers:
            set_aum(customer, "600000")
        with CaptureQueriesContext(connection) as ten:
            assert segmentation.segments_recompute().updated == 10
        # when 200 customers all change
        for _ in range(190):
            make_individual(branch=branch)
        Customer.objects.update(aum=Decimal("7000000"))
        # then the same number of queries moves twenty times as many customers
        with django_assert_max_num_queries(len(ten.captured_queries)):
            result = segmentation.segments_recompute()
        assert (result.updated, result.upgraded) == (200, 200)


# ---------------------------------------------------------------------------------------------
# The migration's default rules
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestDefaultRules:
    def test_sample_customers_land_in_the_expected_segments(self, branch, default_rules):
        retail = {
            "private": ({"annual_income": Decimal("200000")}, "7200000"),
            "vip by assets": ({}, "500000"),
            "vip by income": ({"annual_income": Decimal("1200000")}, "20000"),
            "mass": ({"annual_income": Decimal("999999")}, "499999.99"),
        }
        corporate = {
            "multinational by reach and size": {"countries_of_operation": ["CN", "SG", "DE"],
                                                "annual_revenue": Decimal("600000000")},
            "multinational by reach": {"countries_of_operation": ["CN", "SG", "DE", "US", "GB"],
                                       "annual_revenue": Decimal("80000000")},
            "large by revenue": {"countries_of_operation": ["CN", "HK"],
                                 "annual_revenue": Decimal("700000000")},
            "large by staff": {"employees": 1500, "annual_revenue": Decimal("90000000")},
            "sme 3 countries small revenue": {"countries_of_operation": ["CN", "HK", "SG"],
                                              "annual_revenue": Decimal("300000000"), "employees": 999},
        }
        people = {}
        for name, (profile, aum) in retail.items():
            people[name] = make_individual(branch=branch, **profile)
            set_aum(people[name], aum)
        companies = {name: make_corporate(branch=branch, **profile) for name, profile in corporate.items()}
        # when
        segmentation.segments_recompute()
        # then
        assert {name: segment_of(c) for name, c in people.items()} == {
            "private": "private", "vip by assets": "vip", "vip by income": "vip", "mass": "mass"}
        assert {name: segment_of(c) for name, c in companies.items()} == {
            "multinational by reach and size": "multinational", "multinational by reach": "multinational",
            "large by revenue": "large", "large by staff": "large", "sme 3 countries small revenue": "sme"}

    def test_the_migration_is_reversible(self, branch, default_rules):
        customer = make_individual(branch=branch)
        segmentation.segments_recompute()
        # when reversed
        default_rules_migration.remove_default_rules(django_apps, None)
        # then the rules are gone and customers keep their segment without a rule
        assert not SegmentRuleSet.objects.filter(version=1).exists()
        assert Customer.objects.values_list("segment", "segment_rule_id").get(pk=customer.pk) == (
            "mass", None)
        # when applied again
        default_rules_migration.create_default_rules(django_apps, None)
        rule_set = SegmentRuleSet.objects.get(version=1)
        assert rule_set.is_active
        rules = rule_set.rules.order_by("kind", "priority").values_list("kind", "segment", "priority")
        assert list(rules) == [
            (CORP, "multinational", 10), (CORP, "multinational", 20), (CORP, "large", 30),
            (CORP, "large", 40), (CORP, "sme", 50),
            (IND, "private", 10), (IND, "vip", 20), (IND, "vip", 30), (IND, "mass", 40),
        ]
