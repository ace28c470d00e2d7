"""The engagement pages: who may open them (the access matrix), what they show, and the issue's
end-to-end path: an RM registers a customer for a lecture and checks them in, and a survey sent
after a visit comes back through the public page and shows in the branch's NPS."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.care import services as care
from customers.models import FollowUp
from loyalty.events import services
from loyalty.models import Event, EventRegistration, SurveyResponse
from loyalty.surveys import tasks
from tests.customers.factories import make_individual
from tests.factories import UserFactory
from tests.loyalty.engagement.conftest import grant, token_of
from tests.loyalty.engagement.factories import make_event

pytestmark = pytest.mark.django_db

ROLES = (
    "relationship_manager",
    "other_relationship_manager",
    "branch_staff",
    "branch_manager",
    "compliance_officer",
)


@pytest.fixture
def people(request):
    return {role: request.getfixturevalue(role) for role in ROLES}


@pytest.fixture
def lecture(relationship_manager, branch):
    return make_event(relationship_manager, branch, capacity=10)


def _client(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("relationship_manager", 200),
        ("other_relationship_manager", 404),
        ("branch_staff", 200),
        ("branch_manager", 200),
        ("compliance_officer", 200),
        (None, 302),
    ],
)
def test_event_page_access(client, people, lecture, role, expected):
    response = _client(client, people.get(role)).get(reverse("loyalty:event-detail", args=[lecture.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert lecture.title in response.content.decode()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("relationship_manager", 200),
        ("other_relationship_manager", 200),
        ("branch_staff", 403),
        ("branch_manager", 200),
        ("compliance_officer", 404),
        (None, 302),
    ],
)
def test_new_event_page_access(client, people, role, expected):
    response = _client(client, people.get(role)).get(reverse("loyalty:event-create"))
    assert response.status_code == expected


def test_creating_an_event_from_the_form(client, relationship_manager, branch):
    client.force_login(relationship_manager)
    response = client.post(
        reverse("loyalty:event-create"),
        {
            "kind": "fraud_awareness",
            "title": "Spotting phone scams",
            "day": "2026-06-20",
            "time": "14:00",
            "minutes": "90",
            "place": "Branch hall",
            "capacity": "40",
            "eligible_segments": ["mass", "vip"],
        },
    )

    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "loyalty:event-detail", args=[event.pk]
    )
    assert (event.kind, event.branch_id, event.capacity, event.eligible_segments) == (
        "fraud_awareness",
        branch.pk,
        40,
        ["mass", "vip"],
    )


def test_a_bad_event_form_shows_again_with_the_message(client, relationship_manager):
    client.force_login(relationship_manager)
    response = client.post(
        reverse("loyalty:event-create"),
        {
            "kind": "lecture",
            "title": "Past",
            "day": "2020-01-01",
            "time": "10:00",
            "minutes": "60",
            "place": "",
            "capacity": "5",
        },
    )

    assert response.status_code == 400
    assert Event.objects.count() == 0
    assert "Give a place or an online link." in response.content.decode()


@pytest.mark.parametrize(
    ("role", "registered"),
    [
        ("relationship_manager", True),
        ("other_relationship_manager", False),
        ("branch_staff", True),
        ("branch_manager", True),
        ("compliance_officer", False),
    ],
)
def test_registering_from_the_customer_page(
    client, people, lecture, relationship_manager, branch, role, registered
):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    client.force_login(people[role])

    response = client.post(reverse("loyalty:event-register", args=[lecture.pk]), {"customer": customer.pk})

    assert EventRegistration.objects.filter(customer=customer).exists() is registered
    if registered:
        assert response.status_code == 302
    else:
        assert response.status_code in (403, 404)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("relationship_manager", 302),
        ("other_relationship_manager", 404),
        ("branch_staff", 403),
        ("branch_manager", 302),
        ("compliance_officer", 403),
    ],
)
def test_check_in_access(client, people, lecture, relationship_manager, branch, role, expected):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    registration = services.registration_create(actor=relationship_manager, event=lecture, customer=customer)
    client.force_login(people[role])

    response = client.post(
        reverse("loyalty:event-check-in", args=[lecture.pk]), {"code": registration.check_in_code}
    )

    assert response.status_code == expected
    registration.refresh_from_db()
    assert (registration.status == "attended") is (expected == 302)


def test_a_wrong_code_shows_the_message_on_the_event_page(client, lecture, relationship_manager):
    client.force_login(relationship_manager)
    response = client.post(reverse("loyalty:event-check-in", args=[lecture.pk]), {"code": "WRONG123"})

    assert response.status_code == 400
    assert "No registration for this event has this code." in response.content.decode()


def test_the_customer_page_shows_events_and_surveys(client, lecture, relationship_manager, branch):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    registration = services.registration_create(actor=relationship_manager, event=lecture, customer=customer)
    client.force_login(relationship_manager)

    body = client.get(reverse("customer-detail", args=[customer.pk])).content.decode()

    assert 'data-testid="events-panel"' in body and 'data-testid="surveys-panel"' in body
    assert registration.check_in_code in body
    assert reverse("loyalty:event-register", args=[lecture.pk]) in body


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("relationship_manager", 403),
        ("other_relationship_manager", 403),
        ("branch_staff", 403),
        ("branch_manager", 200),
        ("compliance_officer", 200),
        (None, 302),
    ],
)
def test_dashboard_access(client, people, role, expected):
    for name in ("loyalty:satisfaction", "loyalty:scorecard"):
        response = _client(client, people.get(role)).get(reverse(name))
        assert response.status_code == expected


def test_another_branchs_manager_may_not_ask_for_this_branchs_figures(client, branch, other_branch):
    manager = UserFactory(role="branch_manager", branch=other_branch, username="manager.far")
    client.force_login(manager)

    assert client.get(reverse("loyalty:satisfaction"), {"branch": branch.pk}).status_code == 403
    assert client.get(reverse("loyalty:satisfaction")).status_code == 200


def _visit_survey_answered(client, customer, rm, links, capture, *, nps, csat):
    follow_up = FollowUp.objects.create(
        customer=customer,
        assigned_to=rm,
        cycle_key=f"plan:{customer.pk}",
        reason="plan",
        reason_data={"months": 3},
        due_on="2026-06-10",
    )
    care.follow_up_complete(actor=rm, follow_up=follow_up, outcome="reached")
    with capture(execute=True):
        tasks.send_surveys.delay()
    invitation_id, url = links[-1]
    questions = {
        q.kind: f"q{q.pk}"
        for q in SurveyResponse._meta.get_field("invitation")
        .related_model.objects.get(pk=invitation_id)
        .template.questions.all()
    }
    anonymous = client.__class__()
    response = anonymous.post(
        f"/s/{token_of(url)}/", {questions["nps"]: str(nps), questions["csat"]: str(csat)}
    )
    assert response.status_code == 200


def test_done_when_register_check_in_and_a_visit_survey_in_the_branch_nps(
    client, relationship_manager, branch_manager, branch, links, django_capture_on_commit_callbacks
):
    lecture = make_event(relationship_manager, branch, capacity=20)
    customer = make_individual(relationship_manager=relationship_manager, branch=branch, segment="vip")
    grant(relationship_manager, customer)
    client.force_login(relationship_manager)

    client.post(reverse("loyalty:event-register", args=[lecture.pk]), {"customer": customer.pk})
    code = EventRegistration.objects.get(customer=customer).check_in_code
    client.post(reverse("loyalty:event-check-in", args=[lecture.pk]), {"code": code.lower()})
    assert EventRegistration.objects.get(customer=customer).status == "attended"

    _visit_survey_answered(
        client, customer, relationship_manager, links, django_capture_on_commit_callbacks, nps=10, csat=5
    )

    client.force_login(branch_manager)
    body = client.get(reverse("loyalty:satisfaction")).content.decode()
    assert 'data-testid="total-nps">100<' in body
    assert "<svg" in body and "<table" in body
    scorecard = client.get(reverse("loyalty:scorecard")).content.decode()
    assert (
        relationship_manager.get_username() in scorecard or relationship_manager.get_full_name() in scorecard
    )


def test_the_dashboard_reports_detractor_recovery(
    client, relationship_manager, branch_manager, branch, links, django_capture_on_commit_callbacks
):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    grant(relationship_manager, customer)
    _visit_survey_answered(
        client, customer, relationship_manager, links, django_capture_on_commit_callbacks, nps=2, csat=1
    )
    call_back = SurveyResponse.objects.get().follow_up
    care.follow_up_complete(actor=relationship_manager, follow_up=call_back, outcome="reached")

    client.force_login(branch_manager)
    body = client.get(reverse("loyalty:satisfaction")).content.decode()

    assert 'data-testid="total-nps">-100<' in body
    assert 'data-testid="recovery-reached">1<' in body


def test_the_scorecards_queries_do_not_grow_with_the_number_of_rms(client, branch_manager, branch):
    client.force_login(branch_manager)
    UserFactory(role="relationship_manager", branch=branch, username="rm.two")
    client.get(reverse("loyalty:scorecard"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("loyalty:scorecard"))
    for n in range(3):
        rm = UserFactory(role="relationship_manager", branch=branch, username=f"rm.more{n}")
        make_individual(relationship_manager=rm, branch=branch)
    with CaptureQueriesContext(connection) as many:
        body = client.get(reverse("loyalty:scorecard")).content.decode()

    assert body.count('data-testid="scorecard-row"') == 4
    assert len(many) == len(few)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_engagement_panels_queries_do_not_grow_with_registrations(client, relationship_manager, branch):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    client.force_login(relationship_manager)
    url = reverse("customer-detail", args=[customer.pk])
    first = make_event(relationship_manager, branch)
    services.registration_create(actor=relationship_manager, event=first, customer=customer)
    _count(client, url)
    few = _count(client, url)
    for days in (3, 4, 5):
        event = make_event(relationship_manager, branch, days_ahead=days)
        services.registration_create(actor=relationship_manager, event=event, customer=customer)

    assert _count(client, url) == few


def test_the_event_pages_queries_do_not_grow_with_registrations(client, relationship_manager, branch):
    event = make_event(relationship_manager, branch, capacity=50)
    client.force_login(relationship_manager)
    services.registration_create(
        actor=relationship_manager,
        event=event,
        customer=make_individual(relationship_manager=relationship_manager, branch=branch),
    )
    detail = reverse("loyalty:event-detail", args=[event.pk])
    listing = reverse("loyalty:event-list")
    _count(client, detail)
    few = (_count(client, detail), _count(client, listing))
    for _ in range(4):
        services.registration_create(
            actor=relationship_manager,
            event=event,
            customer=make_individual(relationship_manager=relationship_manager, branch=branch),
        )
        make_event(relationship_manager, branch)

    assert (_count(client, detail), _count(client, listing)) == few


def test_the_navigation_leads_to_events_and_satisfaction(client, relationship_manager, branch_manager):
    client.force_login(relationship_manager)
    labels = [str(entry["label"]) for entry in client.get(reverse("home")).context["navigation"]]
    assert "Events" in labels and "Satisfaction" not in labels

    client.force_login(branch_manager)
    urls = [entry["url"] for entry in client.get(reverse("home")).context["navigation"]]
    assert reverse("loyalty:event-list") in urls and reverse("loyalty:satisfaction") in urls


def test_a_registration_shows_its_check_in_code_as_a_qr_code_drawn_by_the_portal(
    client, relationship_manager, branch
):
    from loyalty.templatetags.loyalty_qr import qr_svg

    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    event = make_event(relationship_manager, branch)
    registration = services.registration_create(actor=relationship_manager, event=event, customer=customer)
    client.force_login(relationship_manager)
    page = client.get(reverse("customer-detail", args=[customer.pk])).content.decode()
    code = registration.check_in_code
    assert 'data-testid="check-in-qr"' in page and f"<title>{code}</title>" in page
    assert "<svg" in str(qr_svg(code)) and qr_svg("") == ""
