"""Reads of customers: the visible list, one customer, search, and the RM's book in figures.

Each is restricted to what the actor may see (`compliance.access.restrict`), except
`customer_queryset`, the unrestricted base the others narrow.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Q, QuerySet

from compliance import access
from compliance.crypto import blind_index
from compliance.sealed_terms import SealedTerms
from customers.models import Customer
from customers.naming import search_form
from customers.selectors.actor import actor_sees

CUSTOMER_NUMBER = re.compile(r"^C\d{6,12}$", re.IGNORECASE)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
PHONE = re.compile(r"^\+?[\d\s()-]{7,20}$")
ID_NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\s-]{5,30}$")
FUZZY_THRESHOLD = 0.45
# Exact-lookup terms the browser and admin searches keep out of URLs (sealed in the session).
SEARCH_TERMS = SealedTerms(session_key="customer_searches", context="customers.session.search_term")


def customer_queryset() -> QuerySet:
    """Customers that are records of their own (not merged away), with the list's joins."""
    return Customer.objects.filter(merged_into__isnull=True).select_related(
        "home_branch", "relationship_manager"
    )


def customer_list(*, actor, base: QuerySet | None = None) -> QuerySet:
    """The customers `actor` may see (unordered, unevaluated)."""
    return access.restrict(base if base is not None else customer_queryset(), actor)


def customer_get(*, actor, pk: int) -> Customer:
    """The customer with id `pk` if `actor` may see it. Raise Http404 otherwise."""
    customer = access.get_visible_or_404(
        Customer.objects.select_related(
            "home_branch", "relationship_manager", "individual", "corporate", "segment_rule__rule_set",
            "merged_into",
        ),
        actor,
        pk=pk,
    )
    actor_sees(actor, customer)
    return customer


def is_identifier(term: str) -> bool:
    """Whether `term` is an exact phone, e-mail or ID number: personal data that must stay out
    of URLs and logs (a customer number or a name need not)."""
    if CUSTOMER_NUMBER.match(term):
        return False
    return bool(
        EMAIL.match(term)
        or PHONE.match(term)
        or (ID_NUMBER.match(term) and any(character.isdigit() for character in term))
    )


def _exact_lookup(term: str) -> Q | None:
    """Blind-index lookups for an exact phone, e-mail or ID number, or a customer number."""
    if CUSTOMER_NUMBER.match(term):
        return Q(number=term.upper())
    if EMAIL.match(term):
        try:
            return Q(email_index=blind_index(term, kind="email"))
        except ValueError:
            return None
    conditions = Q()
    matched = False
    if PHONE.match(term):
        try:
            conditions |= Q(phone_index=blind_index(term, kind="phone"))
            matched = True
        except ValueError:
            pass
    if ID_NUMBER.match(term) and any(character.isdigit() for character in term):
        try:
            conditions |= Q(id_number_index=blind_index(term, kind="national_id"))
            matched = True
        except ValueError:
            pass
    return conditions if matched else None


def customer_search(*, actor, term: str, base: QuerySet | None = None) -> QuerySet:
    """Customers `actor` may see that match `term` (see `customer_match`)."""
    return customer_match(customer_list(actor=actor, base=base), term)


# A name found by prefix is listed by its search form first (the romanised name, as people
# type it), then by display name. Matches of a common family name are a long run of rows that
# the (home_branch, search_name) index reads in one range; ordering them by display name alone
# would have PostgreSQL walk the branch's name index from "A" until it reaches them.
NAME_PREFIX_ORDERING = {
    "name": ("search_name", "display_name", "pk"),
    "-name": ("-search_name", "-display_name", "-pk"),
}


def is_name_prefix_match(queryset: QuerySet) -> bool:
    """Whether `queryset` is `customer_match`'s answer for a name found by prefix."""
    return tuple(queryset.query.order_by[:1]) in (("search_name",), ("-search_name",))


def customer_match(visible: QuerySet, term: str) -> QuerySet:
    """Customers of the already restricted queryset `visible` that match `term`.

    A customer number, e-mail, phone or ID number is matched exactly (through the blind
    indexes: no plaintext is compared in SQL). Anything else is a name: by prefix when any
    name starts with it (index-backed, ordered by name), otherwise by trigram word
    similarity (typos, word order, pinyin for Chinese names), best match first.
    """
    term = term.strip()
    if not term:
        return visible.none()
    exact = _exact_lookup(term)
    if exact is not None:
        return visible.filter(exact).order_by("display_name", "pk")
    needle = search_form(term)
    if not needle:
        return visible.none()
    by_prefix = visible.filter(search_name__startswith=needle)
    if by_prefix.exists():
        return by_prefix.order_by(*NAME_PREFIX_ORDERING["name"])
    return (
        visible.filter(search_name__trigram_word_similar=needle)
        .annotate(similarity=TrigramWordSimilarity(needle, "search_name"))
        .order_by("-similarity", "display_name", "pk")
    )


NOT_CONTACTED_DAYS = 90


def home_figures(*, user) -> dict:
    """The relationship manager's book in figures, for the home page (one query).

    `book` counts the customers assigned to `user` (merged-away records excluded);
    `by_segment` is a list of (segment code, label, count) for segments with customers;
    `not_contacted` counts those with no contact in the last NOT_CONTACTED_DAYS days (or
    never); `open_needs` the needs still open or in progress. Counted in the database,
    without reading any sensitive column.
    """
    import datetime

    from django.db.models import Count
    from django.utils import timezone

    from customers.models import NeedStatus, Segment

    cutoff = timezone.now() - datetime.timedelta(days=NOT_CONTACTED_DAYS)
    book = Customer.objects.filter(relationship_manager=user, merged_into__isnull=True)
    # The join with needs repeats a customer once per need, hence the distinct customer counts.
    totals = book.aggregate(
        book=Count("pk", distinct=True),
        not_contacted=Count("pk", distinct=True,
                            filter=Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=cutoff)),
        open_needs=Count("needs", filter=Q(needs__status__in=[NeedStatus.OPEN, NeedStatus.IN_PROGRESS])),
        **{f"segment_{segment.value}": Count("pk", distinct=True, filter=Q(segment=segment.value))
           for segment in Segment},
    )
    return {
        "book": totals["book"],
        "by_segment": [
            (segment.value, segment.label, totals[f"segment_{segment.value}"])
            for segment in Segment if totals[f"segment_{segment.value}"]
        ],
        "not_contacted": totals["not_contacted"],
        "not_contacted_days": NOT_CONTACTED_DAYS,
        "open_needs": totals["open_needs"],
    }
