"""The demo bank's consents to be contacted, and a few customers abroad.

Each customer's consents are drawn from a random stream seeded with the seed and the
customer's id, so the same seed gives the same consents. Most customers said yes to some
marketing by some channel when they opened their account (the bank's branch form, the app
or the call centre); surveys and events less often; a few later withdrew one, and a few
withdrew service calls by phone. Every grant and withdrawal is a ConsentEvent (the evidence
reference, invented, is encrypted by its field) and the current state a Consent row, as the
consent services write them; loaded with COPY in chunks of customers.

A few customers live abroad (their time zone is not the bank's), so quiet hours differ
between customers of one campaign.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from customers.demo.writing import allocate_ids, copy_rows
from customers.models import (
    Consent,
    ConsentEvent,
    ConsentSource,
    ConsentStatus,
    ContactChannel,
    ContactPurpose,
    Customer,
    CustomerKind,
)

# (channel, purpose, share of individuals granting it, share of corporates)
GRANTS = (
    (ContactChannel.EMAIL, ContactPurpose.MARKETING, 0.55, 0.45),
    (ContactChannel.SMS, ContactPurpose.MARKETING, 0.35, 0.10),
    (ContactChannel.APP_PUSH, ContactPurpose.MARKETING, 0.45, 0.0),
    (ContactChannel.PHONE, ContactPurpose.MARKETING, 0.15, 0.25),
    (ContactChannel.EMAIL, ContactPurpose.SURVEYS, 0.60, 0.50),
    (ContactChannel.SMS, ContactPurpose.SURVEYS, 0.30, 0.05),
    (ContactChannel.EMAIL, ContactPurpose.EVENTS, 0.40, 0.35),
    (ContactChannel.APP_PUSH, ContactPurpose.EVENTS, 0.25, 0.0),
)
WITHDRAWN_LATER = 0.06  # of the grants
SERVICE_PHONE_WITHDRAWN = 0.01
SOURCES = (ConsentSource.BRANCH_FORM, ConsentSource.APP, ConsentSource.CALL_CENTRE)
ABROAD = ("Asia/Hong_Kong", "Asia/Singapore", "Europe/London", "America/New_York", "Australia/Sydney")
ABROAD_EVERY = 37  # one customer in 37 by id
CHUNK = 5_000


@dataclass
class ConsentStats:
    customers: int = 0
    granted: int = 0
    withdrawn: int = 0
    by_purpose: dict[str, int] = field(default_factory=dict)


def _evidence(source: str, rng: random.Random, day: datetime.date) -> str:
    prefix = {ConsentSource.BRANCH_FORM: "FORM", ConsentSource.APP: "APP", ConsentSource.CALL_CENTRE: "CALL"}[
        source
    ]
    return f"{prefix}-{day:%Y%m%d}-{rng.randrange(10**6):06d}"


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(9 + rng.randrange(9), rng.randrange(60)))
    )


def _plan(customer_id: int, kind: str, *, seed: int, as_of: datetime.date) -> list[tuple]:
    """(channel, purpose, [(status, source, evidence, at), ...]) for one customer."""
    rng = random.Random(f"demo-consents:{seed}:{customer_id}")
    corporate = kind == CustomerKind.CORPORATE
    planned = []
    for channel, purpose, individual_share, corporate_share in GRANTS:
        if rng.random() >= (corporate_share if corporate else individual_share):
            continue
        granted_on = as_of - datetime.timedelta(days=30 + rng.randrange(900))
        source = rng.choice(SOURCES)
        events = [
            (ConsentStatus.GRANTED, source, _evidence(source, rng, granted_on), _moment(granted_on, rng))
        ]
        if rng.random() < WITHDRAWN_LATER:
            withdrawn_on = granted_on + datetime.timedelta(days=1 + rng.randrange((as_of - granted_on).days))
            events.append(
                (ConsentStatus.WITHDRAWN, ConsentSource.CALL_CENTRE, "", _moment(withdrawn_on, rng))
            )
        planned.append((channel, purpose, events))
    if rng.random() < SERVICE_PHONE_WITHDRAWN:
        day = as_of - datetime.timedelta(days=1 + rng.randrange(365))
        planned.append(
            (
                ContactChannel.PHONE,
                ContactPurpose.SERVICE,
                [
                    (
                        ConsentStatus.WITHDRAWN,
                        ConsentSource.BRANCH_FORM,
                        _evidence(ConsentSource.BRANCH_FORM, rng, day),
                        _moment(day, rng),
                    )
                ],
            )
        )
    return planned


def _write_chunk(
    customers: list[tuple[int, str]], *, seed: int, as_of: datetime.date, stats: ConsentStats
) -> None:
    plans = [
        (customer_id, _plan(customer_id, kind, seed=seed, as_of=as_of)) for customer_id, kind in customers
    ]
    event_count = sum(len(events) for _, planned in plans for _, _, events in planned)
    event_ids = iter(allocate_ids(ConsentEvent, event_count))
    events, current = [], []
    for customer_id, planned in plans:
        for channel, purpose, history in planned:
            event_id = None
            for status, source, evidence, at in history:
                event_id = next(event_ids)
                events.append(
                    {
                        "id": event_id,
                        "customer_id": customer_id,
                        "channel": channel,
                        "purpose": purpose,
                        "status": status,
                        "source": source,
                        "evidence_reference": evidence or None,
                        "recorded_at": at,
                    }
                )
                stats.granted += status == ConsentStatus.GRANTED
                stats.withdrawn += status == ConsentStatus.WITHDRAWN
            status, source, _, at = history[-1]
            current.append(
                {
                    "customer_id": customer_id,
                    "channel": channel,
                    "purpose": purpose,
                    "status": status,
                    "source": source,
                    "changed_at": at,
                    "event_id": event_id,
                }
            )
            if status == ConsentStatus.GRANTED:
                stats.by_purpose[purpose] = stats.by_purpose.get(purpose, 0) + 1
    copy_rows(ConsentEvent, events)
    copy_rows(Consent, current)
    stats.customers += len(customers)


def seed_consents(*, seed: int, as_of: datetime.date, chunk: int = CHUNK) -> ConsentStats:
    """Give every customer without consents the demo's consents (one transaction per chunk of
    customers, so a second run adds nothing), and move one customer in ABROAD_EVERY to a time
    zone abroad."""
    stats = ConsentStats()
    last = 0
    while True:
        customers = list(
            Customer.objects.filter(pk__gt=last, merged_into__isnull=True)
            .exclude(consents__isnull=False)
            .order_by("pk")
            .values_list("pk", "kind")[:chunk]
        )
        if not customers:
            break
        with transaction.atomic():
            _write_chunk(customers, seed=seed, as_of=as_of, stats=stats)
        last = customers[-1][0]
    zones = "ARRAY[" + ", ".join(["%s"] * len(ABROAD)) + "]"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Customer._meta.db_table} SET time_zone = ({zones})[1 + (id / %s) %% %s] "  # noqa: S608
            "WHERE id %% %s = 0 AND time_zone <> ALL(" + zones + ")",
            [*ABROAD, ABROAD_EVERY, len(ABROAD), ABROAD_EVERY, *ABROAD],
        )
    return stats


def consents_summary(stats: ConsentStats) -> str:
    purposes = ", ".join(f"{purpose} {count:,}" for purpose, count in sorted(stats.by_purpose.items()))
    return (
        f"Consents: {stats.granted:,} granted and {stats.withdrawn:,} withdrawn for {stats.customers:,} "
        f"customers (granted now: {purposes})"
    )
