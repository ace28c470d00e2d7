"""Membership tiers: the current tier, the monthly review, growth plans.

    qualification  current_tier, the figures a customer qualifies on
    review         the monthly review (set-based SQL in batches): upgrades at once, downgrades
                   after the grace period
    announce       tier changes on the customer's timeline and told to the customer
    growth         a customer's growth plan: the next tier, what is missing, milestones
    config         saving tiers (admin)
"""

from loyalty.tiers.announce import AnnounceResult, tier_changes_announce
from loyalty.tiers.config import tier_save
from loyalty.tiers.growth import GrowthPlan, Milestone, growth_plan
from loyalty.tiers.qualification import current_tier, qualifying_tier
from loyalty.tiers.review import TierReviewResult, tiers_review

__all__ = [
    "AnnounceResult",
    "GrowthPlan",
    "Milestone",
    "TierReviewResult",
    "current_tier",
    "growth_plan",
    "qualifying_tier",
    "tier_changes_announce",
    "tier_save",
    "tiers_review",
]
