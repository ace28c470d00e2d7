"""The rewards catalogue and redemptions.

    catalogue    rewards a customer may have now (eligibility), and saving a reward (admin)
    redemption   request (points debited, stock taken), fulfil, cancel (points refunded as a
                 new lot, stock returned)
"""

from loyalty.rewards.catalogue import reward_eligible, reward_save, rewards_available
from loyalty.rewards.redemption import (
    OutOfStock,
    RewardNotAvailable,
    redemption_cancel,
    redemption_fulfil,
    redemption_request,
)

__all__ = [
    "OutOfStock",
    "RewardNotAvailable",
    "redemption_cancel",
    "redemption_fulfil",
    "redemption_request",
    "reward_eligible",
    "reward_save",
    "rewards_available",
]
