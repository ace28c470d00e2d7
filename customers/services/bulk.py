"""Set-based writes of many customers or holdings at once, for core-banking extracts.

The import jobs (`customers.intake`: an uploaded CSV file or records sent to `POST
/api/v1/imports/`) plan and validate their records first; these write
them in a fixed number of statements whatever their number: one upsert on the core-banking
reference per table, the history, and the relationship managers' book permissions through
the one grant and revoke in `customers.permissions`. Sensitive values arrive as tokens the
caller encrypted, with their blind indexes and mask hints already set (see
`compliance.fields.set_mask_hints`), so nothing is encrypted or normalised twice.

Nothing here opens a transaction: the caller's transaction holds the rows, their history
and the caller's audit event together.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from customers import permissions
from customers.models import (
    CorporateProfile,
    Customer,
    CustomerEvent,
    CustomerEventKind,
    CustomerKind,
    Holding,
    IndividualProfile,
)
from customers.services.common import next_customer_numbers
from customers.services.holdings import customers_refresh_aum

CUSTOMER_UPDATE_FIELDS = [
    "display_name", "search_name", "status", "home_branch", "relationship_manager", "since", "id_number",
    "id_number_index", "phone", "phone_index", "email", "email_index", "address", "updated_at",
    "id_number_mask", "phone_mask", "email_mask",
]
INDIVIDUAL_UPDATE_FIELDS = [
    "given_name", "family_name", "local_name", "gender", "date_of_birth", "date_of_birth_index",
    "birthday_hint", "occupation", "annual_income", "income_band",
]
CORPORATE_UPDATE_FIELDS = [
    "legal_name", "industry", "employees", "annual_revenue", "revenue_band", "countries_of_operation",
]
HOLDING_UPDATE_FIELDS = [
    "product_type", "product_name", "account_number", "account_number_index", "balance",
    "currency", "status", "opened_on", "matures_on", "updated_at", "account_number_mask",
]


@dataclass
class CustomerWrite:
    """One planned customer: the record and its profile as they should be stored.

    `changed` names the fields the write sets (for a new customer, those it was given);
    `previous_manager_id` is the relationship manager before the write, for an update.
    """

    customer: Customer
    profile: IndividualProfile | CorporateProfile
    changed: list[str] = field(default_factory=list)
    previous_manager_id: int | None = None


def _pairs_by_user(pairs: list[tuple[int, int]]) -> dict[int, list[int]]:
    by_user: dict[int, list[int]] = defaultdict(list)
    for user_id, customer_id in pairs:
        by_user[user_id].append(customer_id)
    return by_user


def customers_bulk_save(*, actor, creates: list[CustomerWrite], updates: list[CustomerWrite],
                        event_data: dict | None = None) -> dict:
    """Store planned new and changed customers with their profiles, history and book access.

    New customers get their numbers here. Both lists are upserted on `external_reference`
    in one statement per table, so a record another writer created since the caller planned
    is updated rather than duplicated. History: IMPORTED for a new customer, UPDATED (with
    the changed field names) and, when the manager changed, REASSIGNED; each carries
    `event_data`. The old manager loses and the new one gains the book permissions
    (statements grow with the number of managers, not of customers).
    Return {"created": ids, "updated": ids, "fields": names, "permissions_granted": n,
    "permissions_revoked": n}. The caller checked access and validated every record and
    holds the transaction; database errors propagate.
    """
    event_data = dict(event_data or {})
    writing = creates + updates
    if not writing:
        return {"created": [], "updated": [], "fields": []}
    for write, number in zip(creates, next_customer_numbers(len(creates)) if creates else [], strict=True):
        write.customer.number = number
    Customer.objects.bulk_create(
        [write.customer for write in writing], update_conflicts=True,
        unique_fields=["external_reference"], update_fields=CUSTOMER_UPDATE_FIELDS,
    )
    for kind, model, update_fields in (
        (CustomerKind.INDIVIDUAL, IndividualProfile, INDIVIDUAL_UPDATE_FIELDS),
        (CustomerKind.CORPORATE, CorporateProfile, CORPORATE_UPDATE_FIELDS),
    ):
        profiles = []
        for write in writing:
            if write.customer.kind == kind:
                write.profile.customer_id = write.customer.pk
                profiles.append(write.profile)
        if profiles:
            model.objects.bulk_create(profiles, update_conflicts=True, unique_fields=["customer"],
                                      update_fields=update_fields)

    grants, revokes, events = [], [], []
    now = timezone.now()
    for write in creates:
        customer = write.customer
        if customer.relationship_manager_id:
            grants.append((customer.relationship_manager_id, customer.pk))
        events.append(CustomerEvent(customer_id=customer.pk, kind=CustomerEventKind.IMPORTED,
                                    actor=actor, occurred_at=now, data=dict(event_data)))
    for write in updates:
        customer = write.customer
        events.append(CustomerEvent(
            customer_id=customer.pk, kind=CustomerEventKind.UPDATED, actor=actor, occurred_at=now,
            data={"fields": write.changed, **event_data},
        ))
        if "relationship_manager" in write.changed:
            if write.previous_manager_id:
                revokes.append((write.previous_manager_id, customer.pk))
            grants.append((customer.relationship_manager_id, customer.pk))
            events.append(CustomerEvent(
                customer_id=customer.pk, kind=CustomerEventKind.REASSIGNED, actor=actor, occurred_at=now,
                data={"from": write.previous_manager_id, "to": customer.relationship_manager_id,
                      **event_data},
            ))
    # Revoke before granting: a customer handed back to its earlier manager keeps the grant.
    for user_id, customer_ids in _pairs_by_user(revokes).items():
        permissions.revoke_book_permissions(user_id=user_id, customer_ids=customer_ids)
    for user_id, customer_ids in _pairs_by_user(grants).items():
        permissions.grant_book_permissions(user_id=user_id, customer_ids=customer_ids)
    if actor is not None and (revokes or grants):
        permissions.forget_access(actor)  # the actor's own grants may have changed
    CustomerEvent.objects.bulk_create(events)
    return {
        "created": [write.customer.pk for write in creates],
        "updated": [write.customer.pk for write in updates],
        "fields": sorted({name for write in writing for name in write.changed}),
        "permissions_granted": len(grants),
        "permissions_revoked": len(revokes),
    }


def holdings_bulk_save(*, holdings: list[Holding]) -> list[int]:
    """Upsert planned holdings on `external_reference` in one statement; refresh the AUM of
    their customers. Return the ids of those customers, sorted. The caller checked access,
    validated every holding and holds the transaction."""
    if not holdings:
        return []
    Holding.objects.bulk_create(holdings, update_conflicts=True, unique_fields=["external_reference"],
                                update_fields=HOLDING_UPDATE_FIELDS)
    customer_ids = sorted({holding.customer_id for holding in holdings})
    customers_refresh_aum(customer_ids=customer_ids)
    return customer_ids


__all__ = [
    "CORPORATE_UPDATE_FIELDS",
    "CUSTOMER_UPDATE_FIELDS",
    "HOLDING_UPDATE_FIELDS",
    "INDIVIDUAL_UPDATE_FIELDS",
    "CustomerWrite",
    "customers_bulk_save",
    "holdings_bulk_save",
]
