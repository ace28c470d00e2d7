"""Completing and rescheduling follow-ups, booking appointments, configuring plans."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from compliance.models import AuditEvent
from customers.care import services as care
from customers.models import (
    Appointment,
    ContactPlan,
    FollowUp,
    FollowUpOutcome,
    FollowUpStatus,
    Interaction,
    InteractionType,
    Need,
)
from tests.customers.factories import make_individual

pytestmark = pytest.mark.django_db


@pytest.fixture
def follow_up(relationship_manager, branch):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch, segment="private")
    return FollowUp.objects.create(
        customer=customer,
        assigned_to=relationship_manager,
        cycle_key="plan:1:2026-12-01",
        reason="plan",
        reason_data={"months": 1},
        due_on=timezone.localdate(),
    )


def test_completing_writes_the_interaction_and_the_needs(follow_up, relationship_manager):
    care.follow_up_complete(
        actor=relationship_manager,
        follow_up=follow_up,
        outcome=FollowUpOutcome.REACHED,
        notes="Wants to discuss the deposit renewal",
        needs=["wealth_growth"],
        next_step="Send the fund factsheet",
    )

    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DONE
    assert follow_up.outcome == FollowUpOutcome.REACHED
    assert follow_up.notes == "Wants to discuss the deposit renewal"
    assert follow_up.needs_discovered == ["wealth_growth"]
    assert follow_up.completed_by_id == relationship_manager.pk
    interaction = Interaction.objects.get(customer=follow_up.customer)
    assert follow_up.interaction_id == interaction.pk
    assert interaction.interaction_type == InteractionType.FOLLOW_UP
    assert "Wants to discuss the deposit renewal" in interaction.summary
    assert list(Need.objects.filter(customer=follow_up.customer).values_list("need_type", flat=True)) == [
        "wealth_growth"
    ]
    event = AuditEvent.objects.filter(action="follow_up.completed").get()
    assert event.fields == ["next_step", "notes"]
    assert "deposit" not in str(event.extra)


def test_the_notes_are_stored_encrypted(follow_up, relationship_manager):
    from django.db import connection

    care.follow_up_complete(
        actor=relationship_manager,
        follow_up=follow_up,
        outcome=FollowUpOutcome.REACHED,
        notes="Mentioned a house purchase",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM customers_followup WHERE id = %s", [follow_up.pk])
        stored = cursor.fetchone()[0]
    assert "house" not in stored


def test_a_completed_follow_up_cannot_be_completed_again(follow_up, relationship_manager):
    care.follow_up_complete(actor=relationship_manager, follow_up=follow_up, outcome=FollowUpOutcome.DECLINED)

    with pytest.raises(ValidationError) as error:
        care.follow_up_complete(
            actor=relationship_manager, follow_up=follow_up, outcome=FollowUpOutcome.REACHED
        )

    assert "status" in error.value.error_dict
    assert Interaction.objects.count() == 1


def test_a_need_outside_the_catalogue_changes_nothing(follow_up, relationship_manager):
    with pytest.raises(ValidationError) as error:
        care.follow_up_complete(
            actor=relationship_manager,
            follow_up=follow_up,
            outcome=FollowUpOutcome.REACHED,
            needs=["trade_finance"],
        )

    assert "needs" in error.value.error_dict
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.OPEN
    assert not Interaction.objects.exists()


def test_rescheduled_outcome_creates_the_next_follow_up(follow_up, relationship_manager):
    later = timezone.localdate() + datetime.timedelta(days=3)

    care.follow_up_complete(
        actor=relationship_manager,
        follow_up=follow_up,
        outcome=FollowUpOutcome.RESCHEDULED,
        reschedule_to=later,
    )

    successor = FollowUp.objects.exclude(pk=follow_up.pk).get()
    assert (successor.due_on, successor.status, successor.reason) == (
        later,
        FollowUpStatus.OPEN,
        "rescheduled",
    )


def test_another_branchs_rm_may_not_complete(follow_up, other_relationship_manager):
    with pytest.raises(PermissionDenied):
        care.follow_up_complete(
            actor=other_relationship_manager, follow_up=follow_up, outcome=FollowUpOutcome.REACHED
        )

    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.OPEN


def test_the_branch_manager_may_complete_a_branch_follow_up(follow_up, branch_manager):
    care.follow_up_complete(actor=branch_manager, follow_up=follow_up, outcome=FollowUpOutcome.NOT_REACHABLE)

    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUpStatus.DONE


def test_reschedule_needs_a_reason_and_a_future_date(follow_up, relationship_manager):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        care.follow_up_reschedule(actor=relationship_manager, follow_up=follow_up, due_on=tomorrow, reason="")
    assert "reason" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        care.follow_up_reschedule(
            actor=relationship_manager,
            follow_up=follow_up,
            due_on=tomorrow - datetime.timedelta(days=2),
            reason="Customer travelling",
        )
    assert "due_on" in error.value.error_dict

    care.follow_up_reschedule(
        actor=relationship_manager, follow_up=follow_up, due_on=tomorrow, reason="Customer travelling"
    )

    follow_up.refresh_from_db()
    assert (follow_up.due_on, follow_up.reschedule_reason) == (tomorrow, "Customer travelling")


def test_booking_an_appointment(follow_up, relationship_manager):
    starts = timezone.now() + datetime.timedelta(days=1)

    appointment = care.appointment_book(
        actor=relationship_manager,
        customer=follow_up.customer,
        starts_at=starts,
        minutes=45,
        place="Lujiazui branch, room 3",
        follow_up=follow_up,
    )

    assert appointment.ends_at - appointment.starts_at == datetime.timedelta(minutes=45)
    assert Appointment.objects.get().staff_id == relationship_manager.pk
    with pytest.raises(ValidationError) as error:
        care.appointment_book(
            actor=relationship_manager,
            customer=follow_up.customer,
            starts_at=starts - datetime.timedelta(days=3),
            minutes=0,
            place=" ",
        )
    assert set(error.value.error_dict) == {"starts_at", "minutes", "place"}


def test_contact_plans_are_configured_through_the_policy(administrator, branch_manager):
    plan = ContactPlan.objects.get(segment="vip", is_active=True)
    plan.interval_months = 2
    with pytest.raises(PermissionDenied):
        care.contact_plan_save(actor=branch_manager, plan=plan)

    care.contact_plan_save(actor=administrator, plan=plan)

    assert ContactPlan.objects.get(pk=plan.pk).interval_months == 2
    second = ContactPlan(segment="vip", interval_months=1)
    with pytest.raises(ValidationError):
        care.contact_plan_save(actor=administrator, plan=second)
