"""Keyset pagination for browser pages: no COUNT(*), no OFFSET.

A page is the rows strictly after (or before) a cursor row in the queryset's order, so the
database reads one page whatever the depth, and a row inserted meanwhile never shifts the
pages. The cursor a page hands out is a primary key, never a sort value: a sort value may be
personal data (a name) and would then appear in URLs and logs.

    page = keyset_paginate(queryset.order_by("display_name", "pk"), size=50,
                           after=cursor_param(request.GET, "after"))
    page.rows, page.next_after, page.previous_before
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet, Subquery

# Longer digit strings do not fit a bigint primary key.
MAX_CURSOR_DIGITS = 18

OrderKeys = list[tuple[str, bool]]


@dataclass(frozen=True)
class KeysetPage:
    """One page of rows and the cursors to its neighbours (None where there is none)."""

    rows: list
    next_after: int | None  # pass as ?after= for the next page
    previous_before: int | None  # pass as ?before= for the previous page


EMPTY_PAGE = KeysetPage([], None, None)


def order_keys(queryset: QuerySet) -> OrderKeys:
    """The queryset's ordering as (field name, descending) pairs, made total: the primary key
    is appended unless a unique key (pk, id or number) is already part of it."""
    keys = [(str(name).lstrip("-"), str(name).startswith("-")) for name in queryset.query.order_by]
    if not {name for name, _descending in keys} & {"pk", "id", "number"}:
        keys.append(("pk", False))
    return keys


def order_by_keys(keys: OrderKeys) -> list[str]:
    """(field name, descending) pairs back into `order_by()` arguments."""
    return [f"-{name}" if descending else name for name, descending in keys]


def _nullable(model, name: str) -> bool:
    try:
        return model._meta.get_field(name).null
    except FieldDoesNotExist:
        return False  # "pk" and annotations such as the search similarity


def _after(model, keys: OrderKeys, values: tuple) -> Q | None:
    """Rows strictly after `values` in the order `keys` (PostgreSQL: NULLs sort last
    ascending, first descending). None when no row can follow."""
    terms = []
    equal = Q()
    for (name, descending), value in zip(keys, values, strict=True):
        if value is None:
            after = Q(**{f"{name}__isnull": False}) if descending else None
            same = Q(**{f"{name}__isnull": True})
        else:
            after = Q(**{f"{name}__lt" if descending else f"{name}__gt": value})
            if not descending and _nullable(model, name):
                after |= Q(**{f"{name}__isnull": True})
            same = Q(**{name: value})
        if after is not None:
            terms.append(equal & after)
        equal &= same
    return functools.reduce(operator.or_, terms) if terms else None


def _page_rows(ordered: QuerySet, limit: int) -> list:
    """The first `limit` rows of `ordered`, in one statement that sorts primary keys first and
    fetches only the rows it keeps: where an index holds the filter and sort columns, the
    sort reads the index alone, however many rows match (a common name in a big branch)."""
    page_keys = ordered.values("pk")[:limit]
    return list(ordered.filter(pk__in=Subquery(page_keys)))


def keyset_paginate(queryset: QuerySet, *, size: int, after: int | None = None,
                    before: int | None = None) -> KeysetPage:
    """One page of an ordered queryset, after or before the row with primary key `after` /
    `before` (`before` wins when both are given).

    Two queries at most: the cursor row's sort values, then the page. A cursor row that is
    no longer in the queryset gives the first page; so does no cursor.
    """
    keys = order_keys(queryset)
    names = [name for name, _descending in keys]
    ordered = queryset.order_by(*order_by_keys(keys))
    cursor, backwards = (before, True) if before is not None else (after, False)
    boundary = ordered.filter(pk=cursor).values_list(*names).first() if cursor is not None else None
    if boundary is not None and backwards:
        flipped = [(name, not descending) for name, descending in keys]
        condition = _after(queryset.model, flipped, boundary)
        rows = [] if condition is None else _page_rows(
            queryset.filter(condition).order_by(*order_by_keys(flipped)), size + 1
        )
        if rows:
            more = len(rows) > size
            rows = list(reversed(rows[:size]))
            return KeysetPage(rows, next_after=rows[-1].pk, previous_before=rows[0].pk if more else None)
    elif boundary is not None:
        condition = _after(queryset.model, keys, boundary)
        rows = [] if condition is None else _page_rows(ordered.filter(condition), size + 1)
        more = len(rows) > size
        rows = rows[:size]
        return KeysetPage(rows, next_after=rows[-1].pk if more else None,
                          previous_before=rows[0].pk if rows else None)
    rows = _page_rows(ordered, size + 1)
    more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(rows, next_after=rows[-1].pk if more else None, previous_before=None)


def cursor_param(params: Mapping[str, str], name: str) -> int | None:
    """The cursor `params[name]` (a query string) as a primary key; None when absent or
    malformed, which gives the first page rather than an error."""
    value = params.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= MAX_CURSOR_DIGITS else None


__all__ = ["EMPTY_PAGE", "KeysetPage", "cursor_param", "keyset_paginate", "order_by_keys", "order_keys"]
