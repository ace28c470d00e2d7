"""The product catalogue and offer rules a bank starts from (administrators change them in
admin). Written by migration 0015 and, after a flush empties the tables, by post_migrate."""

from __future__ import annotations

from decimal import Decimal

RETAIL = ["mass", "vip", "private"]
AFFLUENT = ["vip", "private"]
CORPORATE = ["sme", "large", "multinational"]

# code, name, product type, risk level, segments, kinds, min age, max age, min credit rating
DEFAULT_PRODUCTS = [
    ("wmp-steady", "Steady Income Wealth Management Product", "wealth_product", 3, RETAIL, ["individual"],
     18, 75, ""),
    ("mmf-daily", "Daily Money Market Fund", "fund", 1, [], [], 18, None, ""),
    ("fund-equity", "China Growth Equity Fund", "fund", 4, RETAIL, ["individual"], 18, 70, ""),
    ("note-structured", "Principal-at-Risk Structured Note", "wealth_product", 5, AFFLUENT, ["individual"],
     18, 65, ""),
    ("pb-mandate", "Private Banking Discretionary Mandate", "wealth_product", 4, ["private"], ["individual"],
     18, 80, ""),
    ("trade-finance", "Trade Finance Facility", "trade_finance", 2, ["sme", "large"], ["corporate"],
     None, None, "BBB"),
    ("fx-hedge", "FX Forward Hedging", "fx", 3, CORPORATE, ["corporate"], None, None, ""),
    ("cash-pool", "Cash Management and Pooling", "cash_management", 1, CORPORATE, ["corporate"], None, None,
     ""),
    ("card-platinum", "Platinum Credit Card", "credit_card", 2, RETAIL, ["individual"], 18, 70, "B"),
    ("mortgage-home", "Home Mortgage", "mortgage", 2, RETAIL, ["individual"], 18, 65, "B"),
]

# name, product code, priority, conditions
DEFAULT_RULES = [
    ("Large deposits, no wealth product", "wmp-steady", 10,
     {"kinds": ["individual"], "min_deposits": Decimal("500000"), "lacks_product_types": ["wealth_product"]}),
    ("Wealth growth need, no fund", "fund-equity", 20,
     {"kinds": ["individual"], "need_type": "wealth_growth", "lacks_product_types": ["fund"]}),
    ("Asset preservation need", "mmf-daily", 30,
     {"kinds": ["individual"], "need_type": "asset_preservation", "lacks_product_types": ["fund"]}),
    ("Affluent investor, structured note", "note-structured", 40,
     {"segments": AFFLUENT, "need_type": "investment", "min_aum": Decimal("3000000")}),
    ("Private banking mandate", "pb-mandate", 15,
     {"segments": ["private"], "min_aum": Decimal("6000000"), "lacks_product_types": ["wealth_product"]}),
    ("Consumer credit need, no card", "card-platinum", 50,
     {"kinds": ["individual"], "need_type": "consumer_credit", "lacks_product_types": ["credit_card"]}),
    ("International business, trade finance", "trade-finance", 10,
     {"segments": ["sme", "large"], "need_type": "international_business",
      "lacks_product_types": ["trade_finance"]}),
    ("International business, FX hedging", "fx-hedge", 20,
     {"kinds": ["corporate"], "need_type": "international_business", "lacks_product_types": ["fx"]}),
    ("Cash management need", "cash-pool", 30,
     {"kinds": ["corporate"], "need_type": "cash_management", "lacks_product_types": ["cash_management"]}),
]


def ensure_defaults(product_model, rule_model, *, using: str = "default") -> None:
    """Write the default catalogue and rules into empty tables (models passed in, so a
    migration can use its own)."""
    if product_model.objects.using(using).exists():
        return
    products = {}
    for code, name, product_type, risk, segments, kinds, min_age, max_age, rating in DEFAULT_PRODUCTS:
        products[code] = product_model.objects.using(using).create(
            code=code, name=name, product_type=product_type, risk_level=risk, segments=segments, kinds=kinds,
            min_age=min_age, max_age=max_age, min_credit_rating=rating)
    if not rule_model.objects.using(using).exists():
        rule_model.objects.using(using).bulk_create([
            rule_model(name=name, product=products[code], priority=priority, **conditions)
            for name, code, priority, conditions in DEFAULT_RULES
        ])
