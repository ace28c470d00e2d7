"""Accepting and dismissing a suggestion, with a reason; the acceptance rates per rule."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from compliance.models import AuditEvent
from customers.models import Interaction, Suggestion
from customers.outreach import offers
from tests.customers.factories import make_individual

pytestmark = pytest.mark.django_db


@pytest.fixture
def suggestion(saver, relationship_manager):
    offers.suggestions_refresh(actor=relationship_manager, customer=saver)
    return Suggestion.objects.select_related("customer", "product").get(customer=saver)


def test_accepting_records_the_decision_and_logs_it_on_the_timeline(suggestion, relationship_manager):
    accepted = offers.suggestion_accept(
        actor=relationship_manager,
        suggestion=suggestion,
        note="Wants half now, half at maturity",
        channel="branch",
    )

    accepted.refresh_from_db()
    assert accepted.status == "accepted"
    assert accepted.decided_by == relationship_manager
    assert accepted.decision_note == "Wants half now, half at maturity"
    interaction = Interaction.objects.get(pk=accepted.interaction_id)
    assert interaction.interaction_type == "sales"
    assert interaction.summary == (
        "Offer accepted: Steady Income Wealth Management Product.\nWants half now, half at maturity"
    )
    event = AuditEvent.objects.get(action="suggestion.accepted")
    assert event.fields == ["decision_note"]
    assert "half" not in str(event.extra)


def test_dismissing_needs_a_reason_from_the_list(suggestion, relationship_manager):
    with pytest.raises(ValidationError) as refused:
        offers.suggestion_dismiss(actor=relationship_manager, suggestion=suggestion, reason="because")

    assert "reason" in refused.value.message_dict
    suggestion.refresh_from_db()
    assert suggestion.status == "open"


def test_dismissing_for_another_reason_needs_a_note(suggestion, relationship_manager):
    with pytest.raises(ValidationError) as refused:
        offers.suggestion_dismiss(actor=relationship_manager, suggestion=suggestion, reason="other")

    assert list(refused.value.message_dict) == ["note"]
    dismissed = offers.suggestion_dismiss(
        actor=relationship_manager, suggestion=suggestion, reason="other", note="Moving abroad next year"
    )
    assert (dismissed.status, dismissed.decision_reason) == ("dismissed", "other")
    assert not Interaction.objects.filter(customer=suggestion.customer, interaction_type="sales").exists()


def test_a_decided_suggestion_cannot_be_decided_again(suggestion, relationship_manager):
    offers.suggestion_dismiss(actor=relationship_manager, suggestion=suggestion, reason="not_now")

    with pytest.raises(ValidationError) as refused:
        offers.suggestion_accept(actor=relationship_manager, suggestion=suggestion)

    assert "status" in refused.value.message_dict
    assert Suggestion.objects.get(pk=suggestion.pk).status == "dismissed"


@pytest.mark.parametrize("decision", ["accept", "dismiss"])
def test_a_decided_product_is_not_suggested_again_until_the_cool_off_ends(
    suggestion, relationship_manager, settings, decision
):
    if decision == "accept":
        offers.suggestion_accept(actor=relationship_manager, suggestion=suggestion)
    else:
        offers.suggestion_dismiss(actor=relationship_manager, suggestion=suggestion, reason="not_now")

    during = offers.suggestions_refresh(actor=relationship_manager, customer=suggestion.customer)
    Suggestion.objects.filter(pk=suggestion.pk).update(
        decided_at=timezone.now() - datetime.timedelta(days=settings.OFFERS_COOL_OFF_DAYS + 1)
    )
    after = offers.suggestions_refresh(actor=relationship_manager, customer=suggestion.customer)

    assert during.created == 0
    assert after.created == 1
    assert Suggestion.objects.filter(customer=suggestion.customer, status="open").count() == 1


@pytest.mark.parametrize("who", ["other_relationship_manager", "branch_staff", "compliance_officer"])
def test_only_those_who_work_the_customer_decide(request, suggestion, who):
    with pytest.raises(PermissionDenied):
        offers.suggestion_accept(actor=request.getfixturevalue(who), suggestion=suggestion)

    assert Suggestion.objects.get(pk=suggestion.pk).status == "open"
    assert not Interaction.objects.filter(customer=suggestion.customer, interaction_type="sales").exists()


def test_the_branch_manager_may_decide_for_the_branch(suggestion, branch_manager):
    offers.suggestion_dismiss(actor=branch_manager, suggestion=suggestion, reason="held_elsewhere")

    assert Suggestion.objects.get(pk=suggestion.pk).decided_by == branch_manager


def _decide(customer, actor, decision: str, **extra) -> None:
    offers.suggestions_refresh(actor=actor, customer=customer)
    suggestion = Suggestion.objects.get(customer=customer, status="open")
    if decision == "accept":
        offers.suggestion_accept(actor=actor, suggestion=suggestion)
    elif decision == "dismiss":
        offers.suggestion_dismiss(actor=actor, suggestion=suggestion, reason="not_interested")


def _saver(relationship_manager, branch):
    from decimal import Decimal

    from tests.customers.factories import make_holding
    from tests.customers.offers.conftest import years_ago

    customer = make_individual(
        relationship_manager=relationship_manager,
        branch=branch,
        risk_tolerance="growth",
        date_of_birth=years_ago(35),
    )
    make_holding(customer, balance=Decimal("600000.00"))
    return customer


def test_acceptance_rates_per_rule_in_one_query(
    relationship_manager,
    branch,
    branch_manager,
    compliance_officer,
    other_relationship_manager,
    other_branch,
    django_assert_num_queries,
):
    for decision in ("accept", "accept", "dismiss", "open"):
        _decide(_saver(relationship_manager, branch), relationship_manager, decision)
    _decide(_saver(other_relationship_manager, other_branch), other_relationship_manager, "dismiss")
    compliance_officer = type(compliance_officer).objects.get(pk=compliance_officer.pk)
    branch_manager = type(branch_manager).objects.get(pk=branch_manager.pk)
    offers.acceptance_rates(actor=compliance_officer)  # the role's permissions, read once per request

    with django_assert_num_queries(1):
        everyone = offers.acceptance_rates(actor=compliance_officer)
    branch_rows = offers.acceptance_rates(actor=branch_manager)

    assert [
        (
            row["rule_name"],
            row["total"],
            row["open"],
            row["accepted"],
            row["dismissed"],
            row["acceptance_rate"],
        )
        for row in everyone
    ] == [("Large deposits, no wealth product", 5, 1, 2, 2, 0.5)]
    assert [
        (row["total"], row["accepted"], row["dismissed"], row["acceptance_rate"]) for row in branch_rows
    ] == [(4, 2, 1, 0.6667)]
    assert offers.acceptance_rates(actor=relationship_manager) == []
