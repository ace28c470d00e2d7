"""Loyalty's models, one module per area: the points ledger, rewards and redemptions, tiers;
events and education; satisfaction surveys."""

from __future__ import annotations

from loyalty.models.events import (  # noqa: F401
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
from loyalty.models.points import (  # noqa: F401
    EARNED_KINDS,
    AdjustmentReason,
    AdjustmentStatus,
    EarningRule,
    EntryKind,
    ExpiryReminder,
    LotConsumption,
    PointsAccount,
    PointsAdjustment,
    PointsEntry,
    PointsLot,
    PointsRequest,
)
from loyalty.models.rewards import Redemption, RedemptionStatus, Reward  # noqa: F401
from loyalty.models.surveys import (  # noqa: F401
    QuestionKind,
    SurveyAnswer,
    SurveyInvitation,
    SurveyInvitationStatus,
    SurveyQuestion,
    SurveyResponse,
    SurveyTemplate,
    SurveyTrigger,
)
from loyalty.models.tiers import AumSample, Tier, TierChange, TierChangeKind, TierMembership  # noqa: F401
