"""What the loyalty app holds about a customer, for compliance's privacy exports (registered
from LoyaltyConfig.ready(), beside the customers app's sources): the points ledger, redemptions,
tier membership and changes, event invitations and registrations, survey invitations, responses
and answers. Rows as they are stored, encrypted values in clear, machinery left out."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from compliance.privacy.registry import DataSource, register_data_source
from customers.privacy.sources import SUBJECT_TYPE, rows_collector
from loyalty.models import (
    EventInvitation,
    EventRegistration,
    PointsAdjustment,
    PointsEntry,
    PointsLot,
    Redemption,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    TierChange,
    TierMembership,
)

SOURCES = [
    ("loyalty.points_entries", _("Points entries"), rows_collector(PointsEntry, "account__customer_id")),
    ("loyalty.points_lots", _("Points lots"), rows_collector(PointsLot, "account__customer_id")),
    ("loyalty.points_adjustments", _("Points adjustments"), rows_collector(PointsAdjustment, "customer_id")),
    ("loyalty.redemptions", _("Redemptions"), rows_collector(Redemption, "customer_id")),
    ("loyalty.tier_membership", _("Tier"), rows_collector(TierMembership, "customer_id")),
    ("loyalty.tier_changes", _("Tier changes"), rows_collector(TierChange, "customer_id")),
    ("loyalty.event_invitations", _("Event invitations"), rows_collector(EventInvitation, "customer_id")),
    (
        "loyalty.event_registrations",
        _("Event registrations"),
        rows_collector(EventRegistration, "customer_id"),
    ),
    (
        "loyalty.survey_invitations",
        _("Survey invitations"),
        rows_collector(SurveyInvitation, "customer_id", leave_out=frozenset({"token_hash"})),
    ),
    ("loyalty.survey_responses", _("Survey responses"), rows_collector(SurveyResponse, "customer_id")),
    ("loyalty.survey_answers", _("Survey answers"), rows_collector(SurveyAnswer, "customer_id")),
]


def register() -> None:
    for name, label, collect in SOURCES:
        register_data_source(DataSource(name=name, label=label, subject_type=SUBJECT_TYPE, collect=collect))
