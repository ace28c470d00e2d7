"""Company customers of the demo bank: SMEs, large companies and multinationals."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from customers.demo.holdings import plan_corporate_holdings
from customers.demo.identifiers import draw_landline, draw_mobile, draw_street_address, draw_usci
from customers.demo.interactions import plan_interactions, plan_needs
from customers.demo.plans import Plan, lognormal, money, round_to
from customers.demo.reference import (
    BRANCH_PLAN,
    CITIES,
    CREDIT_RATINGS,
    EXPORT_MARKETS,
    INDUSTRIES,
    LARGE_REVENUE,
    MAILBOXES,
    TRADE_SYLLABLES,
)
from customers.models import CustomerKind, CustomerStatus, RelationshipKind, Segment, band_floor

if TYPE_CHECKING:
    from customers.demo.batch import BatchPlanner

__all__ = ["plan_corporate"]


def plan_corporate(batch: BatchPlanner, branch_code: str) -> Plan:
    """Plan a company customer of `branch_code`: legal and trade names, registration number,
    size and markets by segment, directors, shareholders and key contacts among the branch's
    individuals, a parent group among its larger companies, holdings, interactions, needs."""
    rng = batch.rng
    city = CITIES[BRANCH_PLAN[branch_code][0]]
    index = len(batch.plans)
    status = batch.status()
    zh_line, en_line, industry, exporter, median_revenue = rng.choice(INDUSTRIES)
    first, second = rng.sample(TRADE_SYLLABLES, 2)
    trade_zh = first[0] + second[0]
    trade_en = (first[1] + second[1]).capitalize()
    draw = rng.random()
    if draw < 0.03:
        segment = Segment.MULTINATIONAL
    elif draw < 0.15:
        segment = Segment.LARGE
    else:
        segment = Segment.SME
    if status in (CustomerStatus.PROSPECT, CustomerStatus.CLOSED):
        segment = Segment.SME
    if segment == Segment.SME:
        revenue = min(lognormal(rng, median_revenue * 0.4, 0.9), float(LARGE_REVENUE) * 0.95)
        countries = ["CN"] + (rng.sample(EXPORT_MARKETS, 1) if exporter and rng.random() < 0.4 else [])
    elif segment == Segment.LARGE:
        revenue = min(max(lognormal(rng, 1_200_000_000, 0.6), float(LARGE_REVENUE) * 1.02), 20e9)
        countries = ["CN"] + (rng.sample(EXPORT_MARKETS, 1) if rng.random() < 0.5 else [])
    else:
        revenue = min(max(lognormal(rng, 4_000_000_000, 0.8), float(LARGE_REVENUE) * 1.02), 80e9)
        countries = ["CN", *rng.sample(EXPORT_MARKETS, rng.randrange(2, 7))]
    revenue_d = round_to(revenue, 10_000)
    employees = max(3, int(float(revenue_d) / rng.uniform(400_000, 1_500_000)))
    if segment == Segment.MULTINATIONAL and rng.random() < 0.5:
        form_zh, form_en = "(中国)有限公司", " (China) Co., Ltd."
    elif segment != Segment.SME and rng.random() < 0.5:
        form_zh, form_en = "集团有限公司", " Group Co., Ltd."
    elif rng.random() < 0.15:
        form_zh, form_en = "股份有限公司", " Co., Ltd. (joint stock)"
    else:
        form_zh, form_en = "有限公司", " Co., Ltd."
    legal_name = f"{city.zh}{trade_zh}{zh_line}{form_zh}"
    display = f"{city.en} {trade_en} {en_line}{form_en}"
    since = batch.date_between(batch.as_of - datetime.timedelta(days=20 * 365),
                               batch.as_of - datetime.timedelta(days=30))
    if status == CustomerStatus.PROSPECT:
        since = batch.date_between(batch.as_of - datetime.timedelta(days=120),
                                   batch.as_of - datetime.timedelta(days=3))
    plan = Plan(
        kind=CustomerKind.CORPORATE,
        branch_code=branch_code,
        manager_id=batch.manager(branch_code),
        customer={
            "display_name": display,
            "status": status,
            "segment": segment,
            "since": since,
            "id_number": draw_usci(rng, city),
            "phone": draw_landline(rng, city) if rng.random() < 0.8 else draw_mobile(rng),
            "email": f"{rng.choice(MAILBOXES)}@{trade_en.lower()}-{en_line.split()[0].lower()}.com.cn",
            "address": draw_street_address(rng, city, company=True),
            "is_vulnerable": False,
            "do_not_contact": rng.random() < 0.01,
        },
        profile={
            "legal_name": legal_name,
            "industry": industry,
            "employees": employees,
            "annual_revenue": revenue_d,
            "revenue_band": band_floor(revenue_d),
            "countries_of_operation": countries,
            "parent_group": "",
            "credit_rating": rng.choice(CREDIT_RATINGS) if status != CustomerStatus.PROSPECT else "",
        },
    )
    # Directors, shareholders and a key contact among the branch's individual customers.
    officers = batch.individuals_by_branch[branch_code][-200:]
    if officers:
        chosen = rng.sample(officers, min(len(officers), rng.randrange(1, 4)))
        remaining = Decimal("100")
        for position, officer in enumerate(chosen):
            if batch.plans[officer].age < 25:
                continue
            if position == 0:
                share = money(rng.uniform(30, 80)) if segment == Segment.SME else None
                role = "Legal representative and director" if share else "Director"
                plan_kind = RelationshipKind.SHAREHOLDER if share else RelationshipKind.DIRECTOR
                batch.plans[officer].links_out.append((index, plan_kind, role, share))
                if share:
                    remaining -= share
            elif position == 1 and segment == Segment.SME and remaining > 5:
                share = money(rng.uniform(5, float(remaining)))
                batch.plans[officer].links_out.append(
                    (index, RelationshipKind.SHAREHOLDER, "Shareholder", share))
            else:
                role = rng.choice(("Chief financial officer", "Treasurer", "Finance manager"))
                batch.plans[officer].links_out.append((index, RelationshipKind.KEY_CONTACT, role, None))
    # Some companies belong to a group that is also a customer.
    parents = [candidate for candidate in batch.corporates_by_branch[branch_code]
               if batch.plans[candidate].customer["segment"] != Segment.SME]
    if parents and segment == Segment.SME and rng.random() < 0.25:
        parent = rng.choice(parents)
        plan.profile["parent_group"] = batch.plans[parent].profile["legal_name"]
        batch.plans[parent].links_out.append((index, RelationshipKind.PARENT_COMPANY, "", money(
            rng.choice((51, 60, 75, 100)))))
    plan_corporate_holdings(batch, plan, revenue_d, status, since, exporter or len(countries) > 1)
    plan_interactions(batch, plan, since, status)
    plan_needs(batch, plan, since)
    return plan
