"""The engagement models' declarations to the trust layer: a survey answer's free text is
about the customer's experience, so it is encrypted and shown as the customer's other free
text is (in clear only to who sees the customer entirely in clear). Registrations,
invitations and responses hold no personal data of their own but are reached through their
customer: the customer's policy decides who sees them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from compliance import access
from customers.trust import CustomerChildPolicy


def register_engagement_models() -> None:
    from loyalty.models import (
        EventInvitation,
        EventRegistration,
        SurveyAnswer,
        SurveyInvitation,
        SurveyResponse,
    )

    access.register(
        SurveyAnswer,
        policy=CustomerChildPolicy(SurveyAnswer),
        fields=[access.SensitiveField("text", "text", "text", _("answer"))],
    )
    for model in (SurveyResponse, SurveyInvitation, EventRegistration, EventInvitation):
        access.register(model, policy=CustomerChildPolicy(model), fields=[])
