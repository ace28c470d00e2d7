"""Segmentation rules: validating conditions and rules, and what the compiled rules select."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from customers import segmentation
from customers.models import (
    ProductType,
    Segment,
    SegmentRule,
    SegmentRuleSet,
)
from tests.customers.factories import make_corporate, make_holding, make_individual
from tests.customers.segmentation.helpers import (
    CORP,
    IND,
    RETAIL_TWO_STEP,
    cond,
    install_rules,
    segment_of,
    set_aum,
)

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
# Rules applied
# ---------------------------------------------------------------------------------------------


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
