"""Segmentation: rule validation, versions, the set-based recomputation, overrides, explanations."""

from __future__ import annotations

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compliance.models import AuditEvent
from crm.roles import Role
from customers import segmentation
from customers.models import (
    Customer,
    CustomerEvent,
    CustomerEventKind,
    CustomerKind,
    ProductType,
    Segment,
    SegmentOverride,
    SegmentRule,
    SegmentRuleSet,
)
from tests.customers.factories import make_corporate, make_holding, make_individual
from tests.factories import UserFactory

default_rules_migration = importlib.import_module("customers.migrations.0003_default_segment_rules")

IND, CORP = CustomerKind.INDIVIDUAL.value, CustomerKind.CORPORATE.value


def cond(metric, op, value):
    return {"metric": metric, "op": op, "value": value}


def install_rules(rules, *, version=None):
    """Make a rule set with `rules` [(kind, segment, [conditions])] the active one (test setup)."""
    SegmentRuleSet.objects.filter(is_active=True).update(is_active=False)
    version = version or (max(SegmentRuleSet.objects.values_list("version", flat=True), default=0) + 1)
    rule_set = SegmentRuleSet.objects.create(version=version, is_active=True, note="test rules")
    by_kind: dict[str, int] = {}
    for kind, segment, conditions in rules:
        by_kind[kind] = by_kind.get(kind, 0) + 10
        SegmentRule.objects.create(rule_set=rule_set, kind=kind, segment=segment, priority=by_kind[kind],
                                   conditions=conditions)
    return rule_set


def set_aum(customer, amount):
    Customer.objects.filter(pk=customer.pk).update(aum=Decimal(amount))


def segment_of(customer):
    return Customer.objects.values_list("segment", flat=True).get(pk=customer.pk)


def snapshot(*customers):
    return list(
        Customer.objects.filter(pk__in=[c.pk for c in customers]).order_by("pk")
        .values_list("pk", "segment", "segment_since", "segment_rule_id", "segment_basis")
    )


@pytest.fixture
def default_rules(db):
    """The migration's version 1, active (re-created if a transactional test flushed it)."""
    if not SegmentRuleSet.objects.filter(version=1, note=default_rules_migration.NOTE).exists():
        SegmentRuleSet.objects.filter(is_active=True).update(is_active=False)
        SegmentRuleSet.objects.filter(version=1).delete()
        default_rules_migration.create_default_rules(django_apps, None)
    rule_set = SegmentRuleSet.objects.get(version=1)
    if not rule_set.is_active:
        SegmentRuleSet.objects.filter(is_active=True).update(is_active=False)
        SegmentRuleSet.objects.filter(pk=rule_set.pk).update(is_active=True)
    return SegmentRuleSet.objects.get(version=1)


@pytest.fixture
def other_branch_manager(other_branch):
    return UserFactory(role=Role.BRANCH_MANAGER, branch=other_branch, username="manager.far")


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


class TestValidateConditions:
    def test_valid_conditions_are_normalised_to_strings(self):
        # given conditions with integers, a grouped amount and a band floor with cents
        conditions = [cond("aum", ">=", 6000000), cond("income", ">=", "1,000,000.00"),
                      cond("holding", "has", "fund")]
        # when / then
        assert segmentation.validate_conditions(IND, conditions) == [
            cond("aum", ">=", "6000000"), cond("income", ">=", "1000000"), cond("holding", "has", "fund"),
        ]

    def test_no_conditions_is_the_default_rule(self):
        assert segmentation.validate_conditions(CORP, []) == []

    @pytest.mark.parametrize(
        ("kind", "condition", "message"),
        [
            (IND, cond("wealth", ">=", "1"),
             "Condition 1: unknown metric; choose one of "
             "aum, income, revenue, employees, countries, holding."),
            (IND, cond("employees", ">=", "10"),
             "Condition 1: employees does not apply to individual customers."),
            (CORP, cond("income", ">=", "1000000"),
             "Condition 1: income does not apply to corporate customers."),
            (IND, cond("income", ">=", "1200000"),
             "Condition 1: income must use a band threshold: 100000, 300000, 500000, 1000000, 3000000, "
             "6000000, 10000000, 30000000, 50000000, 100000000, 500000000, 1000000000, 5000000000."),
            (CORP, cond("revenue", ">", "500000000"),
             "Condition 1: revenue is known only as a band floor, so it can be compared only with >= or <."),
            (IND, cond("aum", "has", "1"), "Condition 1: aum takes the operators >= > <= < =."),
            (IND, cond("holding", ">=", "fund"), "Condition 1: holding takes the operators has."),
            (IND, cond("holding", "has", "gold_bar"), "Condition 1: unknown product type."),
            (IND, cond("holding", "has", "trade_finance"),
             "Condition 1: trade_finance is not a retail product."),
            (IND, cond("aum", ">=", 6000000.5),
             'Condition 1: write a decimal amount as a string, for example "6000000.50".'),
            (IND, cond("aum", ">=", "-1"), "Condition 1: the value cannot be negative."),
            (IND, cond("aum", ">=", "lots"), "Condition 1: the value must be a number."),
            (IND, cond("aum", ">=", True), "Condition 1: the value must be a number."),
            (CORP, cond("countries", ">=", "2.5"), "Condition 1: countries is counted in whole numbers."),
            (IND, {"metric": "aum", "op": ">="}, "Condition 1: value missing."),
            (IND, {**cond("aum", ">=", "1"), "note": "x"},
             "Condition 1: unknown key note; use metric, op and value."),
            (IND, "aum >= 1", 'Condition 1: write it as {"metric": ..., "op": ..., "value": ...}.'),
        ],
    )
    def test_each_problem_has_a_clear_message(self, kind, condition, message):
        with pytest.raises(ValidationError) as error:
            segmentation.validate_conditions(kind, [condition])
        assert error.value.messages == [message]

    def test_every_problem_is_reported_with_its_position(self):
        with pytest.raises(ValidationError) as error:
            segmentation.validate_conditions(
                CORP, [cond("countries", ">=", "3"), cond("revenue", "=", "500000000"), cond("x", ">", "1")]
            )
        assert error.value.messages == [
            "Condition 2: revenue is known only as a band floor, so it can be compared only with >= or <.",
            "Condition 3: unknown metric; choose one of aum, income, revenue, employees, countries, holding.",
        ]

    def test_conditions_must_be_a_list(self):
        with pytest.raises(ValidationError) as error:
            segmentation.validate_conditions(IND, {"metric": "aum"})
        assert error.value.messages == ['Conditions must be a list of {"metric", "op", "value"}.']


@pytest.mark.django_db
class TestValidateRule:
    def test_segment_must_fit_the_kind_and_the_active_version_is_frozen(self, default_rules):
        with pytest.raises(ValidationError) as error:
            segmentation.validate_rule(rule_set=default_rules, kind=IND, segment=Segment.LARGE,
                                       conditions=[cond("aum", ">", "x")])
        assert error.value.message_dict == {
            "rule_set": ["The active version cannot be changed; create a new version."],
            "segment": ["This segment does not fit the customer kind."],
            "conditions": ["Condition 1: the value must be a number."],
        }

    def test_a_valid_rule_of_a_draft_version_passes(self, default_rules):
        draft = SegmentRuleSet.objects.create(version=99, is_active=False)
        assert segmentation.validate_rule(
            rule_set=draft, kind=CORP, segment=Segment.LARGE, conditions=[cond("employees", ">=", 500)]
        ) == [cond("employees", ">=", "500")]

    def test_a_version_needs_one_default_per_kind_placed_last(self, db):
        rule_set = SegmentRuleSet.objects.create(version=77)
        SegmentRule.objects.create(rule_set=rule_set, kind=IND, segment="mass", priority=10, conditions=[])
        SegmentRule.objects.create(rule_set=rule_set, kind=IND, segment="vip", priority=20,
                                   conditions=[cond("aum", ">=", "500000")])
        SegmentRule.objects.create(rule_set=rule_set, kind=CORP, segment="large", priority=10,
                                   conditions=[cond("employees", ">=", "1000")])
        with pytest.raises(ValidationError) as error:
            segmentation.segment_rule_set_validate(rule_set)
        assert error.value.messages == [
            "Individual: the default rule must come last; rules after it never match.",
            "Corporate rules need exactly one default rule (without conditions).",
        ]

    def test_the_migration_rules_are_valid(self, default_rules):
        segmentation.segment_rule_set_validate(default_rules)


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


# ---------------------------------------------------------------------------------------------
# Rules applied
# ---------------------------------------------------------------------------------------------

RETAIL_TWO_STEP = [
    (IND, "vip", [cond("aum", ">=", "100000")]),
    (IND, "private", [cond("aum", ">=", "1000000")]),
    (IND, "mass", []),
    (CORP, "sme", []),
]


@pytest.mark.django_db
def test_first_matching_rule_wins(branch):
    # given the VIP rule before the private banking one
    rule_set = install_rules(RETAIL_TWO_STEP)
    rich = make_individual(branch=branch)
    set_aum(rich, "2000000")
    # when
    segmentation.segments_recompute()
    # then the earlier VIP rule placed the customer although the later one also matches
    rich.refresh_from_db()
    assert (rich.segment, rich.segment_rule.priority) == ("vip", 10)
    assert rich.segment_rule.rule_set == rule_set


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("condition", "aum", "matches"),
    [
        (cond("aum", ">=", "500000"), "500000.00", True),
        (cond("aum", ">=", "500000"), "499999.99", False),
        (cond("aum", ">", "500000"), "500000.00", False),
        (cond("aum", ">", "500000"), "500000.01", True),
        (cond("aum", "<=", "1000"), "1000.00", True),
        (cond("aum", "<=", "1000"), "1000.01", False),
        (cond("aum", "<", "1000"), "999.99", True),
        (cond("aum", "<", "1000"), "1000.00", False),
        (cond("aum", "=", "0"), "0.00", True),
        (cond("aum", "=", "0"), "0.01", False),
    ],
)
def test_aum_operators(branch, condition, aum, matches):
    install_rules([(IND, "vip", [condition]), (IND, "mass", []), (CORP, "sme", [])])
    customer = make_individual(branch=branch)
    set_aum(customer, aum)
    segmentation.segments_recompute()
    assert segment_of(customer) == ("vip" if matches else "mass")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("condition", "income", "matches"),
    [
        (cond("income", ">=", "1000000"), Decimal("1000000"), True),
        (cond("income", ">=", "1000000"), Decimal("999999.99"), False),
        (cond("income", "<", "300000"), Decimal("299999"), True),
        (cond("income", "<", "300000"), Decimal("300000"), False),
        (cond("income", ">=", "100000"), None, False),
    ],
)
def test_income_band_operators(branch, condition, income, matches):
    install_rules([(IND, "vip", [condition]), (IND, "mass", []), (CORP, "sme", [])])
    customer = make_individual(branch=branch, annual_income=income)
    segmentation.segments_recompute()
    assert segment_of(customer) == ("vip" if matches else "mass")


@pytest.mark.django_db
def test_holding_has_counts_active_holdings_of_that_type_only(branch):
    install_rules([(IND, "vip", [cond("holding", "has", "wealth_product")]), (IND, "mass", []),
                   (CORP, "sme", [])])
    holder = make_individual(branch=branch)
    make_holding(holder, product_type=ProductType.WEALTH_PRODUCT, product_name="Wealth 90D")
    closed = make_individual(branch=branch)
    make_holding(closed, product_type=ProductType.WEALTH_PRODUCT, product_name="Wealth 90D", status="closed")
    saver = make_individual(branch=branch)
    make_holding(saver)
    segmentation.segments_recompute()
    assert [segment_of(holder), segment_of(closed), segment_of(saver)] == ["vip", "mass", "mass"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("condition", "profile", "matches"),
    [
        (cond("revenue", ">=", "500000000"), {"annual_revenue": Decimal("500000000")}, True),
        (cond("revenue", ">=", "500000000"), {"annual_revenue": Decimal("499999999")}, False),
        (cond("revenue", "<", "100000000"), {"annual_revenue": Decimal("80000000")}, True),
        (cond("revenue", "<", "100000000"), {"annual_revenue": None}, False),
        (cond("employees", ">=", "1000"), {"employees": 1000}, True),
        (cond("employees", ">", "1000"), {"employees": 1000}, False),
        (cond("employees", "<=", "50"), {"employees": 50}, True),
        (cond("employees", "<", "50"), {"employees": 50}, False),
        (cond("employees", "=", "50"), {"employees": 50}, True),
        (cond("employees", ">=", "1"), {"employees": None}, False),
        (cond("countries", ">=", "3"), {"countries_of_operation": ["CN", "SG", "DE"]}, True),
        (cond("countries", ">=", "3"), {"countries_of_operation": ["CN", "SG"]}, False),
        (cond("countries", "=", "1"), {"countries_of_operation": ["CN"]}, True),
        (cond("countries", "<", "1"), {"countries_of_operation": []}, True),
    ],
)
def test_corporate_metrics(branch, condition, profile, matches):
    install_rules([(IND, "mass", []), (CORP, "large", [condition]), (CORP, "sme", [])])
    company = make_corporate(branch=branch, **profile)
    segmentation.segments_recompute()
    assert segment_of(company) == ("large" if matches else "sme")


@pytest.mark.django_db
def test_corporate_holding_and_aum(branch):
    install_rules([(IND, "mass", []),
                   (CORP, "large", [cond("holding", "has", "trade_finance"), cond("aum", ">=", "100000")]),
                   (CORP, "sme", [])])
    both = make_corporate(branch=branch)
    make_holding(both, product_type=ProductType.TRADE_FINANCE, product_name="L/C", balance=Decimal("1"))
    make_holding(both, product_type=ProductType.CASH_MANAGEMENT, product_name="Cash pool",
                 balance=Decimal("100000"))
    only_trade = make_corporate(branch=branch)
    make_holding(only_trade, product_type=ProductType.TRADE_FINANCE, product_name="L/C")
    segmentation.segments_recompute()
    assert [segment_of(both), segment_of(only_trade)] == ["large", "sme"]


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


# ---------------------------------------------------------------------------------------------
# Overrides
# ---------------------------------------------------------------------------------------------


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


REASON = "Family office moving assets to us in Q3"


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


# ---------------------------------------------------------------------------------------------
# Explanation
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestExplanation:
    def test_rule_with_and_without_figures(self, branch, default_rules):
        customer = make_individual(branch=branch)
        set_aum(customer, "7200000")
        segmentation.segments_recompute()
        customer.refresh_from_db()
        today = timezone.localdate()
        # when / then
        assert segmentation.segment_explanation(customer) == {
            "segment": "private", "segment_label": "Private banking", "since": today, "version": 1,
            "rule": customer.segment_rule_id, "metric": "aum", "value": "7200000.00", "op": ">=",
            "threshold": "6000000",
            "conditions": [{"metric": "aum", "op": ">=", "value": "6000000", "figure": "7200000.00"}],
            "override": None,
        }
        assert segmentation.segment_explanation_text(customer, show_figures=True) == (
            f"Private banking since {today.isoformat()}: AUM 7.2M ≥ 6M")
        assert AuditEvent.objects.filter(action="pii.revealed").count() == 1
        assert segmentation.segment_explanation_text(customer, show_figures=False) == (
            f"Private banking since {today.isoformat()} (rule v1)")

    def test_figures_shown_are_noted_as_a_clear_read(self, branch, default_rules):
        customer = make_individual(branch=branch, annual_income=Decimal("1500000"))
        segmentation.segments_recompute()
        customer.refresh_from_db()
        # when the figures are hidden nothing is noted
        segmentation.segment_explanation_text(customer, show_figures=False)
        assert not AuditEvent.objects.filter(action="pii.revealed").exists()
        # when they are shown the sensitive field behind them is noted (outside a request: at once)
        text = segmentation.segment_explanation_text(customer, show_figures=True)
        assert text.endswith(": income band 1M ≥ 1M")
        event = AuditEvent.objects.get(action="pii.revealed")
        assert (event.fields, event.extra["objects"]) == (
            ["annual_income"], {"customers.customer": [customer.pk]})

    def test_several_conditions_and_counts(self, branch, default_rules):
        company = make_corporate(branch=branch, countries_of_operation=["CN", "SG", "DE", "US"],
                                 annual_revenue=Decimal("1200000000"))
        segmentation.segments_recompute()
        company.refresh_from_db()
        assert segmentation.segment_explanation_text(company, show_figures=True) == (
            f"Multinational since {timezone.localdate().isoformat()}: "
            "countries of operation 4 ≥ 3 and revenue band 1B ≥ 500M")

    def test_default_rule(self, branch, default_rules):
        customer = make_individual(branch=branch)
        segmentation.segments_recompute()
        customer.refresh_from_db()
        assert segmentation.segment_explanation_text(customer, show_figures=True) == (
            f"Mass retail since {timezone.localdate().isoformat()}: no other rule applies (rule v1)")

    def test_figures_equal_when_shortened_are_shown_in_full(self, branch):
        install_rules([(IND, "vip", [cond("aum", ">", "6000000")]), (IND, "mass", []), (CORP, "sme", [])])
        customer = make_individual(branch=branch)
        set_aum(customer, "6000000.40")
        segmentation.segments_recompute()
        customer.refresh_from_db()
        assert segmentation.segment_explanation_text(customer, show_figures=True).endswith(
            ": AUM 6,000,000.40 > 6M")

    def test_override_with_and_without_reason(self, branch, branch_manager, default_rules):
        customer = make_individual(branch=branch)
        segmentation.segment_override_set(actor=branch_manager, customer=customer, segment="vip",
                                          reason=REASON, expires_on=in_days(30))
        customer.refresh_from_db()
        until = in_days(30).isoformat()
        assert segmentation.segment_explanation_text(customer, show_figures=True) == (
            f"VIP by manual override until {until}: {REASON}")
        assert segmentation.segment_explanation_text(customer, show_figures=False) == (
            f"VIP by manual override until {until}")
        explanation = segmentation.segment_explanation(customer)
        assert (explanation["version"], explanation["metric"], explanation["override"]["reason"]) == (
            None, None, REASON)

    def test_before_the_first_run(self, branch):
        customer = make_individual(branch=branch)
        assert segmentation.segment_explanation_text(customer, show_figures=True) == "Mass retail"
