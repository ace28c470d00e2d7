"""Writes of the survey configuration: templates and their questions (administrators, through
the admin). Each asks the one policy (SURVEY_TEMPLATES), validates and audits field names."""

from __future__ import annotations

from django.db import transaction

from compliance.audit import audit_record
from loyalty.models import SurveyQuestion, SurveyTemplate
from loyalty.permissions_engagement import EngagementAction, check


def _fields(instance) -> list[str]:
    return [
        field.name
        for field in instance._meta.concrete_fields
        if field.editable and not field.primary_key and field.name != "updated_at"
    ]


@transaction.atomic
def survey_template_save(*, actor, template: SurveyTemplate) -> SurveyTemplate:
    """Create or change a survey template. Raise PermissionDenied unless `actor` may configure
    survey templates; ValidationError for bad values or a second active template of a trigger."""
    check(actor, EngagementAction.SURVEY_TEMPLATES)
    template.full_clean()
    template.save()
    audit_record(
        actor=actor,
        action="survey_template.saved",
        object_type="loyalty.surveytemplate",
        object_id=template.pk,
        fields=_fields(template),
    )
    return template


@transaction.atomic
def survey_question_save(*, actor, question: SurveyQuestion) -> SurveyQuestion:
    """Create or change a question of a template (same rights as the templates)."""
    check(actor, EngagementAction.SURVEY_TEMPLATES)
    question.full_clean()
    question.save()
    audit_record(
        actor=actor,
        action="survey_question.saved",
        object_type="loyalty.surveyquestion",
        object_id=question.pk,
        fields=_fields(question),
        extra={"template": question.template_id},
    )
    return question
