"""Shared customer test data, created through the real services.

Every helper goes through `customers.services` so profiles, blind indexes, book permissions,
history and audit events exist exactly as they would in production. Other engineers import
these; keep the signatures stable.

    make_individual(*, relationship_manager=None, branch, actor=None, **overrides) -> Customer
    make_corporate(*, relationship_manager=None, branch, actor=None, **overrides) -> Customer
    make_holding(customer, *, actor=None, **overrides) -> Holding
    make_interaction(customer, *, actor=None, **overrides) -> Interaction

`overrides` for the customer helpers may name customer fields (phone, email, id_number,
status, segment, display_name, ...) and profile fields (given_name, annual_income,
legal_name, industry, ...); each goes to the right place.
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from crm.roles import Role
from customers import services
from customers.models import (
    Channel,
    CustomerKind,
    HoldingStatus,
    InteractionType,
    ProductType,
)
from tests.factories import UserFactory

_sequence = itertools.count(1)

CUSTOMER_KEYS = services.CUSTOMER_FIELDS | {"segment"}


def _system_actor():
    """The actor used when a test does not care who created the data (an import account)."""
    existing = get_user_model().objects.filter(username="svc.factory").first()
    return existing or UserFactory(role=Role.SERVICE_ACCOUNT, branch=None, username="svc.factory")


def _creator(actor, relationship_manager, fields: dict):
    """Who creates a factory customer: the actor named, else its relationship manager, else
    (and always for a core-banking reference, which only core banking sets) the import account."""
    if actor is not None:
        return actor
    if relationship_manager is not None and not fields.get("external_reference"):
        return relationship_manager
    return _system_actor()


def _split(overrides: dict, profile_fields: frozenset[str]) -> tuple[dict, dict, str | None]:
    unknown = set(overrides) - CUSTOMER_KEYS - profile_fields
    if unknown:
        raise TypeError(f"Unknown customer or profile fields: {sorted(unknown)}")
    fields = {key: value for key, value in overrides.items() if key in services.CUSTOMER_FIELDS}
    profile = {key: value for key, value in overrides.items() if key in profile_fields}
    return fields, profile, overrides.get("segment")


def make_individual(*, relationship_manager=None, branch, actor=None, **overrides):
    """An individual customer with a profile, in `branch`, in `relationship_manager`'s book."""
    n = next(_sequence)
    values = {
        "given_name": f"Wei{n}",
        "family_name": "Zhang",
        "date_of_birth": datetime.date(1980, 1, 1) + datetime.timedelta(days=n),
        "annual_income": Decimal("250000.00"),
        "occupation": "Engineer",
        "phone": f"+86 138 {n // 10000 % 10000:04d} {n % 10000:04d}",
        "email": f"customer{n}@example.cn",
        "id_number": f"11010519800101{n % 10000:04d}",
        "address": f"{n} Century Avenue, Pudong, Shanghai",
    }
    values.update(overrides)
    fields, profile, segment = _split(values, services.INDIVIDUAL_FIELDS)
    return services.customer_create(
        actor=_creator(actor, relationship_manager, fields), kind=CustomerKind.INDIVIDUAL,
        home_branch=branch, relationship_manager=relationship_manager, profile=profile,
        segment=segment, **fields,
    )


def make_corporate(*, relationship_manager=None, branch, actor=None, **overrides):
    """A corporate customer with a profile, in `branch`, in `relationship_manager`'s book."""
    n = next(_sequence)
    values = {
        "legal_name": f"Huaxin Trading {n} Co., Ltd.",
        "industry": "Wholesale trade",
        "employees": 120,
        "annual_revenue": Decimal("80000000.00"),
        "countries_of_operation": ["CN"],
        "phone": f"+86 21 {5000 + n % 5000:04d} {n % 10000:04d}",
        "email": f"finance{n}@huaxin.example.cn",
        "id_number": f"91310000MA1K{n % 1000000:06d}",
        "address": f"{n} Nanjing Road, Huangpu, Shanghai",
    }
    values.update(overrides)
    fields, profile, segment = _split(values, services.CORPORATE_FIELDS)
    return services.customer_create(
        actor=_creator(actor, relationship_manager, fields), kind=CustomerKind.CORPORATE,
        home_branch=branch, relationship_manager=relationship_manager, profile=profile,
        segment=segment, **fields,
    )


def make_holding(customer, *, actor=None, **overrides):
    """An active holding (savings account by default) through holding_upsert; refreshes AUM."""
    n = next(_sequence)
    values = {
        "product_type": ProductType.SAVINGS_ACCOUNT,
        "product_name": "Savings",
        "account_number": f"6222 0210 0100 {n % 10000:04d}",
        "balance": Decimal("100000.00"),
        "currency": "CNY",
        "status": HoldingStatus.ACTIVE,
        "opened_on": datetime.date(2020, 1, 1),
    }
    external_reference = overrides.pop("external_reference", f"H-TEST-{n:08d}")
    values.update(overrides)
    holding, _created = services.holding_upsert(
        actor=actor or customer.relationship_manager or _system_actor(), customer=customer,
        external_reference=external_reference, values=values,
    )
    customer.refresh_from_db(fields=["aum"])
    return holding


def make_interaction(customer, *, actor=None, **overrides):
    """A staff interaction (a phone call by default) through interaction_log; with `system`,
    logged by a service account in that system's name (only they may)."""
    values = {
        "channel": Channel.PHONE,
        "interaction_type": InteractionType.FOLLOW_UP,
        "summary": "Discussed the maturing term deposit.",
        "occurred_at": timezone.now() - datetime.timedelta(days=1),
    }
    values.update(overrides)
    return services.interaction_log(
        actor=actor or (None if values.get("system") else customer.relationship_manager) or _system_actor(),
        customer=customer, **values,
    )


__all__ = ["make_corporate", "make_holding", "make_individual", "make_interaction"]
