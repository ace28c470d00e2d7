"""Customers: parties (individual and corporate), profiles, holdings, needs, relationships,
interactions, segmentation, history, and who may see them.

Sensitive attributes are encrypted (compliance.fields) and looked up through blind indexes.
Names stay in clear because staff search by them; `search_name` holds a normalised form
(with pinyin for Chinese names) for prefix and trigram search.

Income and revenue are encrypted; a coarse band floor (`income_band`, `revenue_band`) is
kept in clear so segmentation can run as set-based SQL without decrypting anyone's figures.
"""

from __future__ import annotations

from customers.models.campaigns import (  # noqa: F401
    CAMPAIGN_CHANNEL_CHOICES,
    CAMPAIGN_CHANNELS,
    CAMPAIGN_PURPOSE_CHOICES,
    CAMPAIGN_PURPOSES,
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    DeliveryOutcome,
    OutboundMessage,
    RecipientStatus,
)
from customers.models.care import (  # noqa: F401
    OPEN_STATUSES,
    Appointment,
    AumSnapshot,
    ContactPlan,
    FollowUp,
    FollowUpOutcome,
    FollowUpStatus,
    Notification,
    TriggerKind,
    TriggerRule,
)
from customers.models.history import BookDelegation, CustomerEvent, CustomerEventKind, RevealGrant  # noqa: F401
from customers.models.holdings import (  # noqa: F401
    ASSET_PRODUCTS,
    RETAIL_PRODUCTS,
    ExchangeRate,
    Holding,
    HoldingStatus,
    ProductType,
)
from customers.models.intake import ImportJob, ImportKind, ImportStatus, MergeRecord  # noqa: F401
from customers.models.list_views import (  # noqa: F401
    LIST_VIEW_FILTERS,
    LIST_VIEW_NAME_MAX_LENGTH,
    LIST_VIEWS_PER_USER,
    SavedListView,
    validate_list_view_filters,
)
from customers.models.offers import (  # noqa: F401
    CREDIT_PRODUCTS,
    CREDIT_RATING_SCALE,
    DEPOSIT_PRODUCTS,
    RISK_TOLERANCE_LEVELS,
    DismissReason,
    OfferRule,
    Product,
    RiskLevel,
    Suggestion,
    SuggestionStatus,
)
from customers.models.outreach import (  # noqa: F401
    RECORDED_SOURCES,
    Consent,
    ConsentEvent,
    ConsentSource,
    ConsentStatus,
    ContactCap,
    ContactChannel,
    ContactHold,
    ContactHoldKind,
    ContactLog,
    ContactOutcome,
    ContactPurpose,
    RefusalCode,
    SenderKind,
)
from customers.models.party import (  # noqa: F401
    CORPORATE_SEGMENTS,
    INCOME_BANDS,
    RETAIL_SEGMENTS,
    SEGMENT_RANK,
    Channel,
    CorporateProfile,
    Customer,
    CustomerGroupObjectPermission,
    CustomerKind,
    CustomerStatus,
    CustomerUserObjectPermission,
    Gender,
    IndividualProfile,
    RiskTolerance,
    Segment,
    band_floor,
    default_time_zone,
    validate_time_zone,
)
from customers.models.relations import (  # noqa: F401
    HOUSEHOLD_KINDS,
    NEEDS_BY_KIND,
    Interaction,
    InteractionType,
    Need,
    NeedStatus,
    NeedType,
    Relationship,
    RelationshipKind,
)
from customers.models.segments import SegmentOverride, SegmentRule, SegmentRuleSet  # noqa: F401
