"""Rules turn needs, profiles and holdings into suggestions: the default catalogue's rules,
conditions validated with field errors, the nightly generation in batches (idempotent, a
fixed number of queries per batch), and expiry of what no longer applies."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.models import AuditEvent
from customers import services
from customers.models import OfferRule, Suggestion
from customers.outreach import offers
from customers.outreach.offers import tasks
from customers.outreach.offers.rules import customer_facts
from tests.customers.factories import make_holding, make_individual
from tests.customers.offers.conftest import only_rules, years_ago

pytestmark = pytest.mark.django_db


def _open(customer) -> dict[str, Suggestion]:
    return {item.product.code: item for item in offers.suggestion_list(customer=customer, status="open")}


def test_large_deposits_without_a_wealth_product_suggest_the_wealth_product(saver, relationship_manager):
    result = offers.suggestions_refresh(actor=relationship_manager, customer=saver)

    suggested = _open(saver)
    assert set(suggested) == {"wmp-steady"}
    assert result.created == 1
    suggestion = suggested["wmp-steady"]
    assert suggestion.rule.name == "Large deposits, no wealth product"
    assert suggestion.reasons == [
        {"code": "kind_is", "params": {"kind": "individual"}},
        {"code": "lacks", "params": {"types": ["wealth_product"]}},
        {"code": "deposits_at_least", "params": {"amount": "500000.00"}},
    ]
    assert offers.reasons_text(suggestion.reasons) == (
        "individual customer; holds no wealth management product; deposits of at least 500,000"
    )


def test_holding_a_wealth_product_means_no_wealth_suggestion(saver, relationship_manager):
    make_holding(saver, product_type="wealth_product", product_name="WMP", balance=Decimal("1000.00"))

    offers.suggestions_refresh(actor=relationship_manager, customer=saver)

    assert _open(saver) == {}


def test_deposits_below_the_threshold_suggest_nothing(relationship_manager, branch):
    customer = make_individual(
        relationship_manager=relationship_manager,
        branch=branch,
        risk_tolerance="balanced",
        date_of_birth=years_ago(40),
    )
    make_holding(customer, balance=Decimal("499999.99"))

    offers.suggestions_refresh(actor=relationship_manager, customer=customer)

    assert _open(customer) == {}


def test_deposits_count_other_currencies_at_their_rate(relationship_manager, branch):
    from customers.models import ExchangeRate

    ExchangeRate.objects.update_or_create(
        currency="USD", defaults={"rate": Decimal("7.0"), "as_of": "2026-12-01"}
    )
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    make_holding(customer, balance=Decimal("300000.00"))
    make_holding(customer, balance=Decimal("30000.00"), currency="USD")
    make_holding(customer, balance=Decimal("99000.00"), currency="XYZ")  # no rate: counts as zero

    facts = customer_facts([customer.pk])[customer.pk]

    assert facts.deposits == Decimal("510000.00")


def test_an_sme_with_an_international_business_need_gets_trade_finance(exporter, relationship_manager):
    offers.suggestions_refresh(actor=relationship_manager, customer=exporter)

    suggested = _open(exporter)
    assert set(suggested) == {"trade-finance", "fx-hedge"}
    assert suggested["trade-finance"].reasons[-2:] == [
        {"code": "need_open", "params": {"need": "international_business"}},
        {"code": "lacks", "params": {"types": ["trade_finance"]}},
    ]


def test_an_unsuitable_product_is_never_suggested_and_the_page_read_says_why(saver, relationship_manager):
    saver.individual.risk_tolerance = "moderate"
    saver.individual.save(update_fields=["risk_tolerance"])

    offers.suggestions_refresh(actor=relationship_manager, customer=saver)
    evaluation = offers.customer_evaluation(customer=saver)

    assert _open(saver) == {}
    assert [
        (item.product.code, offers.reasons_text(item.reasons, withheld=True)) for item in evaluation.withheld
    ] == [("wmp-steady", "wealth management product risk R3 exceeds risk tolerance R2 (moderate)")]


def test_a_refresh_twice_suggests_once(saver, relationship_manager):
    offers.suggestions_refresh(actor=relationship_manager, customer=saver)
    again = offers.suggestions_refresh(actor=relationship_manager, customer=saver)

    assert again.created == 0
    assert Suggestion.objects.filter(customer=saver).count() == 1


def test_a_suggestion_that_no_longer_applies_expires(saver, relationship_manager):
    offers.suggestions_refresh(actor=relationship_manager, customer=saver)
    make_holding(saver, product_type="wealth_product", product_name="WMP", balance=Decimal("1000.00"))

    result = offers.suggestions_refresh(actor=relationship_manager, customer=saver)

    assert result.expired == 1
    assert list(Suggestion.objects.filter(customer=saver).values_list("status", flat=True)) == ["expired"]


def test_a_refresh_needs_the_right_to_work_the_customers_offers(
    saver, other_relationship_manager, branch_staff
):
    for outsider in (other_relationship_manager, branch_staff):
        with pytest.raises(PermissionDenied):
            offers.suggestions_refresh(actor=outsider, customer=saver)
    assert not Suggestion.objects.exists()


def test_the_nightly_task_covers_the_books_in_batches_and_is_idempotent(
    saver, exporter, branch, django_capture_on_commit_callbacks
):
    unassigned = make_individual(branch=branch)
    make_holding(unassigned, balance=Decimal("900000.00"))

    first = tasks.generate_suggestions.delay().get()
    second = tasks.generate_suggestions.delay().get()

    assert first == {"customers": 2, "created": 3, "expired": 0}
    assert second == {"customers": 2, "created": 0, "expired": 0}
    assert not Suggestion.objects.filter(customer=unassigned).exists()
    assert AuditEvent.objects.filter(action="suggestions.generated").count() == 1


def test_a_batch_reads_a_fixed_number_of_queries(relationship_manager, branch):
    def book(count):
        for _n in range(count):
            customer = make_individual(
                relationship_manager=relationship_manager,
                branch=branch,
                risk_tolerance="balanced",
                date_of_birth=years_ago(30),
            )
            make_holding(customer, balance=Decimal("700000.00"))
            services.need_record(
                actor=relationship_manager, customer=customer, need_type="asset_preservation"
            )

    book(2)
    with CaptureQueriesContext(connection) as few:
        offers.suggestions_generate()
    Suggestion.objects.all().delete()
    book(8)
    with CaptureQueriesContext(connection) as many:
        result = offers.suggestions_generate()

    assert result.customers == 10 and result.created == 20
    assert len(many) == len(few)


def _rule(catalogue, **values) -> OfferRule:
    values.setdefault("name", "Test rule")
    values.setdefault("product", catalogue["products"]["mmf-daily"])
    return OfferRule(**values)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({}, "__all__"),
        ({"kinds": ["individual"], "segments": ["sme"]}, "segments"),
        ({"kinds": ["individual"], "need_type": "international_business"}, "need_type"),
        ({"holds_product_types": ["fund"], "lacks_product_types": ["fund"]}, "lacks_product_types"),
        ({"kinds": ["corporate"], "product": "fund-equity"}, "product"),
        ({"min_deposits": Decimal("0")}, "min_deposits"),
        ({"holds_product_types": ["no_such_type"]}, "holds_product_types"),
    ],
)
def test_a_rule_that_cannot_work_is_refused_by_field(catalogue, administrator, values, field):
    if isinstance(values.get("product"), str):
        values["product"] = catalogue["products"][values["product"]]
    before = OfferRule.objects.count()

    with pytest.raises(ValidationError) as refused:
        offers.offer_rule_save(actor=administrator, rule=_rule(catalogue, **values))

    assert field in refused.value.message_dict
    assert OfferRule.objects.count() == before


def test_a_rule_is_saved_audited_and_versioned(catalogue, administrator):
    rule = offers.offer_rule_save(actor=administrator, rule=_rule(catalogue, min_aum=Decimal("100000")))
    rule.priority = 5
    rule = offers.offer_rule_save(actor=administrator, rule=rule)

    assert rule.version == 2
    assert AuditEvent.objects.filter(action="offer_rule.saved", object_id=str(rule.pk)).count() == 2


def test_only_those_who_may_configure_rules_save_them(catalogue, branch_manager):
    with pytest.raises(PermissionDenied):
        offers.offer_rule_save(actor=branch_manager, rule=_rule(catalogue, min_aum=Decimal("1")))


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"min_age": 70, "max_age": 60}, "max_age"),
        ({"product_type": "fund", "min_credit_rating": "BBB"}, "min_credit_rating"),
        ({"kinds": ["individual"], "segments": ["sme"]}, "segments"),
        ({"risk_level": 6}, "risk_level"),
    ],
)
def test_a_product_that_does_not_fit_together_is_refused_by_field(administrator, values, field):
    from customers.models import Product

    product = Product(
        **{"code": "new-product", "name": "New", "product_type": "fund", "risk_level": 2, **values}
    )

    with pytest.raises(ValidationError) as refused:
        offers.product_save(actor=administrator, product=product)

    assert field in refused.value.message_dict
    assert not Product.objects.filter(code="new-product").exists()


def test_rules_by_priority_name_the_product_once(saver, relationship_manager, catalogue):
    only_rules("Large deposits, no wealth product")
    offers.offer_rule_save(
        actor=_admin(),
        rule=OfferRule(
            name="Second route to the same product",
            product=catalogue["products"]["wmp-steady"],
            priority=1,
            min_deposits=Decimal("100000"),
        ),
    )

    offers.suggestions_refresh(actor=relationship_manager, customer=saver)

    assert _open(saver)["wmp-steady"].rule.name == "Second route to the same product"


def _admin():
    from tests.factories import UserFactory

    return UserFactory(
        role="administrator", branch=None, username="admin.rules", is_staff=True, is_superuser=True
    )


def test_one_customers_facts_read_in_one_query_match_the_batch(
    relationship_manager, branch, django_assert_num_queries
):
    from customers import selectors
    from customers.models import ExchangeRate
    from customers.outreach.offers.rules import one_customer_facts

    ExchangeRate.objects.update_or_create(
        currency="HKD", defaults={"rate": Decimal("0.9"), "as_of": "2026-12-01"}
    )
    customer = make_individual(
        relationship_manager=relationship_manager,
        branch=branch,
        risk_tolerance="growth",
        date_of_birth=years_ago(50),
        credit_rating="B",
    )
    make_holding(customer, balance=Decimal("100000.00"))
    make_holding(customer, balance=Decimal("50000.00"), currency="HKD", product_type="term_deposit")
    make_holding(customer, balance=Decimal("7000.00"), product_type="fund", product_name="Fund")
    services.need_record(actor=relationship_manager, customer=customer, need_type="investment")
    visible = selectors.customer_get(actor=relationship_manager, pk=customer.pk)

    with django_assert_num_queries(1):
        one = one_customer_facts(visible)

    assert one == customer_facts([customer.pk])[customer.pk]
    assert one.deposits == Decimal("145000.00")
    assert one.held_types == {"savings_account", "term_deposit", "fund"}
    assert one.open_needs == {"investment"}


def test_customers_who_left_the_books_keep_no_open_offers(saver, exporter, relationship_manager):
    offers.suggestions_generate()
    saver.status = "closed"
    saver.save(update_fields=["status"])

    result = offers.suggestions_generate()

    assert result.expired == 1
    assert set(Suggestion.objects.filter(customer=saver).values_list("status", flat=True)) == {"expired"}
    assert set(Suggestion.objects.filter(customer=exporter).values_list("status", flat=True)) == {"open"}
