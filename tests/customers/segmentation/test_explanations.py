"""Why a customer is in their segment: the explanation data and sentence."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from compliance.models import AuditEvent
from customers import segmentation
from tests.customers.factories import make_corporate, make_individual
from tests.customers.segmentation.helpers import (
    CORP,
    IND,
    REASON,
    cond,
    in_days,
    install_rules,
    set_aum,
)

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
