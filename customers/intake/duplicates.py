"""Duplicate detection: which existing customers may be the same party as a record or an entry.

Two customers are candidates when they share an identifier or look like the same person:

* the same ID / registration number, phone or e-mail, compared through the blind indexes
  (`*_index` columns, b-tree indexed), so no plaintext is compared in SQL;
* a similar name (pg_trgm similarity of the stored `search_name` forms >= 0.6) AND the same
  date of birth (`IndividualProfile.date_of_birth_index`), for individuals.

Every query is restricted to the customers the actor may see, and merged-away records are
never candidates. `duplicate_candidates` serves one record or form entry (two index-backed
queries); `duplicate_matches` serves a batch of import rows with the same two queries for the
whole batch.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from compliance import access
from compliance.crypto import blind_index
from customers.models import CorporateProfile, Customer, CustomerKind, IndividualProfile
from customers.permissions import CustomerAction
from customers.selectors import customer_list, customer_queryset
from customers.services import refresh_search_name

NAME_SIMILARITY = 0.6

SAME_ID_NUMBER = "id_number"
SAME_PHONE = "phone"
SAME_EMAIL = "email"
SIMILAR_NAME_SAME_BIRTH_DATE = "name_and_date_of_birth"

REASON_LABELS = {
    SAME_ID_NUMBER: _("same ID number"),
    SAME_PHONE: _("same phone"),
    SAME_EMAIL: _("same e-mail"),
    SIMILAR_NAME_SAME_BIRTH_DATE: _("similar name and same date of birth"),
}
# Which blind index column and normalisation each exact reason uses.
EXACT_REASONS = {
    SAME_ID_NUMBER: ("id_number_index", "national_id"),
    SAME_PHONE: ("phone_index", "phone"),
    SAME_EMAIL: ("email_index", "email"),
}


@dataclass
class DuplicateCandidate:
    """An existing customer that may be the same party, and why (reason codes, best first)."""

    customer: Customer
    reasons: list[str] = field(default_factory=list)
    similarity: float | None = None

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASON_LABELS[reason]) for reason in self.reasons]


@dataclass(frozen=True)
class DuplicateProbe:
    """What one entry (a record, a form, an import row) offers for matching.

    Index values are blind indexes ("" when unknown); `search_name` is the stored search form
    of the entry's names; `exclude_id` is the entry's own record, if it has one.
    """

    key: int
    id_number_index: str = ""
    phone_index: str = ""
    email_index: str = ""
    date_of_birth_index: str = ""
    search_name: str = ""
    exclude_id: int | None = None

    def exact_indexes(self) -> dict[str, str]:
        values = {
            SAME_ID_NUMBER: self.id_number_index,
            SAME_PHONE: self.phone_index,
            SAME_EMAIL: self.email_index,
        }
        return {reason: value for reason, value in values.items() if value}


def _index_or_blank(value, kind: str) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.date):
        value = value.isoformat()
    try:
        return blind_index(str(value), kind=kind)
    except ValueError:
        return ""  # a value that cannot be normalised matches nothing


def probe_for_customer(customer: Customer) -> DuplicateProbe:
    """The probe of a stored customer: its own indexes and search form, no decryption."""
    date_of_birth_index = ""
    if customer.kind == CustomerKind.INDIVIDUAL:
        profile = IndividualProfile.objects.filter(customer_id=customer.pk).values_list(
            "date_of_birth_index", flat=True
        ).first()
        date_of_birth_index = profile or ""
    return DuplicateProbe(
        key=customer.pk, id_number_index=customer.id_number_index or "",
        phone_index=customer.phone_index or "", email_index=customer.email_index or "",
        date_of_birth_index=date_of_birth_index, search_name=customer.search_name,
        exclude_id=customer.pk,
    )


def probe_for_values(values: dict, *, key: int = 0) -> DuplicateProbe:
    """The probe of entered values (a create form): identifiers, date of birth and names.

    Known keys: id_number, phone, email, date_of_birth (date or text), kind, display_name,
    given_name, family_name, local_name, legal_name. Values that cannot be normalised are
    ignored rather than refused: validation is the form's job.
    """
    kind = values.get("kind") or (
        CustomerKind.CORPORATE if values.get("legal_name") and not values.get("given_name")
        else CustomerKind.INDIVIDUAL
    )
    customer = Customer(kind=kind, display_name=values.get("display_name") or "")
    if kind == CustomerKind.INDIVIDUAL:
        profile = IndividualProfile(
            given_name=values.get("given_name") or "", family_name=values.get("family_name") or "",
            local_name=values.get("local_name") or "",
        )
        if not customer.display_name:
            customer.display_name = f"{profile.family_name} {profile.given_name}".strip()
    else:
        profile = CorporateProfile(legal_name=values.get("legal_name") or "")
        if not customer.display_name:
            customer.display_name = profile.legal_name
    refresh_search_name(customer, profile)
    return DuplicateProbe(
        key=key,
        id_number_index=_index_or_blank(values.get("id_number"), "national_id"),
        phone_index=_index_or_blank(values.get("phone"), "phone"),
        email_index=_index_or_blank(values.get("email"), "email"),
        date_of_birth_index=(
            _index_or_blank(values.get("date_of_birth"), "date") if kind == CustomerKind.INDIVIDUAL else ""
        ),
        search_name=customer.search_name,
    )


def duplicate_candidates(*, actor, customer: Customer | None = None, values: dict | None = None,
                         limit: int = 20) -> list[DuplicateCandidate]:
    """Customers `actor` may see that may be the same party as `customer` or `values`.

    Give either a stored `customer` (its own record is excluded) or entered `values` (see
    `probe_for_values`). Returns at most `limit` candidates, those with more reasons first,
    then by customer number. Two queries, both index-backed: exact blind-index matches, and
    similar names among customers born on the same day. Raise ValueError if neither or both
    of `customer` and `values` are given.
    """
    if (customer is None) == (values is None):
        raise ValueError("Give either customer or values.")
    probe = probe_for_customer(customer) if customer is not None else probe_for_values(values)
    return _candidates(probe, customer_list(actor=actor), limit)


def duplicates_elsewhere(*, actor, values: dict, seen: set[int] = frozenset(), limit: int = 20) -> list[int]:
    """Ids of customers `actor` may NOT see that may be the same party as entered `values`.

    For the record only (the audit of a customer created anyway): a page says no more than
    that such a customer exists, never who or where. The two index-backed queries of
    `duplicate_candidates` over every customer, and one asking which of the few found the
    actor sees, unless `seen` (ids known to be visible: the visible candidates) has them all.
    """
    every = [candidate.customer.pk
             for candidate in _candidates(probe_for_values(values), customer_queryset(), limit)]
    unknown = [pk for pk in every if pk not in seen]
    if not unknown:
        return []
    visible = set(customer_list(actor=actor).filter(pk__in=unknown).values_list("pk", flat=True))
    return [pk for pk in unknown if pk not in visible]


def _candidates(probe: DuplicateProbe, queryset, limit: int) -> list[DuplicateCandidate]:
    """The customers of `queryset` that may be the same party as `probe`, best first."""
    if probe.exclude_id is not None:
        queryset = queryset.exclude(pk=probe.exclude_id)
    found: dict[int, DuplicateCandidate] = {}

    exact = probe.exact_indexes()
    if exact:
        condition = Q()
        for reason, value in exact.items():
            condition |= Q(**{EXACT_REASONS[reason][0]: value})
        for match in queryset.filter(condition).order_by("number")[:limit]:
            candidate = found.setdefault(match.pk, DuplicateCandidate(customer=match))
            for reason, value in exact.items():
                if getattr(match, EXACT_REASONS[reason][0]) == value:
                    candidate.reasons.append(reason)

    if probe.date_of_birth_index and probe.search_name:
        similar = (
            queryset.filter(individual__date_of_birth_index=probe.date_of_birth_index)
            .annotate(name_similarity=TrigramSimilarity("search_name", probe.search_name))
            .filter(name_similarity__gte=NAME_SIMILARITY)
            .order_by("-name_similarity", "number")[:limit]
        )
        for match in similar:
            candidate = found.setdefault(match.pk, DuplicateCandidate(customer=match))
            candidate.reasons.append(SIMILAR_NAME_SAME_BIRTH_DATE)
            candidate.similarity = float(match.name_similarity)

    ranked = sorted(found.values(), key=lambda each: (-len(each.reasons), each.customer.number))
    return ranked[:limit]


def _suspected(visible) -> Exists:
    """Whether a customer of `visible` other than the outer row may be the same party as it:
    a shared blind index, or a similar name and the same date of birth (each index-backed)."""
    others = visible.exclude(pk=OuterRef("pk"))
    same = Q()
    for column, _kind in EXACT_REASONS.values():  # "" is no value, which matches nothing
        same |= Q(**{column: OuterRef(column)}) & ~Q(**{column: ""})
    same_identifier = Exists(others.filter(same))
    similar_name = Exists(
        others.filter(individual__date_of_birth_index=OuterRef("individual__date_of_birth_index"))
        .exclude(individual__date_of_birth_index="")
        .annotate(name_similarity=TrigramSimilarity("search_name", OuterRef("search_name")))
        .filter(name_similarity__gte=NAME_SIMILARITY)
    )
    return same_identifier | similar_name


def duplicates_suspected(*, actor, customer: Customer) -> bool:
    """Whether customers `actor` may see may be the same party as `customer` (what the
    duplicates page would list; a merged-away record suspects nothing). One query."""
    if customer.merged_into_id is not None:
        return False
    return Customer.objects.filter(pk=customer.pk).filter(_suspected(customer_list(actor=actor))).exists()


def customers_with_duplicates(*, actor) -> QuerySet:
    """The customers `actor` may merge (the policy's MERGE: their branch's, every customer's
    for head office) that have possible duplicates among those `actor` sees, by number.
    Unevaluated; nothing when `actor` may not merge."""
    mergeable = access.restrict(customer_queryset(), actor, CustomerAction.MERGE)
    return mergeable.filter(_suspected(customer_list(actor=actor))).order_by("number")


@dataclass(frozen=True)
class DuplicateMatch:
    """One probe's match: the existing customer's id and number, and the reasons."""

    customer_id: int
    customer_number: str
    reasons: tuple[str, ...]


def duplicate_matches(*, actor, probes: Iterable[DuplicateProbe],
                      per_probe: int = 5) -> dict[int, list[DuplicateMatch]]:
    """For a batch of probes, the visible customers each may duplicate (set-based).

    Two queries for the whole batch whatever its size: one on the blind indexes (IN lists),
    one joining the probes' dates of birth to `IndividualProfile.date_of_birth_index` and
    comparing names with pg_trgm. Returns {probe key: [DuplicateMatch, ...]} with at most
    `per_probe` matches per probe; probes without a match are absent.
    """
    probes = list(probes)
    visible = customer_list(actor=actor)
    reasons: dict[int, dict[int, list[str]]] = {}
    numbers: dict[int, str] = {}

    by_index: dict[str, dict[str, list[DuplicateProbe]]] = {reason: {} for reason in EXACT_REASONS}
    for probe in probes:
        for reason, value in probe.exact_indexes().items():
            by_index[reason].setdefault(value, []).append(probe)
    condition = Q()
    for reason, values in by_index.items():
        if values:
            condition |= Q(**{f"{EXACT_REASONS[reason][0]}__in": list(values)})
    if condition:
        rows = visible.filter(condition).values_list(
            "pk", "number", "id_number_index", "phone_index", "email_index"
        )
        for pk, number, id_number_index, phone_index, email_index in rows:
            numbers[pk] = number
            stored = {SAME_ID_NUMBER: id_number_index, SAME_PHONE: phone_index, SAME_EMAIL: email_index}
            for reason, value in stored.items():
                for probe in by_index[reason].get(value, ()) if value else ():
                    if probe.exclude_id != pk:
                        reasons.setdefault(probe.key, {}).setdefault(pk, []).append(reason)

    named = [probe for probe in probes if probe.date_of_birth_index and probe.search_name]
    if named:
        visible_sql, visible_params = visible.values("pk").query.sql_with_params()
        sql = f"""
            SELECT x.probe, c.id, c.number, x.exclude_id
            FROM unnest(%s::bigint[], %s::varchar[], %s::varchar[], %s::bigint[])
                AS x(probe, dob_index, name, exclude_id)
            JOIN {IndividualProfile._meta.db_table} p ON p.date_of_birth_index = x.dob_index
            JOIN {Customer._meta.db_table} c ON c.id = p.customer_id
            WHERE similarity(c.search_name, x.name) >= %s AND c.id IN ({visible_sql})
        """  # noqa: S608 - only table names and Django's own compiled subquery are interpolated
        params = [
            [probe.key for probe in named], [probe.date_of_birth_index for probe in named],
            [probe.search_name for probe in named], [probe.exclude_id for probe in named],
            NAME_SIMILARITY, *visible_params,
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for key, pk, number, exclude_id in cursor.fetchall():
                if pk == exclude_id:
                    continue
                numbers[pk] = number
                reasons.setdefault(key, {}).setdefault(pk, []).append(SIMILAR_NAME_SAME_BIRTH_DATE)

    result: dict[int, list[DuplicateMatch]] = {}
    for key, matches in reasons.items():
        ranked = sorted(matches.items(), key=lambda item: (-len(item[1]), numbers[item[0]]))
        result[key] = [
            DuplicateMatch(customer_id=pk, customer_number=numbers[pk], reasons=tuple(found))
            for pk, found in ranked[:per_probe]
        ]
    return result


__all__ = [
    "NAME_SIMILARITY",
    "REASON_LABELS",
    "DuplicateCandidate",
    "DuplicateMatch",
    "DuplicateProbe",
    "customers_with_duplicates",
    "duplicate_candidates",
    "duplicate_matches",
    "duplicates_elsewhere",
    "duplicates_suspected",
    "probe_for_customer",
    "probe_for_values",
]
