"""Loyalty: the points ledger, rewards and redemptions, tiers (engagement models live beside
these in events.py and surveys.py)."""

from __future__ import annotations

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
from loyalty.models.tiers import AumSample, Tier, TierChange, TierChangeKind, TierMembership  # noqa: F401
