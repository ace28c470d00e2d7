"""Manual adjustments: small ones apply at once, large ones wait for a second person."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from compliance.models import AuditEvent
from loyalty import points
from loyalty.models import PointsAdjustment, PointsEntry
from tests.factories import UserFactory
from tests.loyalty.conftest import balance_agrees

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def threshold(settings):
    settings.LOYALTY_ADJUSTMENT_APPROVAL_ABOVE = 1000


def test_an_adjustment_within_the_size_is_applied_at_once(customer, relationship_manager, clock):
    adjustment = points.adjustment_propose(actor=relationship_manager, customer=customer, points=1000,
                                           reason="goodwill", reference="TICKET-9")

    assert adjustment.status == "applied" and adjustment.decided_by is None
    assert adjustment.entry.kind == "adjust" and adjustment.entry.points == 1000
    assert balance_agrees(customer) == 1000
    event = AuditEvent.objects.filter(action="points.adjustment_proposed").get()
    assert event.extra == {"adjustment": adjustment.pk, "points": 1000, "status": "applied"}


def test_a_larger_adjustment_waits_and_is_applied_on_a_second_persons_approval(
        customer, relationship_manager, branch_manager, clock):
    adjustment = points.adjustment_propose(actor=relationship_manager, customer=customer, points=1001,
                                           reason="complaint")
    assert adjustment.status == "pending" and adjustment.entry is None
    assert not PointsEntry.objects.exists()

    approved = points.adjustment_approve(actor=branch_manager, adjustment=adjustment)

    assert approved.status == "applied" and approved.decided_by == branch_manager
    assert balance_agrees(customer) == 1001
    with pytest.raises(ValidationError):
        points.adjustment_approve(actor=branch_manager, adjustment=adjustment)
    assert balance_agrees(customer) == 1001


def test_the_proposer_never_approves_their_own_adjustment(customer, branch_manager, clock):
    adjustment = points.adjustment_propose(actor=branch_manager, customer=customer, points=5000,
                                           reason="correction")

    with pytest.raises(PermissionDenied):
        points.adjustment_approve(actor=branch_manager, adjustment=adjustment)
    adjustment.refresh_from_db()
    assert adjustment.status == "pending"
    assert not PointsEntry.objects.exists()


def test_an_rm_may_not_approve_and_another_branch_manager_may_not_either(
        customer, relationship_manager, branch_manager, other_branch, clock):
    far_manager = UserFactory(role="branch_manager", branch=other_branch, username="manager.far")
    adjustment = points.adjustment_propose(actor=branch_manager, customer=customer, points=5000,
                                           reason="correction")
    other_rm = UserFactory(role="relationship_manager", branch=customer.home_branch, username="rm.two")

    for actor in (relationship_manager, far_manager, other_rm):
        with pytest.raises(PermissionDenied):
            points.adjustment_approve(actor=actor, adjustment=adjustment)
    assert PointsAdjustment.objects.get().status == "pending"


def test_a_rejection_applies_nothing(customer, relationship_manager, branch_manager, clock):
    adjustment = points.adjustment_propose(actor=relationship_manager, customer=customer, points=2000,
                                           reason="correction")

    rejected = points.adjustment_reject(actor=branch_manager, adjustment=adjustment)

    assert rejected.status == "rejected" and rejected.entry is None
    assert not PointsEntry.objects.exists()


def test_a_negative_adjustment_beyond_the_points_is_refused(customer, relationship_manager, clock):
    with pytest.raises(points.InsufficientPoints):
        points.adjustment_propose(actor=relationship_manager, customer=customer, points=-10,
                                  reason="correction")
    with pytest.raises(points.InsufficientPoints):  # refused at once, even when it would wait for approval
        points.adjustment_propose(actor=relationship_manager, customer=customer, points=-5000,
                                  reason="correction")
    assert not PointsAdjustment.objects.exists()


def test_another_rm_may_not_propose(customer, other_relationship_manager, clock):
    with pytest.raises(PermissionDenied):
        points.adjustment_propose(actor=other_relationship_manager, customer=customer, points=10,
                                  reason="goodwill")
    assert not PointsAdjustment.objects.exists()


@pytest.mark.parametrize("values", [{"points": 0}, {"reason": "because"}, {"reference": "x" * 65}])
def test_bad_input_is_refused_by_field(customer, relationship_manager, clock, values):
    arguments = {"points": 10, "reason": "goodwill", "reference": "", **values}
    with pytest.raises(ValidationError) as refused:
        points.adjustment_propose(actor=relationship_manager, customer=customer, **arguments)
    assert set(refused.value.message_dict) == set(values)
