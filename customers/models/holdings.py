"""Holdings (products held, from core banking) and the exchange rates that value them."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.fields import (
    BlindIndexField,
    EncryptedTextField,
    MaskHintField,
    RecordKeyField,
)
from customers.models.party import Customer

# Band floors for income and revenue (in the bank's currency). Segment rules on income or

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
    # Every encrypted value of the row is bound to it (compliance.fields.RecordKeyField).
    record_key = RecordKeyField()
    account_number = EncryptedTextField(_("account number"), blank=True, null=True, max_length=40)
    account_number_index = BlindIndexField(source="account_number", kind="account_number")
    account_number_mask = MaskHintField(source="account_number", kind="last4")
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


