"""Serializers of the customers API, one module per resource; separate input and output,
fields listed explicitly. Sensitive values are read through compliance.access.RecordView
(see common.RecordDisplays): no serializer masks a value or notes a read by itself."""

from customers.api.serializers.common import RecordDisplays
from customers.api.serializers.customers import (
    CustomerCreateInputSerializer,
    CustomerListOutputSerializer,
    CustomerOutputSerializer,
    CustomerUpdateInputSerializer,
    CustomerUpsertInputSerializer,
    PossibleDuplicatesErrorSerializer,
    possible_duplicates_body,
)
from customers.api.serializers.holdings import (
    HoldingInputSerializer,
    HoldingOutputSerializer,
    HoldingUpsertInputSerializer,
)
from customers.api.serializers.imports import ImportJobOutputSerializer, ImportRecordsInputSerializer
from customers.api.serializers.interactions import InteractionInputSerializer, InteractionOutputSerializer
from customers.api.serializers.needs import NeedInputSerializer, NeedOutputSerializer
from customers.api.serializers.offers import (
    AcceptanceRateOutputSerializer,
    ConsideredOutputSerializer,
    SuggestionAcceptInputSerializer,
    SuggestionDismissInputSerializer,
    SuggestionListQuerySerializer,
    SuggestionOutputSerializer,
    SuggestionRefreshOutputSerializer,
)
from customers.api.serializers.outreach import (
    ConsentInputSerializer,
    ConsentOutputSerializer,
    ContactHoldInputSerializer,
    ContactHoldLiftInputSerializer,
    ContactHoldOutputSerializer,
    ContactLogOutputSerializer,
)
from customers.api.serializers.relationships import RelationshipOutputSerializer
from customers.api.serializers.search import CustomerSearchInputSerializer

__all__ = [
    "AcceptanceRateOutputSerializer",
    "ConsentInputSerializer",
    "ConsentOutputSerializer",
    "ConsideredOutputSerializer",
    "ContactHoldInputSerializer",
    "ContactHoldLiftInputSerializer",
    "ContactHoldOutputSerializer",
    "ContactLogOutputSerializer",
    "CustomerCreateInputSerializer",
    "CustomerListOutputSerializer",
    "CustomerOutputSerializer",
    "CustomerSearchInputSerializer",
    "CustomerUpdateInputSerializer",
    "CustomerUpsertInputSerializer",
    "HoldingInputSerializer",
    "HoldingOutputSerializer",
    "HoldingUpsertInputSerializer",
    "ImportJobOutputSerializer",
    "ImportRecordsInputSerializer",
    "InteractionInputSerializer",
    "InteractionOutputSerializer",
    "NeedInputSerializer",
    "NeedOutputSerializer",
    "PossibleDuplicatesErrorSerializer",
    "RecordDisplays",
    "RelationshipOutputSerializer",
    "SuggestionAcceptInputSerializer",
    "SuggestionDismissInputSerializer",
    "SuggestionListQuerySerializer",
    "SuggestionOutputSerializer",
    "SuggestionRefreshOutputSerializer",
    "possible_duplicates_body",
]
