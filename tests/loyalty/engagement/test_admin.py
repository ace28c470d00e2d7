"""Admin: survey templates saved through the service (audited); customer data restricted."""

from __future__ import annotations

import pytest

from compliance.models import AuditEvent
from loyalty.models import SurveyTemplate
from loyalty.surveys import request_survey, responses
from tests.customers.factories import make_individual
from tests.loyalty.engagement.conftest import grant

pytestmark = pytest.mark.django_db


def test_an_administrator_changes_a_template_through_the_service(client, administrator):
    template = SurveyTemplate.objects.get(code="visit")
    client.force_login(administrator)

    response = client.post(
        f"/admin/loyalty/surveytemplate/{template.pk}/change/",
        {
            "code": "visit",
            "trigger": "visit",
            "title_en": "How was your visit?",
            "title_zh_hans": "您对本次拜访满意吗？",
            "title_zh_hant": "您對本次拜訪滿意嗎？",
            "segments": "[]",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    template.refresh_from_db()
    assert template.title_en == "How was your visit?"
    event = AuditEvent.objects.filter(action="survey_template.saved").get()
    assert event.object_id == str(template.pk)


def test_survey_data_in_admin_is_restricted_to_customers_the_user_sees(
    client, administrator, relationship_manager, branch, django_capture_on_commit_callbacks
):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    grant(relationship_manager, customer)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = request_survey(customer, "visit", "follow-up:5")
    invitation.refresh_from_db()
    questions = {q.kind: f"q{q.pk}" for q in invitation.template.questions.all()}
    responses.response_submit(
        invitation=invitation,
        answers={questions["nps"]: "9", questions["csat"]: "5", questions["text"]: "Very helpful adviser"},
    )
    client.force_login(administrator)

    for model in ("surveyresponse", "surveyanswer", "surveyinvitation"):
        page = client.get(f"/admin/loyalty/{model}/")
        assert page.status_code == 200
        assert customer.number not in page.content.decode()
    assert "Very helpful adviser" not in client.get("/admin/loyalty/surveyanswer/").content.decode()
    assert client.get(f"/admin/loyalty/surveyresponse/{invitation.response.pk}/change/").status_code == 404


def test_staff_without_the_permission_may_not_change_templates(client, relationship_manager):
    relationship_manager.is_staff = True
    relationship_manager.save(update_fields=["is_staff"])
    client.force_login(relationship_manager)
    template = SurveyTemplate.objects.get(code="visit")

    response = client.post(
        f"/admin/loyalty/surveytemplate/{template.pk}/change/",
        {"code": "visit", "trigger": "visit", "title_en": "Changed", "segments": "[]", "is_active": "on"},
    )

    assert response.status_code == 403
    template.refresh_from_db()
    assert template.title_en != "Changed"


def test_a_template_names_known_segments_only(client, administrator):
    template = SurveyTemplate.objects.get(code="relationship")
    client.force_login(administrator)

    response = client.post(
        f"/admin/loyalty/surveytemplate/{template.pk}/change/",
        {
            "code": "relationship",
            "trigger": "relationship",
            "title_en": "Your relationship",
            "segments": '["gold"]',
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert "List segment codes" in response.content.decode()
    template.refresh_from_db()
    assert template.segments == []
