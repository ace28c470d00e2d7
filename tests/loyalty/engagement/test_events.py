"""Events: eligibility, invitations through the policy, registrations with a waiting list,
cancellation promoting the next, check-in by code, courses with lessons."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from customers.models import ContactLog, Interaction
from loyalty.events import eligibility, services
from loyalty.models import EventInvitation, EventRegistration
from tests.customers.factories import make_individual
from tests.loyalty.engagement.conftest import grant
from tests.loyalty.engagement.factories import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture(relationship_manager, branch):
    return make_event(relationship_manager, branch, capacity=2)


def _customers(rm, branch, count, **values):
    return [make_individual(relationship_manager=rm, branch=branch, **values) for _ in range(count)]


def test_seats_then_waiting_list_in_order(lecture, relationship_manager, branch):
    first, second, third, fourth = _customers(relationship_manager, branch, 4)

    statuses = [
        services.registration_create(actor=relationship_manager, event=lecture, customer=c).status
        for c in (first, second, third, fourth)
    ]

    assert statuses == ["registered", "registered", "waitlisted", "waitlisted"]
    codes = set(EventRegistration.objects.values_list("check_in_code", flat=True))
    assert len(codes) == 4 and all(len(code) == 8 for code in codes)


def test_a_cancelled_seat_goes_to_the_first_on_the_waiting_list(lecture, relationship_manager, branch):
    first, second, third, fourth = _customers(relationship_manager, branch, 4)
    registrations = [
        services.registration_create(actor=relationship_manager, event=lecture, customer=c)
        for c in (first, second, third, fourth)
    ]

    services.registration_cancel(actor=relationship_manager, registration=registrations[0])

    by_customer = dict(EventRegistration.objects.values_list("customer_id", "status"))
    assert by_customer == {
        first.pk: "cancelled",
        second.pk: "registered",
        third.pk: "registered",
        fourth.pk: "waitlisted",
    }
    # Cancelling from the waiting list frees no seat.
    services.registration_cancel(actor=relationship_manager, registration=registrations[3])
    assert EventRegistration.objects.filter(status="registered").count() == 2


def test_a_customer_registers_once(lecture, relationship_manager, branch):
    [customer] = _customers(relationship_manager, branch, 1)
    services.registration_create(actor=relationship_manager, event=lecture, customer=customer)

    with pytest.raises(ValidationError) as raised:
        services.registration_create(actor=relationship_manager, event=lecture, customer=customer)

    assert "customer" in raised.value.message_dict
    assert EventRegistration.objects.count() == 1


def test_eligibility_by_segment_and_tier(relationship_manager, branch):
    vip_only = make_event(relationship_manager, branch, eligible_segments=["vip", "private"])
    gold_only = make_event(relationship_manager, branch, eligible_tiers=["gold"])
    [mass] = _customers(relationship_manager, branch, 1, segment="mass")
    [vip] = _customers(relationship_manager, branch, 1, segment="vip")

    with pytest.raises(ValidationError, match="other segments"):
        services.registration_create(actor=relationship_manager, event=vip_only, customer=mass)
    assert (
        services.registration_create(actor=relationship_manager, event=vip_only, customer=vip).status
        == "registered"
    )
    with pytest.raises(ValidationError, match="other tiers"):
        services.registration_create(actor=relationship_manager, event=gold_only, customer=vip)
    with mock.patch.object(eligibility, "customer_tier_code", return_value="gold"):
        assert services.registration_create(actor=relationship_manager, event=gold_only, customer=vip)


def test_only_the_customers_staff_register_them(
    lecture, other_relationship_manager, compliance_officer, relationship_manager, branch
):
    [customer] = _customers(relationship_manager, branch, 1)

    for actor in (other_relationship_manager, compliance_officer):
        with pytest.raises(PermissionDenied):
            services.registration_create(actor=actor, event=lecture, customer=customer)
    assert EventRegistration.objects.count() == 0


def test_only_the_branchs_staff_create_events(
    other_relationship_manager, compliance_officer, branch_staff, branch
):
    for actor in (other_relationship_manager, compliance_officer, branch_staff):
        with pytest.raises(PermissionDenied):
            make_event(actor, branch)


def test_an_event_needs_a_place_or_a_link_and_an_end_after_its_start(relationship_manager, branch):
    with pytest.raises(ValidationError) as raised:
        make_event(relationship_manager, branch, place="", online_link="")
    assert "place" in raised.value.message_dict


def test_an_invitation_goes_through_the_policy_once(lecture, relationship_manager, branch):
    invited, refused = _customers(relationship_manager, branch, 2)
    grant(relationship_manager, invited, channel="email", purpose="events")

    first, decision = services.event_invite(actor=relationship_manager, event=lecture, customer=invited)
    again, none = services.event_invite(actor=relationship_manager, event=lecture, customer=invited)
    other, refusal = services.event_invite(actor=relationship_manager, event=lecture, customer=refused)

    assert (first.status, decision.allowed, again.pk, none) == ("sent", True, first.pk, None)
    assert (other.status, other.refusal_code, refusal.allowed) == ("refused", "no_consent", False)
    logs = ContactLog.objects.filter(sender_kind="event_invitation", sender_id=str(lecture.pk))
    assert sorted(logs.values_list("outcome", flat=True)) == ["refused", "sent"]


def test_the_scheduled_invitation_reaches_the_eligible_once(relationship_manager, branch):
    event = make_event(relationship_manager, branch, eligible_segments=["vip"])
    vip, other_vip = _customers(relationship_manager, branch, 2, segment="vip")
    _customers(relationship_manager, branch, 1, segment="mass")
    grant(relationship_manager, vip, channel="email", purpose="events")

    assert services.event_invite_eligible(event_id=event.pk) == {"sent": 1, "refused": 1}
    assert services.event_invite_eligible(event_id=event.pk) == {"sent": 0, "refused": 0}
    assert set(EventInvitation.objects.values_list("customer_id", "status")) == {
        (vip.pk, "sent"),
        (other_vip.pk, "refused"),
    }


def test_check_in_by_code_puts_attendance_on_the_timeline_and_earns_points(
    lecture, relationship_manager, branch_manager, branch
):
    [customer] = _customers(relationship_manager, branch, 1)
    registration = services.registration_create(actor=relationship_manager, event=lecture, customer=customer)
    typed = f" {registration.check_in_code[:4].lower()}-{registration.check_in_code[4:]} "

    with mock.patch("loyalty.events.services.award_points") as award:
        checked = services.check_in(actor=branch_manager, event=lecture, code=typed)

    assert (checked.status, checked.checked_in_by_id) == ("attended", branch_manager.pk)
    interaction = Interaction.objects.get(customer=customer, system="events")
    assert interaction.external_reference == f"event-registration:{registration.pk}"
    assert "Retirement planning basics" in interaction.summary
    award.assert_called_once_with(
        checked.customer, "event_attendance", f"event-registration:{registration.pk}", checked.checked_in_at
    )
    with pytest.raises(ValidationError, match="Already checked in"):
        services.check_in(actor=branch_manager, event=lecture, code=registration.check_in_code)
    assert Interaction.objects.filter(system="events").count() == 1


def test_check_in_refuses_unknown_waitlisted_and_foreign_codes(
    lecture, relationship_manager, branch, other_relationship_manager
):
    seated, other, waiting = _customers(relationship_manager, branch, 3)
    mine = services.registration_create(actor=relationship_manager, event=lecture, customer=seated)
    services.registration_create(actor=relationship_manager, event=lecture, customer=other)
    waitlisted = services.registration_create(actor=relationship_manager, event=lecture, customer=waiting)

    with pytest.raises(ValidationError, match="No registration"):
        services.check_in(actor=relationship_manager, event=lecture, code="ZZZZZZZZ")
    with pytest.raises(ValidationError, match="no seat"):
        services.check_in(actor=relationship_manager, event=lecture, code=waitlisted.check_in_code)
    with pytest.raises(PermissionDenied):
        services.check_in(actor=other_relationship_manager, event=lecture, code=mine.check_in_code)
    assert EventRegistration.objects.filter(status="attended").count() == 0


def test_a_course_is_completed_with_its_last_lesson(relationship_manager, branch):
    course = make_event(
        relationship_manager, branch, kind="course", place="", online_link="https://learn.example/c1"
    )
    lessons = [
        services.lesson_add(actor=relationship_manager, event=course, title=title)
        for title in ("Budgeting", "Saving", "Investing")
    ]
    [customer] = _customers(relationship_manager, branch, 1)
    registration = services.registration_create(actor=relationship_manager, event=course, customer=customer)

    with mock.patch("loyalty.events.services.award_points") as award:
        for lesson in lessons[:2]:
            services.lesson_complete(actor=relationship_manager, registration=registration, lesson=lesson)
        assert award.call_count == 0
        services.lesson_complete(actor=relationship_manager, registration=registration, lesson=lessons[0])
        done = services.lesson_complete(
            actor=relationship_manager, registration=registration, lesson=lessons[2]
        )
        services.lesson_complete(actor=relationship_manager, registration=registration, lesson=lessons[2])

    assert [lesson.position for lesson in lessons] == [1, 2, 3]
    assert (done.status, done.completed_at is not None) == ("attended", True)
    award.assert_called_once_with(
        done.customer, "course_completion", f"event-registration:{registration.pk}", done.completed_at
    )
    assert Interaction.objects.filter(customer=customer, system="events").count() == 1
