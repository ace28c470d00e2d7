"""What the loyalty app holds about a customer, for compliance's privacy exports (registered
from LoyaltyConfig.ready(), beside the customers app's sources): the points ledger, redemptions,
tier membership and changes, event invitations and registrations, survey invitations, responses
and answers. Rows as they are stored, encrypted values in clear, machinery left out."""

from __future__ import annotations

from collections.abc import Callable

from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.privacy.registry import DataSource, register_data_source
from customers.privacy.sources import SUBJECT_TYPE, row_of
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


def _rows(
    model: type[models.Model], lookup: str, *, leave_out: frozenset[str] = frozenset()
) -> Callable[[int], list[dict]]:
    def collect(customer_id: int) -> list[dict]:
        return [
            row_of(item, leave_out=leave_out)
            for item in model.objects.filter(**{lookup: customer_id}).order_by("pk").iterator(chunk_size=500)
        ]

    return collect


SOURCES = [
    ("loyalty.points_entries", _("Points entries"), _rows(PointsEntry, "account__customer_id")),
    ("loyalty.points_lots", _("Points lots"), _rows(PointsLot, "account__customer_id")),
    ("loyalty.points_adjustments", _("Points adjustments"), _rows(PointsAdjustment, "customer_id")),
    ("loyalty.redemptions", _("Redemptions"), _rows(Redemption, "customer_id")),
    ("loyalty.tier_membership", _("Tier"), _rows(TierMembership, "customer_id")),
    ("loyalty.tier_changes", _("Tier changes"), _rows(TierChange, "customer_id")),
    ("loyalty.event_invitations", _("Event invitations"), _rows(EventInvitation, "customer_id")),
    ("loyalty.event_registrations", _("Event registrations"), _rows(EventRegistration, "customer_id")),
    (
        "loyalty.survey_invitations",
        _("Survey invitations"),
        _rows(SurveyInvitation, "customer_id", leave_out=frozenset({"token_hash"})),
    ),
    ("loyalty.survey_responses", _("Survey responses"), _rows(SurveyResponse, "customer_id")),
    ("loyalty.survey_answers", _("Survey answers"), _rows(SurveyAnswer, "customer_id")),
]


def register() -> None:
    for name, label, collect in SOURCES:
        register_data_source(DataSource(name=name, label=label, subject_type=SUBJECT_TYPE, collect=collect))
