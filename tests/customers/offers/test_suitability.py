"""Suitability: every reason a product is withheld, each on its own, and how it reads (in
English and Chinese, never with the customer's age)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from customers.models import Product
from customers.outreach.offers import reasons, reasons_text
from customers.outreach.offers.suitability import CustomerFacts, age_on, unsuitable_reasons

TODAY = datetime.date(2026, 12, 7)


def _product(**overrides) -> Product:
    values = {
        "code": "p",
        "name": "P",
        "product_type": "fund",
        "risk_level": 1,
        "segments": [],
        "kinds": [],
        "min_age": None,
        "max_age": None,
        "min_credit_rating": "",
        "is_active": True,
    }
    values.update(overrides)
    return Product(**values)


def _individual(**overrides) -> CustomerFacts:
    values = {
        "customer_id": 1,
        "kind": "individual",
        "segment": "mass",
        "risk_tolerance": "balanced",
        "date_of_birth": datetime.date(1986, 5, 1),
        "credit_rating": "A",
    }
    values.update(overrides)
    return CustomerFacts(**values)


def _codes(found) -> list[str]:
    return [item["code"] for item in found]


def test_a_product_within_every_limit_is_suitable():
    product = _product(risk_level=3, segments=["mass"], kinds=["individual"], min_age=18, max_age=65)

    assert unsuitable_reasons(product, _individual(), today=TODAY) == []


def test_a_risk_above_the_tolerance_is_withheld_and_says_both_levels():
    found = unsuitable_reasons(_product(risk_level=4), _individual(risk_tolerance="moderate"), today=TODAY)

    assert found == [
        {
            "code": reasons.RISK_ABOVE_TOLERANCE,
            "params": {"product_type": "fund", "risk": 4, "tolerance": 2, "profile": "moderate"},
        }
    ]
    with translation.override("en"):
        assert reasons_text(found, withheld=True) == "fund risk R4 exceeds risk tolerance R2 (moderate)"


def test_a_risk_at_the_tolerance_is_suitable():
    assert (
        unsuitable_reasons(_product(risk_level=2), _individual(risk_tolerance="moderate"), today=TODAY) == []
    )


def test_without_a_risk_profile_only_r1_is_offered():
    facts = _individual(risk_tolerance="")

    assert unsuitable_reasons(_product(risk_level=1), facts, today=TODAY) == []
    found = unsuitable_reasons(_product(risk_level=2), facts, today=TODAY)
    assert _codes(found) == [reasons.NO_RISK_PROFILE]
    with translation.override("en"):
        assert reasons_text(found, withheld=True) == (
            "no risk profile on record: only R1 products may be offered, this fund is R2"
        )


@pytest.mark.parametrize(
    ("born", "suitable"),
    [
        (datetime.date(2008, 12, 7), True),  # 18 today
        (datetime.date(2008, 12, 8), False),  # 18 tomorrow
        (datetime.date(1960, 12, 8), True),  # 65 until tomorrow
        (datetime.date(1960, 12, 7), False),  # 66 today
    ],
)
def test_an_age_outside_the_range_is_withheld_without_saying_the_age(born, suitable):
    found = unsuitable_reasons(_product(min_age=18, max_age=65), _individual(date_of_birth=born), today=TODAY)

    assert (found == []) is suitable
    if not suitable:
        assert found == [{"code": reasons.AGE_OUTSIDE, "params": {"min": 18, "max": 65}}]
        with translation.override("en"):
            text = reasons_text(found, withheld=True)
        assert text == "customer's age is outside 18–65"
        assert str(age_on(born, TODAY)) not in text


def test_an_unknown_age_is_withheld_only_where_the_product_has_limits():
    facts = _individual(date_of_birth=None)

    assert unsuitable_reasons(_product(), facts, today=TODAY) == []
    assert _codes(unsuitable_reasons(_product(max_age=70), facts, today=TODAY)) == [reasons.AGE_UNKNOWN]


def test_a_credit_rating_below_the_minimum_is_withheld():
    product = _product(product_type="trade_finance", min_credit_rating="BBB", kinds=["corporate"])
    corporate = CustomerFacts(customer_id=2, kind="corporate", segment="sme", credit_rating="BB")

    found = unsuitable_reasons(product, corporate, today=TODAY)

    assert found == [{"code": reasons.CREDIT_RATING_BELOW, "params": {"minimum": "BBB"}}]
    corporate.credit_rating = "BBB"
    assert unsuitable_reasons(product, corporate, today=TODAY) == []
    corporate.credit_rating = "AA-"
    assert unsuitable_reasons(product, corporate, today=TODAY) == []


def test_no_credit_rating_withholds_a_credit_product_with_a_minimum():
    product = _product(product_type="credit_card", min_credit_rating="B")

    found = unsuitable_reasons(product, _individual(credit_rating=""), today=TODAY)

    assert _codes(found) == [reasons.NO_CREDIT_RATING]
    assert unsuitable_reasons(product, _individual(credit_rating="A"), today=TODAY) == []
    assert _codes(unsuitable_reasons(product, _individual(credit_rating="C"), today=TODAY)) == [
        reasons.CREDIT_RATING_BELOW
    ]


def test_a_segment_outside_the_products_is_withheld():
    found = unsuitable_reasons(_product(segments=["private"]), _individual(segment="vip"), today=TODAY)

    assert found == [{"code": reasons.SEGMENT_NOT_ELIGIBLE, "params": {"segment": "vip"}}]
    with translation.override("en"):
        assert reasons_text(found, withheld=True) == "not offered to the VIP segment"


def test_a_kind_outside_the_products_is_withheld():
    found = unsuitable_reasons(_product(kinds=["corporate"]), _individual(), today=TODAY)

    assert found == [{"code": reasons.KIND_NOT_ELIGIBLE, "params": {"kind": "individual"}}]


def test_an_inactive_product_is_withheld():
    assert _codes(unsuitable_reasons(_product(is_active=False), _individual(), today=TODAY)) == [
        reasons.PRODUCT_INACTIVE
    ]


def test_corporates_are_not_held_to_an_individuals_risk_profile():
    corporate = CustomerFacts(customer_id=2, kind="corporate", segment="sme")

    assert unsuitable_reasons(_product(product_type="fx", risk_level=3), corporate, today=TODAY) == []


def test_every_failing_check_gives_its_reason():
    product = _product(risk_level=5, segments=["private"], min_age=18, max_age=65)
    facts = _individual(risk_tolerance="moderate", segment="mass", date_of_birth=datetime.date(1950, 1, 1))

    assert _codes(unsuitable_reasons(product, facts, today=TODAY)) == [
        reasons.SEGMENT_NOT_ELIGIBLE,
        reasons.RISK_ABOVE_TOLERANCE,
        reasons.AGE_OUTSIDE,
    ]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", "基金风险R4超过风险承受能力R2（稳健型）"),
        ("zh-hant", "基金風險R4超過風險承受能力R2（穩健型）"),
    ],
)
def test_reasons_read_in_the_readers_language(language, expected):
    found = unsuitable_reasons(_product(risk_level=4), _individual(risk_tolerance="moderate"), today=TODAY)

    with translation.override(language):
        assert reasons_text(found, withheld=True) == expected
