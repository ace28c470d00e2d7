"""Parties: the customer record, its kinds, status and segments, the per-customer permission
tables, and the individual and corporate profiles."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from compliance.fields import (
    BlindIndexField,
    DerivedField,
    EncryptedDateField,
    EncryptedDecimalField,
    EncryptedTextField,
    MaskHintField,
    RecordKeyField,
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


def default_time_zone() -> str:
    """The bank's time zone (settings.TIME_ZONE), the zone of a customer nobody said otherwise."""
    return settings.TIME_ZONE


def validate_time_zone(value: str) -> None:
    """Refuse a name that is not an IANA time zone known to zoneinfo."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError(_("Enter a time zone such as Asia/Shanghai or Europe/London."),
                              code="invalid_time_zone") from None


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
    # Every encrypted value of the row is bound to it (compliance.fields.RecordKeyField).
    record_key = RecordKeyField()
    # Lengths of the plaintext (validated by full_clean, so by every surface through the
    # services); the column holds the longer token.
    id_number = EncryptedTextField(
        _("ID / registration number"), blank=True, null=True, max_length=40,
        validators=[NormalisableValidator("national_id")],
    )
    id_number_index = BlindIndexField(source="id_number", kind="national_id")
    # What the masks show, kept beside the ciphertexts so a masked view decrypts nothing.
    id_number_mask = MaskHintField(source="id_number", kind="last4")
    phone = EncryptedTextField(
        _("phone"), blank=True, null=True, max_length=40, validators=[NormalisableValidator("phone")]
    )
    phone_index = BlindIndexField(source="phone", kind="phone")
    phone_mask = MaskHintField(source="phone", kind="phone")
    email = EncryptedTextField(
        _("e-mail"), blank=True, null=True, max_length=254, validators=[NormalisableValidator("email")]
    )
    email_index = BlindIndexField(source="email", kind="email")
    email_mask = MaskHintField(source="email", kind="email")
    address = EncryptedTextField(_("address"), blank=True, null=True, max_length=500)
    aum = models.DecimalField(
        _("assets under management"), max_digits=20, decimal_places=2, default=Decimal("0")
    )
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    kyc_review_due_on = models.DateField(_("KYC review due"), null=True, blank=True)
    risk_review_due_on = models.DateField(_("risk profile review due"), null=True, blank=True)
    is_vulnerable = models.BooleanField(_("vulnerable customer"), default=False)
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=default_time_zone, validators=[validate_time_zone],
        help_text=_("Where the customer lives; quiet hours for contacts are kept in this zone."),
    )
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
            # A branch's name search by prefix: one range of the index (selectors.NAME_PREFIX_ORDERING).
            models.Index(fields=["home_branch", "search_name"], opclasses=["int8_ops", "varchar_pattern_ops"],
                         include=["display_name", "merged_into", "id"], name="cust_branch_search_name"),
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


class BirthdayHintField(DerivedField):
    """The month and day ("03-14") of an encrypted date of birth, kept in clear beside it.

    Birthday reminders need "whose birthday falls in the next days" as set-based SQL, and an
    encrypted date cannot be compared. Month and day alone (366 values, no year) neither
    identify a person nor tell their age, so this column is far less sensitive than the date
    it comes from; it is never shown on its own, and the date stays encrypted. Recomputed by
    ``pre_save`` like a mask hint (list it beside the date in ``update_fields``).
    """

    description = _("Birthday hint")
    kinds = frozenset({"month_day"})
    defaults = {"max_length": 5, "editable": False, "blank": True, "default": ""}
    _kind_name = "birthday hint"

    def compute(self, value) -> str:
        if not value:
            return ""
        return f"{value.month:02d}-{value.day:02d}"


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
    # Every encrypted value of the row is bound to it (compliance.fields.RecordKeyField).
    record_key = RecordKeyField()
    date_of_birth = EncryptedDateField(_("date of birth"), null=True, blank=True)
    date_of_birth_index = BlindIndexField(source="date_of_birth", kind="date")
    birthday_hint = BirthdayHintField(source="date_of_birth", kind="month_day")
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
    # Every encrypted value of the row is bound to it (compliance.fields.RecordKeyField).
    record_key = RecordKeyField()
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


