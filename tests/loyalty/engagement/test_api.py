"""The engagement API: events, registrations, check-in, cancellation and survey responses,
for each role; Idempotency-Key replays; field-level errors."""

from __future__ import annotations

import pytest

from loyalty.events import services
from loyalty.models import Event, EventRegistration, SurveyResponse
from loyalty.surveys import request_survey, responses
from tests.customers.api.helpers import client_for
from tests.customers.factories import make_individual
from tests.loyalty.engagement.conftest import grant
from tests.loyalty.engagement.factories import make_event

pytestmark = pytest.mark.django_db

BASE = "/api/v1/loyalty"


@pytest.fixture
def lecture(relationship_manager, branch):
    return make_event(relationship_manager, branch, capacity=1)


@pytest.fixture
def book_customer(relationship_manager, branch):
    return make_individual(relationship_manager=relationship_manager, branch=branch)


def _key(n=1):
    return {"HTTP_IDEMPOTENCY_KEY": f"test-key-{n}"}


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("relationship_manager", True),
        ("other_relationship_manager", False),
        ("branch_manager", True),
        ("compliance_officer", True),
        ("service_account", True),
    ],
)
def test_event_list_and_read(request, lecture, role, sees):
    client = client_for(request.getfixturevalue(role))

    listed = client.get(f"{BASE}/events/")
    read = client.get(f"{BASE}/events/{lecture.pk}/")

    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["results"]] == ([lecture.pk] if sees else [])
    assert read.status_code == (200 if sees else 404)
    if sees:
        assert read.json()["seated"] == 0 and read.json()["capacity"] == 1


def test_anonymous_callers_are_refused(api_client, lecture):
    assert api_client.get(f"{BASE}/events/").status_code == 401
    assert api_client.get(f"{BASE}/survey-responses/").status_code == 401


def test_creating_an_event_with_a_key_and_a_replay(relationship_manager, branch):
    client = client_for(relationship_manager)
    body = {
        "kind": "lecture",
        "title": "Saving for school fees",
        "starts_at": "2026-06-20T06:00:00Z",
        "ends_at": "2026-06-20T08:00:00Z",
        "place": "Branch hall",
        "capacity": 25,
        "eligible_segments": ["mass"],
    }

    first = client.post(f"{BASE}/events/", body, format="json", **_key())
    again = client.post(f"{BASE}/events/", body, format="json", **_key())

    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert Event.objects.count() == 1
    assert first.json()["branch"] == branch.code


def test_a_bad_event_answers_field_errors(relationship_manager):
    response = client_for(relationship_manager).post(
        f"{BASE}/events/",
        {
            "kind": "lecture",
            "title": "x",
            "starts_at": "2026-06-20T08:00:00Z",
            "ends_at": "2026-06-20T06:00:00Z",
            "capacity": 5,
        },
        format="json",
        **_key(),
    )

    assert response.status_code == 400
    assert Event.objects.count() == 0
    body = response.json()
    assert "ends_at" in str(body) and "place" in str(body)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("relationship_manager", 201),
        ("other_relationship_manager", 404),
        ("branch_manager", 201),
        ("compliance_officer", 403),
    ],
)
def test_registering_through_the_api(request, lecture, book_customer, role, expected):
    response = client_for(request.getfixturevalue(role)).post(
        f"{BASE}/events/{lecture.pk}/registrations/", {"customer": book_customer.pk}, format="json", **_key()
    )

    assert response.status_code == expected
    assert EventRegistration.objects.filter(customer=book_customer).exists() is (expected == 201)
    if expected == 201:
        assert response.json()["status"] == "registered"
        assert len(response.json()["check_in_code"]) == 8


def test_the_second_registration_waits_and_moves_up_when_the_first_cancels(
    lecture, relationship_manager, branch
):
    client = client_for(relationship_manager)
    first, second = (
        make_individual(relationship_manager=relationship_manager, branch=branch) for _ in range(2)
    )
    one = client.post(
        f"{BASE}/events/{lecture.pk}/registrations/", {"customer": first.pk}, format="json", **_key(1)
    ).json()
    two = client.post(
        f"{BASE}/events/{lecture.pk}/registrations/", {"customer": second.pk}, format="json", **_key(2)
    ).json()

    cancelled = client.post(f"{BASE}/registrations/{one['id']}/cancel/", format="json", **_key(3))

    assert two["status"] == "waitlisted"
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert EventRegistration.objects.get(pk=two["id"]).status == "registered"


def test_check_in_through_the_api(lecture, relationship_manager, other_relationship_manager, book_customer):
    registration = services.registration_create(
        actor=relationship_manager, event=lecture, customer=book_customer
    )

    wrong = client_for(relationship_manager).post(
        f"{BASE}/events/{lecture.pk}/check-in/", {"code": "NOPE2345"}, format="json", **_key(1)
    )
    foreign = client_for(other_relationship_manager).post(
        f"{BASE}/events/{lecture.pk}/check-in/",
        {"code": registration.check_in_code},
        format="json",
        **_key(2),
    )
    done = client_for(relationship_manager).post(
        f"{BASE}/events/{lecture.pk}/check-in/",
        {"code": registration.check_in_code},
        format="json",
        **_key(3),
    )

    assert wrong.status_code == 400 and "code" in str(wrong.json())
    assert foreign.status_code == 404
    assert done.status_code == 200 and done.json()["status"] == "attended"


def test_survey_responses_are_read_as_the_customer_is(
    relationship_manager,
    branch_manager,
    other_relationship_manager,
    book_customer,
    django_capture_on_commit_callbacks,
):
    grant(relationship_manager, book_customer)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = request_survey(book_customer, "visit", "follow-up:9")
    invitation.refresh_from_db()
    questions = {q.kind: f"q{q.pk}" for q in invitation.template.questions.all()}
    responses.response_submit(
        invitation=invitation,
        answers={
            questions["nps"]: "4",
            questions["csat"]: "2",
            questions["text"]: "Waited forty minutes at the counter",
        },
    )

    mine = (
        client_for(relationship_manager)
        .get(f"{BASE}/survey-responses/", {"customer": book_customer.pk})
        .json()
    )
    masked = client_for(branch_manager).get(f"{BASE}/survey-responses/").json()
    none = client_for(other_relationship_manager).get(f"{BASE}/survey-responses/").json()
    response_id = SurveyResponse.objects.get().pk

    [item] = mine["results"]
    assert (item["nps_score"], item["csat_score"], item["is_detractor"], item["follow_up_status"]) == (
        4,
        2,
        True,
        "open",
    )
    text = next(answer["text"] for answer in item["answers"] if answer["kind"] == "text")
    assert text == "Waited forty minutes at the counter"
    masked_text = next(
        answer["text"] for answer in masked["results"][0]["answers"] if answer["kind"] == "text"
    )
    assert "forty" not in masked_text
    assert none["results"] == []
    assert (
        client_for(other_relationship_manager).get(f"{BASE}/survey-responses/{response_id}/").status_code
        == 404
    )
