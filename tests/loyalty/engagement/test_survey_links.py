"""The public survey page: signed, single-use, expiring links; one response per invitation;
the customer's language; the detractor loop; the timeline and the points."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.urls import reverse

from customers.care import services as care
from customers.models import FollowUp, Interaction
from loyalty.models import SurveyAnswer, SurveyInvitation, SurveyResponse
from loyalty.surveys import request_survey
from tests.customers.factories import make_individual
from tests.loyalty.engagement.conftest import grant, token_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(surveyed, links, django_capture_on_commit_callbacks):
    """A visit survey sent to the customer: (invitation, its public path)."""
    with django_capture_on_commit_callbacks(execute=True):
        invitation = request_survey(surveyed, "visit", "follow-up:1")
    invitation.refresh_from_db()
    return invitation, reverse("loyalty_public:survey-answer", args=[token_of(links[0][1])])


def _answers(invitation, *, nps="9", csat="5", text="Quick and friendly"):
    questions = {q.kind: f"q{q.pk}" for q in invitation.template.questions.all()}
    return {questions["nps"]: nps, questions["csat"]: csat, questions["text"]: text}


def test_the_page_opens_without_login_in_the_customers_language(client, sent):
    invitation, path = sent

    response = client.get(path)

    assert response.status_code == 200
    assert invitation.language == "zh-hans"
    body = response.content.decode()
    assert "您向朋友或同事推荐我行的可能性有多大？" in body
    assert 'name="viewport"' in body
    assert "csrfmiddlewaretoken" in body
    assert invitation.customer.display_name not in body


def test_an_answer_is_saved_once_and_the_link_then_refuses(client, sent):
    invitation, path = sent

    first = client.post(path, _answers(invitation))
    again = client.post(path, _answers(invitation, nps="0"))
    reopened = client.get(path)

    assert first.status_code == 200
    assert 'data-testid="survey-thanks"' in first.content.decode()
    assert again.status_code == 410 and reopened.status_code == 410
    assert "已经" in reopened.content.decode()  # "already answered", in the customer's language
    response = SurveyResponse.objects.get()
    assert (response.nps_score, response.csat_score, response.is_detractor) == (9, 5, False)
    assert (response.branch_id, response.relationship_manager_id, response.segment, response.channel) == (
        invitation.branch_id,
        invitation.relationship_manager_id,
        "vip",
        "sms",
    )
    invitation.refresh_from_db()
    assert invitation.status == "responded"
    text = SurveyAnswer.objects.get(score__isnull=True)
    assert text.text == "Quick and friendly"
    assert FollowUp.objects.filter(reason="detractor").count() == 0


def test_a_tampered_link_is_refused_and_saves_nothing(client, sent):
    invitation, path = sent
    token = path.rstrip("/").rsplit("/", 1)[-1]
    tampered = ("A" if token[0] != "A" else "B") + token[1:]

    got = client.get(f"/s/{tampered}/")
    posted = client.post(f"/s/{tampered}/", _answers(invitation))
    unsigned = client.get("/s/not-a-token/")

    assert got.status_code == posted.status_code == unsigned.status_code == 404
    assert "not valid" in got.content.decode() or "无效" in got.content.decode()
    assert SurveyResponse.objects.count() == 0


def test_an_expired_link_is_refused(client, sent, clock):
    invitation, path = sent
    clock.set(invitation.expires_at + datetime.timedelta(seconds=1))

    got = client.get(path)
    posted = client.post(path, _answers(invitation))

    assert got.status_code == posted.status_code == 410
    assert "过期" in got.content.decode()
    assert SurveyResponse.objects.count() == 0


def test_bad_answers_show_again_with_the_message_and_save_nothing(client, sent):
    invitation, path = sent

    response = client.post(path, _answers(invitation, nps="11", csat=""))

    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="survey-errors"' in body
    assert SurveyResponse.objects.count() == 0
    invitation.refresh_from_db()
    assert invitation.status == "sent"


def test_the_page_is_rate_limited_per_address(client, sent):
    _invitation, path = sent
    statuses = [client.get(path).status_code for _ in range(21)]

    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429


def test_a_detractor_gets_a_call_back_from_the_rm_within_two_days(client, sent, relationship_manager):
    invitation, path = sent

    client.post(path, _answers(invitation, nps="3", csat="4"))

    response = SurveyResponse.objects.get()
    assert response.is_detractor
    follow_up = response.follow_up
    assert (follow_up.customer_id, follow_up.assigned_to_id, follow_up.reason, follow_up.cycle_key) == (
        invitation.customer_id,
        relationship_manager.pk,
        "detractor",
        f"survey:{invitation.pk}",
    )
    assert follow_up.reason_data == {"kind": "nps", "score": 3, "survey": invitation.pk}
    assert follow_up.due_on == datetime.date(2026, 6, 12)
    assert follow_up.status == "open"

    # The call's outcome is reported on the follow-up the dashboards read.
    care.follow_up_complete(actor=relationship_manager, follow_up=follow_up, outcome="reached")
    follow_up.refresh_from_db()
    assert follow_up.outcome == "reached"


@pytest.mark.parametrize(
    ("nps", "csat", "detractor"),
    [("6", "3", True), ("7", "2", True), ("7", "3", False), ("10", "1", True), ("0", "5", True)],
)
def test_detractor_thresholds(client, sent, nps, csat, detractor):
    invitation, path = sent
    client.post(path, _answers(invitation, nps=nps, csat=csat))

    assert SurveyResponse.objects.get().is_detractor is detractor
    assert FollowUp.objects.filter(reason="detractor").exists() is detractor


def test_an_answer_shows_on_the_timeline_and_earns_points(client, sent):
    invitation, path = sent
    with mock.patch("loyalty.surveys.responses.award_points") as award:
        client.post(path, _answers(invitation, nps="8", csat="4"))

    interaction = Interaction.objects.get(customer=invitation.customer, system="surveys")
    assert interaction.staff_id is None
    assert interaction.external_reference == f"survey-response:{invitation.pk}"
    assert "8" in interaction.summary and "Quick and friendly" not in interaction.summary
    response = SurveyResponse.objects.get()
    award.assert_called_once_with(
        invitation.customer, "survey_completed", f"survey-invitation:{invitation.pk}", response.submitted_at
    )


def test_a_customer_in_traditional_chinese_reads_the_survey_in_it(
    client, relationship_manager, branch, links, django_capture_on_commit_callbacks
):
    customer = make_individual(
        relationship_manager=relationship_manager, branch=branch, preferred_language="zh-hant"
    )
    grant(relationship_manager, customer)
    with django_capture_on_commit_callbacks(execute=True):
        request_survey(customer, "relationship", "relationship:2026-Q2")

    body = client.get(f"/s/{token_of(links[0][1])}/").content.decode()

    assert "您向朋友或同事推薦我行的可能性有多大？" in body
    assert SurveyInvitation.objects.get().language == "zh-hant"
