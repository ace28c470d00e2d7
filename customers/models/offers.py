"""Suitable offers: the product catalogue, the rules that suggest a product, and the
suggestions made to customers with the RM's decision on each.

A product is offered only when it is suitable for the customer (risk level against the
individual's risk tolerance, age limits, minimum credit rating, eligible segments and kinds:
`customers.outreach.offers.suitability`). A suggestion is open at most once per customer and
product (a unique constraint makes a rerun of the nightly task, or a second click, insert
nothing twice); its reasons are codes with non-identifying parameters (a need type, a rule's
threshold), rendered in the reader's language. The RM's optional note on a decision is free
text about the customer and stored encrypted.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compliance.fields import EncryptedTextField, RecordKeyField
from customers.models.holdings import ProductType
from customers.models.party import Customer, CustomerKind, Segment
from customers.models.relations import Interaction, NeedType


class RiskLevel(models.IntegerChoices):
    R1 = 1, _("R1 (low)")
    R2 = 2, _("R2 (medium-low)")
    R3 = 3, _("R3 (medium)")
    R4 = 4, _("R4 (medium-high)")
    R5 = 5, _("R5 (high)")


# The highest risk level each risk tolerance accepts; without a risk profile only R1.
RISK_TOLERANCE_LEVELS = {
    "conservative": 1,
    "moderate": 2,
    "balanced": 3,
    "growth": 4,
    "aggressive": 5,
}
# Credit ratings from best to worst; individuals' coarse grades (A, B, C) sit on the same scale.
CREDIT_RATING_SCALE = ("AAA", "AA+", "AA", "AA-", "A+", "A", "A-", "BBB+", "BBB", "BBB-", "BB+", "BB",
                       "BB-", "B+", "B", "B-", "CCC", "CC", "C", "D")
# Products that lend the customer money: only these take a minimum credit rating.
CREDIT_PRODUCTS = frozenset({
    ProductType.MORTGAGE, ProductType.CONSUMER_LOAN, ProductType.CREDIT_CARD, ProductType.CORPORATE_LOAN,
    ProductType.TRADE_FINANCE,
})
# Holdings that count as deposits for a rule's "total deposits above".
DEPOSIT_PRODUCTS = frozenset({ProductType.CURRENT_ACCOUNT, ProductType.SAVINGS_ACCOUNT,
                              ProductType.TERM_DEPOSIT})


class Product(models.Model):
    """A product of the bank's catalogue that rules may suggest.

    `segments` and `kinds` say who may be offered it (empty: everyone); `min_age` and
    `max_age` bound an individual's age; `min_credit_rating` (credit products only) is the
    worst rating still accepted, on CREDIT_RATING_SCALE. An inactive product is never offered.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    product_type = models.CharField(_("product type"), max_length=20, choices=ProductType.choices)
    risk_level = models.PositiveSmallIntegerField(_("risk level"), choices=RiskLevel.choices)
    segments = ArrayField(models.CharField(max_length=16, choices=Segment.choices),
                          verbose_name=_("segments"),
                          default=list, blank=True, help_text=_("Empty: every segment."))
    kinds = ArrayField(models.CharField(max_length=12, choices=CustomerKind.choices), verbose_name=_("kinds"),
                       default=list, blank=True, help_text=_("Empty: individuals and corporates."))
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True,
                                               validators=[MaxValueValidator(120)])
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True,
                                               validators=[MaxValueValidator(120)])
    min_credit_rating = models.CharField(
        _("minimum credit rating"), max_length=8, blank=True,
        choices=[(rating, rating) for rating in CREDIT_RATING_SCALE],
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("offer product")
        verbose_name_plural = _("offer products")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(risk_level__gte=1, risk_level__lte=5),
                                   name="offer_product_risk_level"),
            models.CheckConstraint(
                condition=(Q(min_age__isnull=True) | Q(max_age__isnull=True)
                           | Q(min_age__lte=models.F("max_age"))),
                name="offer_product_age_range",
                violation_error_message=_("The maximum age must not be below the minimum age."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OfferRule(models.Model):
    """A rule that suggests `product` to the customers meeting all of its conditions.

    Conditions (each optional, at least one set): the customer's kinds and segments, an open
    need of `need_type`, holding any of `holds_product_types`, holding none of
    `lacks_product_types`, total deposits (DEPOSIT_PRODUCTS, in the bank's currency) of at
    least `min_deposits`, AUM of at least `min_aum`. `priority` orders suggestions (1 first).
    `version` counts the changes; each suggestion records the version that made it.
    """

    name = models.CharField(_("name"), max_length=120)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="rules",
                                verbose_name=_("product"))
    priority = models.PositiveSmallIntegerField(_("priority"), default=100,
                                                validators=[MinValueValidator(1), MaxValueValidator(1000)])
    kinds = ArrayField(models.CharField(max_length=12, choices=CustomerKind.choices), verbose_name=_("kinds"),
                       default=list, blank=True)
    segments = ArrayField(models.CharField(max_length=16, choices=Segment.choices),
                          verbose_name=_("segments"),
                          default=list, blank=True)
    need_type = models.CharField(_("open need"), max_length=24, choices=NeedType.choices, blank=True)
    holds_product_types = ArrayField(models.CharField(max_length=20, choices=ProductType.choices),
                                     verbose_name=_("holds any of"), default=list, blank=True)
    lacks_product_types = ArrayField(models.CharField(max_length=20, choices=ProductType.choices),
                                     verbose_name=_("holds none of"), default=list, blank=True)
    min_deposits = models.DecimalField(_("total deposits at least"), max_digits=20, decimal_places=2,
                                       null=True, blank=True, validators=[MinValueValidator(Decimal("0.01"))])
    min_aum = models.DecimalField(_("AUM at least"), max_digits=20, decimal_places=2, null=True, blank=True,
                                  validators=[MinValueValidator(Decimal("0.01"))])
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("offer rule")
        verbose_name_plural = _("offer rules")
        ordering = ["priority", "pk"]

    def __str__(self) -> str:
        return self.name


class SuggestionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    DISMISSED = "dismissed", _("Dismissed")
    EXPIRED = "expired", _("Expired")


class DismissReason(models.TextChoices):
    NOT_INTERESTED = "not_interested", _("Customer not interested")
    HELD_ELSEWHERE = "held_elsewhere", _("Already has it with another bank")
    NOT_NOW = "not_now", _("Not the right time")
    UNSUITABLE = "unsuitable", _("Not suitable in the RM's judgement")
    OTHER = "other", _("Other")


class Suggestion(models.Model):
    """A product suggested to a customer by a rule, and what the RM decided.

    `reasons` are the rule's conditions the customer met, as codes with non-identifying
    parameters. `decision_note` is free text about the customer (encrypted). At most one open
    suggestion per customer and product.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="suggestions",
                                 verbose_name=_("customer"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="suggestions",
                                verbose_name=_("product"))
    rule = models.ForeignKey(OfferRule, on_delete=models.PROTECT, related_name="suggestions",
                             verbose_name=_("rule"))
    rule_version = models.PositiveIntegerField(_("rule version"), default=1)
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    status = models.CharField(_("status"), max_length=10, choices=SuggestionStatus.choices,
                              default=SuggestionStatus.OPEN)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    created_at = models.DateTimeField(_("suggested"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=20, choices=DismissReason.choices, blank=True)
    record_key = RecordKeyField()
    decision_note = EncryptedTextField(_("note"), blank=True, null=True, max_length=1000)
    interaction = models.ForeignKey(Interaction, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("interaction"))

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        constraints = [
            models.UniqueConstraint(fields=["customer", "product"], condition=Q(status="open"),
                                    name="suggestion_one_open_per_product"),
        ]
        indexes = [
            models.Index(fields=["customer", "status", "priority"], name="suggestion_customer_open"),
            models.Index(fields=["rule", "status"], name="suggestion_rule_status"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.product_id} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status == SuggestionStatus.OPEN
