"""The loyalty app's models, one module per area, re-exported here."""

from loyalty.models.events import (
    Event,
    EventInvitation,
    EventKind,
    EventRegistration,
    EventStatus,
    InvitationStatus,
    Lesson,
    LessonCompletion,
    RegistrationStatus,
)
from loyalty.models.surveys import (
    QuestionKind,
    SurveyAnswer,
    SurveyInvitation,
    SurveyInvitationStatus,
    SurveyQuestion,
    SurveyResponse,
    SurveyTemplate,
    SurveyTrigger,
)

__all__ = [
    "Event",
    "EventInvitation",
    "EventKind",
    "EventRegistration",
    "EventStatus",
    "InvitationStatus",
    "Lesson",
    "LessonCompletion",
    "QuestionKind",
    "RegistrationStatus",
    "SurveyAnswer",
    "SurveyInvitation",
    "SurveyInvitationStatus",
    "SurveyQuestion",
    "SurveyResponse",
    "SurveyTemplate",
    "SurveyTrigger",
]
