"""Customers: parties (individual and corporate), profiles, holdings, needs, relationships,
interactions, segmentation, history, and who may see them.

Sensitive attributes are encrypted (compliance.fields) and looked up through blind indexes.
Names stay in clear because staff search by them; `search_name` holds a normalised form
(with pinyin for Chinese names) for prefix and trigram search.

Income and revenue are encrypted; a coarse band floor (`income_band`, `revenue_band`) is
kept in clear so segmentation can run as set-based SQL without decrypting anyone's figures.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from compliance.fields import (
    BlindIndexField,
    EncryptedDateField,
    EncryptedDecimalField,
    EncryptedTextField,
)
from compliance.normalise import NormalisableValidator
from crm.models import Branch

# Band floors for income and revenue (in the bank's currency). Segment rules on income or
# revenue may only use these thresholds, so a rule is exact on the band floor.
INCOME_BANDS = [
    Decimal(value)
    for value in (
        "0", "100000", "300000", "500000", "1000000", "3000000", "6000000", "10000000",
        "30000000", "50000000", "100000000", "500000000", "1000000000", "5000000000",
    )
]


def band_floor(amount: Decimal | None) -> Decimal | None:
    """The highest band floor not above `amount` (None for None)."""
    if amount is None:
        return None
    floor = INCOME_BANDS[0]
    for threshold in INCOME_BANDS:
        if amount >= threshold:
            floor = threshold
    return floor


class CustomerKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    CORPORATE = "corporate", _("Corporate")


class CustomerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    CLOSED = "closed", _("Closed")


class Segment(models.TextChoices):
    MASS = "mass", _("Mass retail")
    VIP = "vip", _("VIP")
    PRIVATE = "private", _("Private banking")
    SME = "sme", _("SME")
    LARGE = "large", _("Large enterprise")
    MULTINATIONAL = "multinational", _("Multinational")


RETAIL_SEGMENTS = (Segment.MASS, Segment.VIP, Segment.PRIVATE)
CORPORATE_SEGMENTS = (Segment.SME, Segment.LARGE, Segment.MULTINATIONAL)
SEGMENT_RANK = {segment: rank for rank, segment in enumerate(
    [Segment.MASS, Segment.VIP, Segment.PRIVATE, Segment.SME, Segment.LARGE, Segment.MULTINATIONAL])}


class Customer(models.Model):
    """A customer of the bank, individual or corporate.

    Contact and identity attributes common to both kinds live here so exact lookups (ID or
    registration number, phone, e-mail) use one set of blind indexes. `aum` is derived from
    holdings by `customers.services.customer_refresh_aum`; `last_contact_at` from interactions.
    """

    number = models.CharField(_("customer number"), max_length=16, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=CustomerKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE
    )
    display_name = models.CharField(_("name"), max_length=200)
    search_name = models.CharField(max_length=400, editable=False, default="")
    home_branch = models.ForeignKey(
        Branch, verbose_name=_("home branch"), on_delete=models.PROTECT, related_name="customers"
    )
    relationship_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("relationship manager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="book",
    )
    segment = models.CharField(_("segment"), max_length=16, choices=Segment.choices)
    segment_since = models.DateField(_("segment since"), null=True, blank=True)
    segment_rule = models.ForeignKey(
        "SegmentRule", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("segment rule"),
    )
    segment_basis = models.JSONField(
        _("segment basis"), default=dict, blank=True,
        help_text=_("The figures the rule used when it placed the customer."),
    )
    external_reference = models.CharField(
        _("core banking reference"), max_length=64, null=True, blank=True, unique=True
    )
    since = models.DateField(_("customer since"))
    id_number = EncryptedTextField(
        _("ID / registration number"), blank=True, null=True,
        validators=[NormalisableValidator("national_id")],
    )
    id_number_index = BlindIndexField(source="id_number", kind="national_id")
    phone = EncryptedTextField(
        _("phone"), blank=True, null=True, validators=[NormalisableValidator("phone")]
    )
    phone_index = BlindIndexField(source="phone", kind="phone")
    email = EncryptedTextField(
        _("e-mail"), blank=True, null=True, validators=[NormalisableValidator("email")]
    )
    email_index = BlindIndexField(source="email", kind="email")
    address = EncryptedTextField(_("address"), blank=True, null=True)
    aum = models.DecimalField(
        _("assets under management"), max_digits=20, decimal_places=2, default=Decimal("0")
    )
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    is_vulnerable = models.BooleanField(_("vulnerable customer"), default=False)
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from",
        verbose_name=_("merged into"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        default_permissions = ("add", "change", "delete", "view")
        permissions = [
            ("view_customer_pii", _("Can see a customer's sensitive fields in clear")),
            ("reveal_customer_pii", _("Can reveal sensitive fields with a stated purpose")),
            ("reassign_customer", _("Can reassign customers to another relationship manager")),
            ("export_customer", _("Can export customer lists")),
            ("import_customer", _("Can import customers and holdings")),
        ]
        indexes = [
            models.Index(fields=["relationship_manager", "segment", "status"], name="cust_rm_seg_status"),
            models.Index(fields=["home_branch", "segment", "status"], name="cust_branch_seg_status"),
            models.Index(fields=["home_branch", "display_name", "id"], name="cust_branch_name"),
            models.Index(fields=["relationship_manager", "last_contact_at"], name="cust_rm_last_contact"),
            models.Index(fields=["segment", "status"], name="cust_segment_status"),
            models.Index(
                OpClass(Upper("display_name"), name="varchar_pattern_ops"), name="cust_name_prefix"
            ),
            models.Index(
                OpClass("search_name", name="varchar_pattern_ops"), name="cust_search_name_prefix"
            ),
            GinIndex(OpClass("search_name", name="gin_trgm_ops"), name="cust_search_name_trgm"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=CustomerKind.INDIVIDUAL, segment__in=[s.value for s in RETAIL_SEGMENTS])
                    | Q(kind=CustomerKind.CORPORATE, segment__in=[s.value for s in CORPORATE_SEGMENTS])
                ),
                name="customer_segment_matches_kind",
            ),
            models.CheckConstraint(condition=Q(aum__gte=0), name="customer_aum_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.display_name}"

    @property
    def is_individual(self) -> bool:
        return self.kind == CustomerKind.INDIVIDUAL


class CustomerUserObjectPermission(UserObjectPermissionBase):
    """Direct per-customer permissions for users (fast joins at millions of rows)."""

    content_object = models.ForeignKey(Customer, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class CustomerGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Customer, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNDISCLOSED = "undisclosed", _("Not disclosed")


class Channel(models.TextChoices):
    BRANCH = "branch", _("Branch visit")
    PHONE = "phone", _("Phone")
    MOBILE_APP = "mobile_app", _("Mobile app")
    ONLINE_BANKING = "online_banking", _("Online banking")
    EMAIL = "email", _("E-mail")
    MESSAGING = "messaging", _("Messaging")
    LETTER = "letter", _("Letter")


class RiskTolerance(models.TextChoices):
    CONSERVATIVE = "conservative", _("Conservative")
    MODERATE = "moderate", _("Moderate")
    BALANCED = "balanced", _("Balanced")
    GROWTH = "growth", _("Growth")
    AGGRESSIVE = "aggressive", _("Aggressive")


class IndividualProfile(models.Model):
    """Personal details of an individual customer."""

    customer = models.OneToOneField(
        Customer, primary_key=True, on_delete=models.CASCADE, related_name="individual"
    )
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    local_name = models.CharField(_("name in Chinese"), max_length=100, blank=True)
    gender = models.CharField(
        _("gender"), max_length=12, choices=Gender.choices, default=Gender.UNDISCLOSED
    )
    date_of_birth = EncryptedDateField(_("date of birth"), null=True, blank=True)
    date_of_birth_index = BlindIndexField(source="date_of_birth", kind="date")
    occupation = models.CharField(_("occupation"), max_length=120, blank=True)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    annual_income = EncryptedDecimalField(
        _("annual income"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    income_band = models.DecimalField(
        _("income band"), max_digits=18, decimal_places=2, null=True, blank=True, editable=False
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=16, choices=Channel.choices, default=Channel.PHONE
    )
    credit_rating = models.CharField(_("credit rating"), max_length=8, blank=True)
    risk_tolerance = models.CharField(
        _("risk tolerance"), max_length=16, choices=RiskTolerance.choices, blank=True
    )

    class Meta:
        verbose_name = _("individual profile")
        verbose_name_plural = _("individual profiles")

    def __str__(self) -> str:
        return f"{self.family_name} {self.given_name}"


class CorporateProfile(models.Model):
    """Company details of a corporate customer. Key contacts are relationships."""

    customer = models.OneToOneField(
        Customer, primary_key=True, on_delete=models.CASCADE, related_name="corporate"
    )
    legal_name = models.CharField(_("legal name"), max_length=200)
    industry = models.CharField(_("industry"), max_length=80)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    annual_revenue = EncryptedDecimalField(
        _("annual revenue"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    revenue_band = models.DecimalField(
        _("revenue band"), max_digits=20, decimal_places=2, null=True, blank=True, editable=False
    )
    countries_of_operation = ArrayField(
        models.CharField(max_length=2), verbose_name=_("countries of operation"), default=list,
        blank=True, help_text=_("ISO 3166 two-letter codes."),
    )
    parent_group = models.CharField(_("parent group"), max_length=200, blank=True)
    credit_rating = models.CharField(_("credit rating"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("corporate profile")
        verbose_name_plural = _("corporate profiles")

    def __str__(self) -> str:
        return self.legal_name


class ProductType(models.TextChoices):
    CURRENT_ACCOUNT = "current_account", _("Current account")
    SAVINGS_ACCOUNT = "savings_account", _("Savings account")
    TERM_DEPOSIT = "term_deposit", _("Term deposit")
    WEALTH_PRODUCT = "wealth_product", _("Wealth management product")
    FUND = "fund", _("Fund")
    INSURANCE = "insurance", _("Insurance")
    MORTGAGE = "mortgage", _("Mortgage")
    CONSUMER_LOAN = "consumer_loan", _("Consumer loan")
    CREDIT_CARD = "credit_card", _("Credit card")
    CORPORATE_LOAN = "corporate_loan", _("Corporate loan")
    TRADE_FINANCE = "trade_finance", _("Trade finance")
    CASH_MANAGEMENT = "cash_management", _("Cash management")
    FX = "fx", _("Foreign exchange")


# Products whose balance is an asset the bank manages for the customer (counted in AUM).
ASSET_PRODUCTS = frozenset({
    ProductType.CURRENT_ACCOUNT, ProductType.SAVINGS_ACCOUNT, ProductType.TERM_DEPOSIT,
    ProductType.WEALTH_PRODUCT, ProductType.FUND, ProductType.INSURANCE,
    ProductType.CASH_MANAGEMENT,
})
RETAIL_PRODUCTS = frozenset(set(ProductType) - {
    ProductType.CORPORATE_LOAN, ProductType.TRADE_FINANCE, ProductType.CASH_MANAGEMENT, ProductType.FX,
})


class HoldingStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MATURED = "matured", _("Matured")
    CLOSED = "closed", _("Closed")
    IN_ARREARS = "in_arrears", _("In arrears")


class Holding(models.Model):
    """A product the customer holds, as the core banking system reports it."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="holdings", verbose_name=_("customer")
    )
    product_type = models.CharField(_("product type"), max_length=20, choices=ProductType.choices)
    product_name = models.CharField(_("product"), max_length=120)
    account_number = EncryptedTextField(_("account number"), blank=True, null=True)
    account_number_index = BlindIndexField(source="account_number", kind="account_number")
    account_last4 = models.CharField(max_length=4, blank=True, editable=False)
    balance = models.DecimalField(_("balance"), max_digits=20, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    status = models.CharField(
        _("status"), max_length=12, choices=HoldingStatus.choices, default=HoldingStatus.ACTIVE
    )
    opened_on = models.DateField(_("opened"))
    matures_on = models.DateField(_("matures"), null=True, blank=True)
    external_reference = models.CharField(
        _("core banking reference"), max_length=64, null=True, blank=True, unique=True
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("holding")
        verbose_name_plural = _("holdings")
        indexes = [
            models.Index(fields=["customer", "status", "product_type"], name="holding_cust_status_type"),
            models.Index(fields=["product_type", "status"], name="holding_type_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_product_type_display()} {self.product_name}"


class ExchangeRate(models.Model):
    """Rate to the bank's currency, used to total holdings in other currencies."""

    currency = models.CharField(_("currency"), max_length=3, unique=True)
    rate = models.DecimalField(
        _("rate to bank currency"), max_digits=18, decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
    )
    as_of = models.DateField(_("as of"))

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency"]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate}"


class NeedType(models.TextChoices):
    WEALTH_GROWTH = "wealth_growth", _("Wealth growth")
    ASSET_PRESERVATION = "asset_preservation", _("Asset preservation")
    CONSUMER_CREDIT = "consumer_credit", _("Consumer credit")
    INVESTMENT = "investment", _("Investment")
    FINANCING = "financing", _("Financing")
    SETTLEMENT = "settlement", _("Settlement")
    CASH_MANAGEMENT = "cash_management", _("Cash management")
    INTERNATIONAL_BUSINESS = "international_business", _("International business")


NEEDS_BY_KIND = {
    CustomerKind.INDIVIDUAL: (NeedType.WEALTH_GROWTH, NeedType.ASSET_PRESERVATION,
                              NeedType.CONSUMER_CREDIT, NeedType.INVESTMENT),
    CustomerKind.CORPORATE: (NeedType.FINANCING, NeedType.SETTLEMENT, NeedType.CASH_MANAGEMENT,
                             NeedType.INTERNATIONAL_BUSINESS),
}


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    MET = "met", _("Met")
    DROPPED = "dropped", _("No longer relevant")


class Need(models.Model):
    """Something the customer needs, from the bank's catalogue, and who recorded it."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="needs", verbose_name=_("customer")
    )
    need_type = models.CharField(_("need"), max_length=24, choices=NeedType.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    note = EncryptedTextField(_("note"), blank=True, null=True, max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        indexes = [models.Index(fields=["customer", "status"], name="need_customer_status")]

    def __str__(self) -> str:
        return self.get_need_type_display()


class RelationshipKind(models.TextChoices):
    SPOUSE = "spouse", _("Spouse")
    HOUSEHOLD_MEMBER = "household_member", _("Household member")
    GUARANTOR = "guarantor", _("Guarantor")
    DIRECTOR = "director", _("Director")
    SHAREHOLDER = "shareholder", _("Shareholder")
    KEY_CONTACT = "key_contact", _("Key contact")
    PARENT_COMPANY = "parent_company", _("Parent company")
    SUBSIDIARY = "subsidiary", _("Subsidiary")


HOUSEHOLD_KINDS = (RelationshipKind.SPOUSE, RelationshipKind.HOUSEHOLD_MEMBER)


class Relationship(models.Model):
    """A directed link: `from_customer` is `kind` of `to_customer` (A is director of B)."""

    from_customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="relationships_out",
        verbose_name=_("from"),
    )
    to_customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="relationships_in", verbose_name=_("to")
    )
    kind = models.CharField(_("relationship"), max_length=20, choices=RelationshipKind.choices)
    role = models.CharField(_("role"), max_length=120, blank=True)
    share_percent = models.DecimalField(
        _("share %"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [
            models.UniqueConstraint(
                fields=["from_customer", "to_customer", "kind"], name="relationship_unique"
            ),
            models.CheckConstraint(
                condition=~Q(from_customer=models.F("to_customer")), name="relationship_not_self"
            ),
        ]
        indexes = [models.Index(fields=["to_customer", "kind"], name="relationship_to_kind")]

    def __str__(self) -> str:
        return f"{self.from_customer_id} {self.kind} {self.to_customer_id}"


class InteractionType(models.TextChoices):
    SERVICE = "service", _("Service")
    ADVICE = "advice", _("Advice")
    SALES = "sales", _("Sales")
    FOLLOW_UP = "follow_up", _("Follow-up")
    COMPLAINT = "complaint", _("Complaint")
    TRANSACTION = "transaction", _("Transaction")
    NOTIFICATION = "notification", _("Notification")


class Interaction(models.Model):
    """One contact with the customer on any channel, by a member of staff or a system."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="interactions", verbose_name=_("customer")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    interaction_type = models.CharField(
        _("type"), max_length=16, choices=InteractionType.choices, default=InteractionType.SERVICE
    )
    summary = EncryptedTextField(_("summary"), max_length=4000)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("staff member"),
    )
    system = models.CharField(_("system"), max_length=60, blank=True)
    occurred_at = models.DateTimeField(_("time"))
    external_reference = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="interaction_timeline"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(staff__isnull=False) | ~Q(system=""), name="interaction_has_author"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.occurred_at:%Y-%m-%d}"


class SegmentRuleSet(models.Model):
    """A version of the segmentation rules. Exactly one version is active at a time."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    is_active = models.BooleanField(_("active"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("segment rule set")
        verbose_name_plural = _("segment rule sets")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_rule_set"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class SegmentRule(models.Model):
    """One ordered rule: customers of `kind` meeting every condition belong to `segment`.

    `conditions` is a list of {"metric": ..., "op": ">=", "value": ...}; metrics are aum,
    income, revenue, employees, countries (count) and holding (a product type held). The
    first matching rule (lowest `priority`) wins; a rule with no condition is the default.
    """

    rule_set = models.ForeignKey(SegmentRuleSet, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("kind"), max_length=12, choices=CustomerKind.choices)
    segment = models.CharField(_("segment"), max_length=16, choices=Segment.choices)
    priority = models.PositiveSmallIntegerField(_("priority"))
    conditions = models.JSONField(_("conditions"), default=list, blank=True)

    class Meta:
        verbose_name = _("segment rule")
        verbose_name_plural = _("segment rules")
        ordering = ["rule_set", "kind", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "kind", "priority"], name="segment_rule_order"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_set} {self.kind} #{self.priority} → {self.segment}"


class SegmentOverride(models.Model):
    """A manual segment, with a reason and an expiry, that the nightly run respects."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="segment_overrides")
    segment = models.CharField(_("segment"), max_length=16, choices=Segment.choices)
    reason = models.CharField(_("reason"), max_length=300)
    expires_on = models.DateField(_("expires"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("segment override")
        verbose_name_plural = _("segment overrides")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(ended_at__isnull=True), name="one_open_override"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} → {self.segment} until {self.expires_on}"


class CustomerEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Details updated")
    SEGMENT_CHANGED = "segment_changed", _("Segment changed")
    SEGMENT_OVERRIDDEN = "segment_overridden", _("Segment set by hand")
    REASSIGNED = "reassigned", _("Relationship manager changed")
    STATUS_CHANGED = "status_changed", _("Status changed")
    MERGED = "merged", _("Merged")
    UNMERGED = "unmerged", _("Merge reversed")
    IMPORTED = "imported", _("Imported")


class CustomerEvent(models.Model):
    """The customer's history as staff read it. `data` holds ids and codes, never PII."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="history")
    kind = models.CharField(_("event"), max_length=20, choices=CustomerEventKind.choices)
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("customer event")
        verbose_name_plural = _("customer events")
        indexes = [models.Index(fields=["customer", "-occurred_at"], name="customer_event_timeline")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind}"


class BookDelegation(models.Model):
    """A colleague covers a relationship manager's book for a date range (inclusive)."""

    relationship_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_given",
        verbose_name=_("relationship manager"),
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_received",
        verbose_name=_("covered by"),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("book delegation")
        verbose_name_plural = _("book delegations")
        indexes = [models.Index(fields=["delegate", "starts_on", "ends_on"], name="delegation_active")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="delegation_dates"),
            models.CheckConstraint(
                condition=~Q(delegate=models.F("relationship_manager")), name="delegation_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.relationship_manager_id} → {self.delegate_id} {self.starts_on}..{self.ends_on}"


class RevealGrant(models.Model):
    """A time-limited right to see named sensitive fields of one customer in clear."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="reveal_grants")
    fields = ArrayField(models.CharField(max_length=64))
    purpose = models.CharField(_("purpose"), max_length=300)
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("reveal grant")
        verbose_name_plural = _("reveal grants")
        indexes = [models.Index(fields=["user", "customer", "expires_at"], name="reveal_grant_active")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.customer_id} until {self.expires_at:%H:%M}"


class ImportKind(models.TextChoices):
    CUSTOMERS = "customers", _("Customers")
    HOLDINGS = "holdings", _("Holdings")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    VALIDATING = "validating", _("Checking")
    VALIDATED = "validated", _("Checked")
    APPLYING = "applying", _("Importing")
    APPLIED = "applied", _("Imported")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """A CSV import: checked first (dry run, row-level errors), then applied in a Celery task.

    The uploaded file holds customer data, so it is stored encrypted. `errors` lists
    {"row", "field", "message"} without the offending values.
    """

    kind = models.CharField(_("kind"), max_length=12, choices=ImportKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    file_name = models.CharField(_("file"), max_length=200)
    content = EncryptedTextField()
    rows_total = models.PositiveIntegerField(default=0)
    rows_processed = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    home_branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("Branch for new customers whose row names none."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name} ({self.get_status_display()})"


class MergeRecord(models.Model):
    """Two customer records merged into one, with what moved, so the merge can be reversed."""

    survivor = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="merges_absorbed")
    merged = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="merges_into")
    moved = models.JSONField(default=dict, help_text=_("Ids of the rows moved, by model."))
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField()
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        constraints = [
            models.UniqueConstraint(
                fields=["merged"], condition=Q(reversed_at__isnull=True), name="one_open_merge_per_record"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"
