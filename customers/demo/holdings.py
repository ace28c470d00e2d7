"""The products demo customers hold: balances aimed at the default segment rules, so that
assets under management place each customer where the generator meant to."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from customers.demo.identifiers import draw_account_number
from customers.demo.plans import HoldingPlan, Plan, arrears, lognormal, money, round_to, split
from customers.demo.reference import CENT, PRIVATE_AUM, VIP_AUM
from customers.models import CustomerStatus, HoldingStatus, ProductType, RiskTolerance, Segment

if TYPE_CHECKING:
    from customers.demo.batch import BatchPlanner

__all__ = ["add_holding", "plan_corporate_holdings", "plan_individual_holdings"]


def add_holding(batch: BatchPlanner, plan: Plan, product_type: str, name: str, balance: Decimal, *,
                opened: datetime.date, currency: str = "CNY", status: str = HoldingStatus.ACTIVE,
                matures_on: datetime.date | None = None) -> None:
    """Add one product to `plan`, with an account number drawn from the batch's stream."""
    plan.holdings.append(HoldingPlan(
        product_type=product_type, product_name=name, balance=balance, currency=currency,
        status=status, opened_on=opened, matures_on=matures_on,
        account_number=draw_account_number(batch.rng, product_type),
    ))


def plan_individual_holdings(batch: BatchPlanner, plan: Plan, segment: str, status: str,
                             since: datetime.date, risk: str) -> None:
    """Add an individual's products to `plan`: balances that put the customer's assets under
    management inside `segment`'s band, spread over accounts, deposits, wealth products,
    funds and insurance to suit `risk`, plus cards and loans (which are not assets)."""
    rng = batch.rng
    if status == CustomerStatus.PROSPECT:
        return
    if status == CustomerStatus.CLOSED:
        add_holding(batch, plan, ProductType.CURRENT_ACCOUNT, "Everyday Current Account", Decimal("0.00"),
                    opened=since, status=HoldingStatus.CLOSED)
        return
    # Target assets under management inside the segment's band.
    if segment == Segment.PRIVATE:
        aum = min(lognormal(rng, 12_000_000, 0.6), 150_000_000)
        aum = max(aum, float(PRIVATE_AUM) * 1.02)
    elif segment == Segment.VIP:
        aum = min(max(lognormal(rng, 1_100_000, 0.6), float(VIP_AUM) * 1.02), float(PRIVATE_AUM) * 0.97)
    else:
        aum = min(lognormal(rng, 28_000, 1.4), float(VIP_AUM) * 0.95)
        if status == CustomerStatus.DORMANT:
            aum = min(aum, 3_000.0)
    total = money(max(aum, 10.0))
    aggressive = risk in (RiskTolerance.GROWTH, RiskTolerance.AGGRESSIVE)
    weights: list[tuple[str, str, float]] = [
        (ProductType.CURRENT_ACCOUNT, "Everyday Current Account", rng.uniform(0.05, 0.2)),
    ]
    if status == CustomerStatus.ACTIVE:
        if rng.random() < 0.55 or segment != Segment.MASS:
            weights.append((ProductType.SAVINGS_ACCOUNT, "Smart Saver Account", rng.uniform(0.1, 0.4)))
        if rng.random() < (0.35 if segment == Segment.MASS else 0.8):
            term = rng.choice((3, 6, 12, 24, 36))
            weights.append((ProductType.TERM_DEPOSIT, f"Fixed Deposit {term}M", rng.uniform(0.2, 0.6)))
        if rng.random() < (0.25 if segment == Segment.MASS else 0.85):
            days = rng.choice((90, 180, 365))
            level = rng.choice(("R2", "R3")) if not aggressive else rng.choice(("R3", "R4"))
            weights.append((ProductType.WEALTH_PRODUCT, f"Wealth Plus {days}-day ({level})",
                            rng.uniform(0.2, 0.7)))
        fund_share = 0.12 if segment == Segment.MASS else 0.6
        if rng.random() < fund_share or (aggressive and rng.random() < 0.4):
            fund = rng.choice(("China Growth Equity Fund", "Greater Bay Area Bond Fund",
                               "Asia Pacific Balanced Fund", "Money Market Fund", "CSI 300 Index Fund",
                               "Global Technology Fund (QDII)"))
            weights.append((ProductType.FUND, fund, rng.uniform(0.1, 0.5)))
        if rng.random() < (0.15 if segment == Segment.MASS else 0.5):
            policy = rng.choice(("Whole Life Protection", "Critical Illness Cover",
                                 "Education Savings Plan", "Annuity Retirement Plan"))
            weights.append((ProductType.INSURANCE, policy, rng.uniform(0.05, 0.3)))
    parts = split(total, [weight for _type, _name, weight in weights])
    for (product_type, name, _weight), amount in zip(weights, parts, strict=True):
        opened = batch.date_between(since, batch.as_of - datetime.timedelta(days=10))
        matures = None
        currency = "CNY"
        balance = amount
        if product_type == ProductType.TERM_DEPOSIT:
            months = int(name.split()[2].rstrip("M"))
            opened = batch.date_between(max(since, batch.as_of - datetime.timedelta(days=months * 30)),
                                        batch.as_of - datetime.timedelta(days=5))
            matures = opened + datetime.timedelta(days=months * 30)
        elif product_type == ProductType.WEALTH_PRODUCT:
            days = int(name.split()[2].split("-")[0])
            opened = batch.date_between(max(since, batch.as_of - datetime.timedelta(days=days)),
                                        batch.as_of - datetime.timedelta(days=2))
            matures = opened + datetime.timedelta(days=days)
        elif (product_type == ProductType.SAVINGS_ACCOUNT and segment != Segment.MASS
              and rng.random() < 0.3):
            currency = rng.choice(("USD", "USD", "HKD", "EUR"))
            name = f"Foreign Currency Saver ({currency})"
            balance = (amount / batch.rates[currency]).quantize(CENT)
        add_holding(batch, plan, product_type, name, balance, opened=opened, currency=currency,
                    matures_on=matures)
    # Products that are not assets.
    if status == CustomerStatus.ACTIVE:
        if rng.random() < (0.45 if segment == Segment.MASS else 0.7) and plan.age >= 20:
            card = rng.choice(("Platinum Credit Card", "Gold Credit Card", "Travel Rewards Card")) \
                if segment != Segment.MASS else rng.choice(("Classic Credit Card", "Gold Credit Card"))
            add_holding(batch, plan, ProductType.CREDIT_CARD, card, money(rng.uniform(0, 30_000)),
                        opened=batch.date_between(since, batch.as_of - datetime.timedelta(days=10)),
                        status=arrears(rng, 0.015))
        if 25 <= plan.age <= 60 and rng.random() < (0.18 if segment == Segment.MASS else 0.35):
            years = rng.choice((15, 20, 25, 30))
            opened = batch.date_between(max(since, batch.as_of - datetime.timedelta(days=365 * 10)),
                                        batch.as_of - datetime.timedelta(days=30))
            add_holding(batch, plan, ProductType.MORTGAGE, f"Home Mortgage {years}Y",
                        round_to(lognormal(rng, 1_600_000 if segment == Segment.MASS else 3_500_000,
                                           0.5), 1000),
                        opened=opened, matures_on=opened + datetime.timedelta(days=365 * years),
                        status=arrears(rng, 0.01))
        if rng.random() < 0.06:
            opened = batch.date_between(max(since, batch.as_of - datetime.timedelta(days=700)),
                                        batch.as_of - datetime.timedelta(days=15))
            add_holding(batch, plan, ProductType.CONSUMER_LOAN, "Personal Instalment Loan",
                        round_to(rng.uniform(20_000, 300_000), 1000), opened=opened,
                        matures_on=opened + datetime.timedelta(days=365 * rng.choice((1, 2, 3))))
        if rng.random() < 0.12 and since <= batch.as_of - datetime.timedelta(days=400):
            opened = batch.date_between(since, batch.as_of - datetime.timedelta(days=400))
            add_holding(batch, plan, ProductType.TERM_DEPOSIT, "Fixed Deposit 12M",
                        round_to(rng.uniform(10_000, 200_000), 1000), opened=opened,
                        matures_on=opened + datetime.timedelta(days=360), status=HoldingStatus.MATURED)


def plan_corporate_holdings(batch: BatchPlanner, plan: Plan, revenue: Decimal, status: str,
                            since: datetime.date, exporter: bool) -> None:
    """Add a company's products to `plan`: cash in proportion to `revenue`, working capital
    loans, and trade finance and FX hedges for an exporter."""
    rng = batch.rng
    if status == CustomerStatus.PROSPECT:
        return
    if status == CustomerStatus.CLOSED:
        add_holding(batch, plan, ProductType.CURRENT_ACCOUNT, "Business Current Account", Decimal("0.00"),
                    opened=since, status=HoldingStatus.CLOSED)
        return
    revenue_f = float(revenue)
    cash = revenue_f * rng.uniform(0.03, 0.15)
    if status == CustomerStatus.DORMANT:
        cash = min(cash, 50_000.0)
    parts = [("Business Current Account", ProductType.CURRENT_ACCOUNT, 0.45)]
    if status == CustomerStatus.ACTIVE:
        if rng.random() < 0.5:
            parts.append(("Corporate Time Deposit 6M", ProductType.TERM_DEPOSIT, 0.35))
        if revenue_f > 200_000_000 or rng.random() < 0.25:
            parts.append(("Liquidity Management (Cash Pooling)", ProductType.CASH_MANAGEMENT, 0.3))
    amounts = split(money(cash), [weight for _name, _type, weight in parts])
    for (name, product_type, _weight), amount in zip(parts, amounts, strict=True):
        opened = batch.date_between(since, batch.as_of - datetime.timedelta(days=10))
        matures = None
        if product_type == ProductType.TERM_DEPOSIT:
            matures = opened + datetime.timedelta(days=180)
        if matures and matures <= batch.as_of:
            # Rolled over: the current term started within the last six months.
            opened = max(since, batch.as_of - datetime.timedelta(days=rng.randrange(5, 170)))
            matures = opened + datetime.timedelta(days=180)
        add_holding(batch, plan, product_type, name, amount, opened=opened, matures_on=matures)
    if status != CustomerStatus.ACTIVE:
        return
    if exporter and rng.random() < 0.5:
        add_holding(batch, plan, ProductType.CURRENT_ACCOUNT, "Business Current Account (USD)",
                    money(revenue_f * rng.uniform(0.005, 0.03) / float(batch.rates["USD"])),
                    currency="USD",
                    opened=batch.date_between(since, batch.as_of - datetime.timedelta(days=10)))
    if rng.random() < 0.6:
        years = rng.choice((1, 2, 3, 5))
        opened = batch.date_between(max(since, batch.as_of - datetime.timedelta(days=365 * years - 30)),
                                    batch.as_of - datetime.timedelta(days=20))
        add_holding(batch, plan, ProductType.CORPORATE_LOAN, f"Working Capital Loan {years}Y",
                    round_to(revenue_f * rng.uniform(0.05, 0.3), 10_000), opened=opened,
                    matures_on=opened + datetime.timedelta(days=365 * years),
                    status=HoldingStatus.IN_ARREARS if rng.random() < 0.02 else HoldingStatus.ACTIVE)
    if exporter and rng.random() < 0.7:
        opened = batch.date_between(max(since, batch.as_of - datetime.timedelta(days=150)),
                                    batch.as_of - datetime.timedelta(days=3))
        instrument = rng.choice(("Import Letter of Credit", "Export Invoice Financing",
                                 "Standby Letter of Credit", "Documentary Collection"))
        add_holding(batch, plan, ProductType.TRADE_FINANCE, instrument,
                    round_to(revenue_f * rng.uniform(0.01, 0.08) / float(batch.rates["USD"]), 1000),
                    currency="USD", opened=opened, matures_on=opened + datetime.timedelta(days=180))
    if exporter and rng.random() < 0.4:
        opened = batch.date_between(max(since, batch.as_of - datetime.timedelta(days=300)),
                                    batch.as_of - datetime.timedelta(days=3))
        instrument = rng.choice(("USD/CNY Forward", "EUR/CNY Forward", "FX Swap"))
        add_holding(batch, plan, ProductType.FX, instrument,
                    round_to(revenue_f * rng.uniform(0.01, 0.05) / float(batch.rates["USD"]), 1000),
                    currency="USD", opened=opened, matures_on=opened + datetime.timedelta(days=365))
