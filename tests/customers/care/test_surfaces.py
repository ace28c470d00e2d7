"""The worklist on the home page, the follow-up and appointment pages, the calendar and its
iCalendar file, the API, the morning digest and the admin."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.roles import Role
from customers.care import generation, ics, reminders
from customers.care import services as care
from customers.models import Appointment, FollowUp, FollowUpStatus, Interaction, Notification, TriggerRule
from tests.customers.api.helpers import client_for
from tests.customers.factories import make_individual
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _follow_up(customer, rm, *, due_on=None, key="plan:1:2026-12-01"):
    return FollowUp.objects.create(
        customer=customer,
        assigned_to=rm,
        cycle_key=key,
        reason="plan",
        reason_data={"months": 1},
        due_on=due_on or timezone.localdate(),
    )


def _book(rm, branch, count):
    today = timezone.localdate()
    for n in range(count):
        customer = make_individual(relationship_manager=rm, branch=branch)
        _follow_up(customer, rm, due_on=today + datetime.timedelta(days=(n % 3) - 1))


def test_the_home_page_shows_the_worklist_with_reasons(relationship_manager, branch):
    customer = make_individual(
        relationship_manager=relationship_manager, branch=branch, display_name="Zhou Min"
    )
    _follow_up(customer, relationship_manager)

    response = _client(relationship_manager).get(reverse("home"))

    assert response.status_code == 200
    today_items = response.context["worklist"].today
    assert [item.customer.pk for item in today_items] == [customer.pk]
    body = response.content.decode()
    assert "Zhou Min" in body
    assert "Regular contact, every month" in body
    assert customer.phone_mask not in body


def test_the_home_page_reads_a_constant_number_of_queries(relationship_manager, branch):
    _book(relationship_manager, branch, 3)
    client = _client(relationship_manager)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("home")).status_code == 200
    _book(relationship_manager, branch, 12)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("home"))

    worklist = response.context["worklist"]
    assert len(worklist.today) + len(worklist.overdue) + len(worklist.upcoming) == 15
    assert len(many) == len(few)


def test_another_rms_follow_ups_are_not_on_my_worklist(
    relationship_manager, other_relationship_manager, branch, other_branch
):
    theirs = make_individual(relationship_manager=other_relationship_manager, branch=other_branch)
    _follow_up(theirs, other_relationship_manager)

    response = _client(relationship_manager).get(reverse("home"))

    assert response.context["worklist"].is_empty


def test_the_delegate_sees_the_covered_book_on_their_worklist(relationship_manager, branch, branch_manager):
    from customers import services

    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    follow_up = _follow_up(customer, relationship_manager)
    delegate = UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=branch, username="rm.delegate")
    today = timezone.localdate()
    services.delegation_create(
        actor=branch_manager,
        relationship_manager=relationship_manager,
        delegate=delegate,
        starts_on=today,
        ends_on=today,
        reason="Training",
    )

    response = _client(delegate).get(reverse("home"))

    assert [item.follow_up.pk for item in response.context["worklist"].today] == [follow_up.pk]
    done = _client(delegate).post(
        reverse("follow-up-complete", args=[follow_up.pk]), {"outcome": "reached", "channel": "phone"}
    )
    assert done.status_code == 302
    assert FollowUp.objects.get(pk=follow_up.pk).completed_by_id == delegate.pk


def test_completing_on_the_page_logs_the_interaction(relationship_manager, branch):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    follow_up = _follow_up(customer, relationship_manager)
    client = _client(relationship_manager)
    assert client.get(reverse("follow-up-complete", args=[follow_up.pk])).status_code == 200

    response = client.post(
        reverse("follow-up-complete", args=[follow_up.pk]),
        {
            "outcome": "reached",
            "channel": "branch",
            "notes": "Renewal discussed",
            "needs": ["investment"],
            "next_step": "Call next week",
        },
    )

    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DONE
    assert Interaction.objects.get(customer=customer).channel == "branch"


def test_a_bad_completion_shows_the_errors_and_changes_nothing(relationship_manager, branch):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    follow_up = _follow_up(customer, relationship_manager)

    response = _client(relationship_manager).post(
        reverse("follow-up-complete", args=[follow_up.pk]), {"outcome": "rescheduled", "channel": "phone"}
    )

    assert response.status_code == 400
    assert "reschedule_to" in response.context["form"].errors
    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUpStatus.OPEN


@pytest.mark.parametrize(
    ("who", "status"),
    [("other_relationship_manager", 404), ("branch_staff", 403), ("compliance_officer", 403)],
)
def test_who_may_not_work_a_follow_up_is_refused(request, relationship_manager, branch, who, status):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    follow_up = _follow_up(customer, relationship_manager)
    user = request.getfixturevalue(who)

    response = _client(user).post(
        reverse("follow-up-complete", args=[follow_up.pk]), {"outcome": "reached", "channel": "phone"}
    )

    assert response.status_code == status
    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUpStatus.OPEN


def test_rescheduling_on_the_page(relationship_manager, branch):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    follow_up = _follow_up(customer, relationship_manager)
    later = timezone.localdate() + datetime.timedelta(days=4)

    response = _client(relationship_manager).post(
        reverse("follow-up-reschedule", args=[follow_up.pk]),
        {"due_on": later.isoformat(), "reason": "On holiday"},
    )

    assert response.status_code == 302
    assert FollowUp.objects.get(pk=follow_up.pk).due_on == later


def test_booking_and_the_calendar_and_its_ics(relationship_manager, branch):
    customer = make_individual(
        relationship_manager=relationship_manager, branch=branch, display_name="Zhou Min, Ltd; branch"
    )
    client = _client(relationship_manager)
    day = timezone.localdate() + datetime.timedelta(days=2)

    response = client.post(
        reverse("appointment-create", args=[customer.pk]),
        {"day": day.isoformat(), "time": "14:30", "minutes": "45", "place": "Lujiazui branch, room 3"},
    )

    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert timezone.localtime(appointment.starts_at).strftime("%H:%M") == "14:30"
    page = client.get(reverse("appointment-calendar"), {"view": "week", "date": day.isoformat()})
    assert [len(entry["appointments"]) for entry in page.context["days"]].count(1) == 1
    download = client.get(reverse("appointment-calendar-ics"), {"view": "week", "date": day.isoformat()})
    assert download["Content-Type"] == "text/calendar; charset=utf-8"
    body = download.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert "SUMMARY:Meeting with Zhou Min\\, Ltd\\; branch (" in body.replace("\r\n ", "")
    assert "LOCATION:Lujiazui branch\\, room 3\r\n" in body
    assert f"UID:appointment-{appointment.pk}@" in body
    assert customer.phone_mask not in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_long_ics_lines_are_folded_without_splitting_characters():
    line = "SUMMARY:" + "客户会议" * 30

    folded = ics.fold(line)

    pieces = folded.split("\r\n ")
    assert "".join(pieces) == line
    assert all(len(piece.encode()) <= 75 for piece in pieces)


def test_the_api_lists_completes_and_reschedules(relationship_manager, branch):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    today_item = _follow_up(customer, relationship_manager)
    other = make_individual(relationship_manager=relationship_manager, branch=branch)
    later = _follow_up(other, relationship_manager, due_on=timezone.localdate() + datetime.timedelta(days=3))
    api = client_for(relationship_manager)

    listed = api.get("/api/v1/follow-ups/", {"when": "today"})
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [today_item.pk]
    assert listed.json()["results"][0]["reason_text"] == "Regular contact, every month"
    assert api.get("/api/v1/follow-ups/", {"when": "someday"}).status_code == 400

    body = {"outcome": "reached", "notes": "Fine", "needs": ["investment"]}
    done = api.post(
        f"/api/v1/follow-ups/{today_item.pk}/complete/",
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY="complete-1",
    )
    again = api.post(
        f"/api/v1/follow-ups/{today_item.pk}/complete/",
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY="complete-1",
    )
    assert (done.status_code, again.status_code) == (200, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert Interaction.objects.filter(customer=customer).count() == 1
    assert "notes" not in done.json()

    bad = api.post(
        f"/api/v1/follow-ups/{later.pk}/reschedule/", {"due_on": "2001-01-01", "reason": "x"}, format="json"
    )
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"due_on"}
    assert FollowUp.objects.get(pk=later.pk).due_on == timezone.localdate() + datetime.timedelta(days=3)


def test_the_api_hides_other_books_and_books_appointments(
    relationship_manager, other_relationship_manager, branch, other_branch
):
    theirs = make_individual(relationship_manager=other_relationship_manager, branch=other_branch)
    follow_up = _follow_up(theirs, other_relationship_manager)
    api = client_for(relationship_manager)

    assert api.get(f"/api/v1/follow-ups/{follow_up.pk}/").status_code == 404
    assert (
        api.post(
            f"/api/v1/follow-ups/{follow_up.pk}/complete/", {"outcome": "reached"}, format="json"
        ).status_code
        == 404
    )
    mine = make_individual(relationship_manager=relationship_manager, branch=branch)
    starts = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    booked = api.post(
        "/api/v1/appointments/",
        {"customer": mine.pk, "starts_at": starts, "minutes": 30, "place": "Video call"},
        format="json",
    )
    assert booked.status_code == 201
    assert (
        api.post(
            "/api/v1/appointments/",
            {"customer": theirs.pk, "starts_at": starts, "minutes": 30, "place": "Video call"},
            format="json",
        ).status_code
        == 404
    )
    assert [row["id"] for row in api.get("/api/v1/appointments/").json()["results"]] == [booked.json()["id"]]


def test_the_morning_digest_is_sent_once_with_names_and_links_only(relationship_manager, branch,
                                                                   django_capture_on_commit_callbacks):
    relationship_manager.email = "rm.one@bank.example"
    relationship_manager.save(update_fields=["email"])
    customer = make_individual(
        relationship_manager=relationship_manager, branch=branch, display_name="Zhou Min"
    )
    _follow_up(customer, relationship_manager, due_on=timezone.localdate() - datetime.timedelta(days=2))

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.digests_send() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.digests_send() == 0

    assert Notification.objects.filter(user=relationship_manager).count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rm.one@bank.example"]
    assert f"Zhou Min ({customer.number})" in message.body
    assert reverse("customer-detail", args=[customer.pk]) in message.body
    customer.refresh_from_db()
    for secret in (customer.phone, customer.email, customer.id_number, customer.phone_mask):
        assert secret not in message.body


def test_the_generation_task_runs_from_beat(relationship_manager, branch, settings):
    from customers.care import tasks

    settings.CARE_LOOKAHEAD_DAYS = 400
    TriggerRule.objects.update(is_active=False)
    make_individual(relationship_manager=relationship_manager, branch=branch, segment="private")

    result = tasks.generate_follow_ups.delay().get()

    assert result["planned"] == 1
    assert "customers.care.tasks.generate_follow_ups" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert generation.follow_ups_generate().planned == 0


def test_admin_shows_follow_ups_masked_and_saves_plans_through_the_service(
    administrator, relationship_manager, branch
):
    from compliance.models import AuditEvent
    from customers.models import ContactPlan

    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    follow_up = _follow_up(customer, relationship_manager)
    care.follow_up_complete(
        actor=relationship_manager, follow_up=follow_up, outcome="reached", notes="Private remark"
    )
    client = _client(administrator)
    # An administrator sees no customer without a grant, so no follow-up either.
    assert client.get(f"/admin/customers/followup/{follow_up.pk}/change/").status_code == 404
    plan = ContactPlan.objects.get(segment="mass", is_active=True)

    response = client.post(
        f"/admin/customers/contactplan/{plan.pk}/change/",
        {
            "segment": "mass",
            "interval_months": "6",
            "interval_days": "",
            "channel": "phone",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    assert ContactPlan.objects.get(pk=plan.pk).interval_months == 6
    assert AuditEvent.objects.filter(action="contact_plan.saved").count() == 1
