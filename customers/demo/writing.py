"""Writing planned customers: assets under management and segments as the default rules
give them, and rows loaded with COPY, each column prepared exactly as `save()` prepares it."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, models
from django.utils import timezone

from crm.models import Branch
from customers.demo.plans import DemoStats, HoldingPlan, Plan
from customers.demo.reference import (
    CENT,
    GLOBAL_COUNTRIES,
    LARGE_EMPLOYEES,
    LARGE_REVENUE,
    MULTINATIONAL_COUNTRIES,
    PRIVATE_AUM,
    VIP_AUM,
    VIP_INCOME,
)
from customers.models import (
    ASSET_PRODUCTS,
    CorporateProfile,
    Customer,
    CustomerEvent,
    CustomerEventKind,
    CustomerKind,
    Holding,
    HoldingStatus,
    IndividualProfile,
    Interaction,
    Need,
    Relationship,
    Segment,
)
from customers.naming import search_name
from customers.permissions import grant_book_permissions

__all__ = ["allocate_ids", "aum_of", "copy_rows", "segment_for", "write_batch"]


def aum_of(holdings: Sequence[HoldingPlan], rates: dict[str, Decimal], currency: str) -> Decimal:
    """AUM exactly as customers.services.customers_refresh_aum computes it."""
    total = Decimal("0")
    for holding in holdings:
        if holding.status != HoldingStatus.ACTIVE or holding.product_type not in ASSET_PRODUCTS:
            continue
        if holding.balance <= 0:
            continue
        total += holding.balance if holding.currency == currency else holding.balance * rates.get(
            holding.currency, Decimal("0"))
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def segment_for(plan: Plan, aum: Decimal) -> str:
    """The segment the default rules (customers migration 0003) give these figures.

    `segments_recompute` runs afterwards when the rules engine is configured; placing the
    customers right here keeps the demo consistent even without it.
    """
    if plan.kind == CustomerKind.INDIVIDUAL:
        if aum >= PRIVATE_AUM:
            return Segment.PRIVATE
        if aum >= VIP_AUM or (plan.profile["income_band"] or 0) >= VIP_INCOME:
            return Segment.VIP
        return Segment.MASS
    countries = len(plan.profile["countries_of_operation"])
    revenue = plan.profile["revenue_band"] or 0
    if (countries >= MULTINATIONAL_COUNTRIES and revenue >= LARGE_REVENUE) or countries >= GLOBAL_COUNTRIES:
        return Segment.MULTINATIONAL
    if revenue >= LARGE_REVENUE or (plan.profile["employees"] or 0) >= LARGE_EMPLOYEES:
        return Segment.LARGE
    return Segment.SME


def copy_rows(model: type[models.Model], rows: Iterable[dict]) -> int:
    """Insert `rows` into `model`'s table with one COPY; return how many were written.

    A row maps field attnames to Python values: plaintext for an encrypted field, or a
    `compliance.fields.Ciphertext` to store a token as it is. Each row becomes an unsaved
    instance and every concrete column gets what `save()` would write: the field's own
    `pre_save(add=True)` (encrypted fields encrypt, blind indexes and mask hints are derived
    from the plaintext and kept as given beside an unread token, `auto_now` columns get the
    time), adapted by `get_db_prep_save`. Columns a row leaves out get the field's default;
    the primary key is written only when the rows carry it. Raise TypeError for a key that is
    not a field of `model`.
    """
    rows = list(rows)
    if not rows:
        return 0
    fields = [item for item in model._meta.concrete_fields
              if not getattr(item, "generated", False)
              and not (item.primary_key and item.attname not in rows[0])]
    columns = ", ".join(connection.ops.quote_name(item.column) for item in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            instance = model(**row)
            copy.write_row([item.get_db_prep_save(item.pre_save(instance, True), connection)
                            for item in fields])
    return len(rows)


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys from the table's identity sequence (so COPY can write them)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [value for (value,) in cursor.fetchall()]


def write_batch(plans: list[Plan], *, numbers: list[str], branches: dict[str, Branch],
                rates: dict[str, Decimal], currency: str, as_of: datetime.date,
                rng: random.Random) -> DemoStats:
    """Write the customers of `plans` under customer `numbers`, with their profiles, holdings,
    interactions, needs, relationships, history and their RMs' book permissions; return the
    counts. Runs inside the caller's transaction. `rng` draws the date each segment started.
    """
    stats = DemoStats()
    zone = timezone.get_current_timezone()
    ids = allocate_ids(Customer, len(plans))
    customers, individuals, corporates, holdings, interactions, needs, events = [], [], [], [], [], [], []
    relationships: dict[tuple[int, int, str], dict] = {}
    by_manager: dict[int, list[int]] = defaultdict(list)
    for plan, number, customer_id in zip(plans, numbers, ids, strict=True):
        aum = aum_of(plan.holdings, rates, currency)
        segment = segment_for(plan, aum)
        stats.segments[segment] += 1
        names = [plan.customer["display_name"]]
        if plan.kind == CustomerKind.INDIVIDUAL:
            profile = plan.profile
            names += [f"{profile['family_name']} {profile['given_name']}",
                      f"{profile['given_name']} {profile['family_name']}", profile["local_name"]]
            individuals.append({"customer_id": customer_id, **plan.profile})
        else:
            names.append(plan.profile["legal_name"])
            corporates.append({"customer_id": customer_id, **plan.profile})
        since = plan.customer["since"]
        customers.append({
            **plan.customer,
            "id": customer_id, "number": number, "kind": plan.kind, "segment": segment,
            "home_branch_id": branches[plan.branch_code].pk, "relationship_manager_id": plan.manager_id,
            "search_name": search_name(*names), "external_reference": f"CBS-{number[1:]}", "aum": aum,
            "last_contact_at": max((item["occurred_at"] for item in plan.interactions), default=None),
            "segment_since": max(since, as_of - datetime.timedelta(days=rng.randrange(30, 1100))),
        })
        if plan.manager_id:
            by_manager[plan.manager_id].append(customer_id)
        for item in plan.holdings:
            holdings.append({
                "customer_id": customer_id, "product_type": item.product_type,
                "product_name": item.product_name, "account_number": item.account_number,
                "balance": item.balance, "currency": item.currency,
                "status": item.status, "opened_on": item.opened_on, "matures_on": item.matures_on,
            })
        interactions.extend({"customer_id": customer_id, **item} for item in plan.interactions)
        needs.extend({"customer_id": customer_id, **item} for item in plan.needs)
        events.append({
            "customer_id": customer_id, "kind": CustomerEventKind.CREATED, "data": {"source": "demo"},
            "occurred_at": datetime.datetime.combine(since, datetime.time(10), tzinfo=zone),
        })
        for other, kind, role, share in plan.links_out:
            key = (customer_id, ids[other], kind)
            relationships[key] = {"from_customer_id": customer_id, "to_customer_id": ids[other], "kind": kind,
                                  "role": role, "share_percent": share}
    # Parents before children: the foreign keys are checked row by row.
    copy_rows(Customer, customers)
    copy_rows(IndividualProfile, individuals)
    copy_rows(CorporateProfile, corporates)
    copy_rows(Holding, holdings)
    copy_rows(Interaction, interactions)
    copy_rows(Need, needs)
    copy_rows(Relationship, list(relationships.values()))
    copy_rows(CustomerEvent, events)
    for manager_id, customer_ids in by_manager.items():
        grant_book_permissions(user_id=manager_id, customer_ids=customer_ids)
    stats.customers = len(customers)
    stats.individuals = len(individuals)
    stats.corporates = len(corporates)
    stats.holdings = len(holdings)
    stats.interactions = len(interactions)
    stats.needs = len(needs)
    stats.relationships = len(relationships)
    return stats
