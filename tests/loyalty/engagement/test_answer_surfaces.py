"""A survey's free-text answer reads the same on the customer page and in the API, for each
role: in clear for who sees the customer in clear, the same mask for the others."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from compliance.access import RecordView
from loyalty.models import SurveyAnswer
from loyalty.surveys import request_survey, responses
from tests.customers.api.helpers import client_for
from tests.customers.factories import make_individual
from tests.loyalty.engagement.conftest import grant

pytestmark = pytest.mark.django_db

TEXT = "The adviser explained the fees very clearly"


@pytest.fixture
def answer(relationship_manager, branch, django_capture_on_commit_callbacks):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    grant(relationship_manager, customer)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = request_survey(customer, "visit", "follow-up:3")
    invitation.refresh_from_db()
    questions = {q.kind: f"q{q.pk}" for q in invitation.template.questions.all()}
    responses.response_submit(
        invitation=invitation,
        answers={questions["nps"]: "9", questions["csat"]: "5", questions["text"]: TEXT},
    )
    return SurveyAnswer.objects.get(score__isnull=True)


@pytest.mark.parametrize(
    ("role", "clear"),
    [
        ("relationship_manager", True),
        ("branch_manager", False),
        ("branch_staff", False),
        ("compliance_officer", False),
    ],
)
def test_the_answer_reads_the_same_on_the_page_and_in_the_api(client, request, answer, role, clear):
    user = request.getfixturevalue(role)
    expected = str(RecordView.for_object(user, answer).field("text"))
    assert (expected == TEXT) is clear

    client.force_login(user)
    page = html.unescape(client.get(reverse("customer-detail", args=[answer.customer_id])).content.decode())
    api = client_for(user).get("/api/v1/loyalty/survey-responses/", {"customer": answer.customer_id}).json()
    [item] = api["results"]
    shown = next(entry["text"] for entry in item["answers"] if entry["kind"] == "text")

    assert shown == expected
    assert expected in page
    assert (TEXT in page) is clear
