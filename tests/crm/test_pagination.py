"""crm.pagination: keyset pages through any total order, both ways, without COUNT or OFFSET."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from crm.models import Branch
from crm.pagination import EMPTY_PAGE, cursor_param, keyset_paginate, order_by_keys, order_keys
from tests.factories import BranchFactory

pytestmark = pytest.mark.django_db

ORDERINGS = [
    ("code",),
    ("-code",),
    ("region", "name"),
    ("-region", "-name"),
    ("parent_id",),  # nullable: NULLs last ascending
    ("-parent_id", "name"),  # and first descending
]


@pytest.fixture
def branches(db):
    regions = [BranchFactory(code=f"R{index}", name=f"Region {index}", region=f"Region {index}")
               for index in range(2)]
    rows = list(regions)
    for index in range(11):
        rows.append(BranchFactory(code=f"B{index:02d}", name=f"Branch {index % 4}",
                                  region=f"Region {index % 3}",
                                  parent=regions[index % 2] if index % 3 else None))
    return rows


def _walk(queryset, size: int) -> tuple[list[int], list[list[int]]]:
    """Every row forwards page by page, then the pages again walking back from the last."""
    pages = [keyset_paginate(queryset, size=size)]
    while pages[-1].next_after is not None:
        pages.append(keyset_paginate(queryset, size=size, after=pages[-1].next_after))
    forward = [row.pk for page in pages for row in page.rows]
    back = [[row.pk for row in pages[-1].rows]]
    cursor = pages[-1].previous_before
    while cursor is not None:
        page = keyset_paginate(queryset, size=size, before=cursor)
        back.insert(0, [row.pk for row in page.rows])
        cursor = page.previous_before
    return forward, back


@pytest.mark.parametrize("ordering", ORDERINGS)
@pytest.mark.parametrize("size", [1, 4, 13, 50])
def test_every_order_pages_through_every_row_once_both_ways(branches, ordering, size):
    queryset = Branch.objects.order_by(*ordering)
    expected = list(queryset.order_by(*ordering, "pk").values_list("pk", flat=True))

    forward, back = _walk(queryset, size)

    assert forward == expected
    assert back == [expected[start:start + size] for start in range(0, len(expected), size)]


def test_a_page_takes_one_query_and_two_with_a_cursor(branches, django_assert_num_queries):
    queryset = Branch.objects.order_by("name")
    with django_assert_num_queries(1):
        first = keyset_paginate(queryset, size=5)
    with django_assert_num_queries(2):
        keyset_paginate(queryset, size=5, after=first.next_after)
    with django_assert_num_queries(2):
        keyset_paginate(queryset, size=5, before=first.rows[-1].pk)


def test_a_cursor_that_is_gone_gives_the_first_page(branches):
    queryset = Branch.objects.filter(is_active=True).order_by("code")
    outside = BranchFactory(code="ZZ99", is_active=False)

    page = keyset_paginate(queryset, size=3, after=outside.pk)

    assert [row.code for row in page.rows] == ["B00", "B01", "B02"]
    assert page.previous_before is None
    assert keyset_paginate(queryset, size=3, before=outside.pk).rows == page.rows


def test_the_first_page_has_no_previous_and_the_last_no_next(branches):
    queryset = Branch.objects.order_by("code")

    first = keyset_paginate(queryset, size=len(branches))
    empty = keyset_paginate(queryset.none(), size=5)

    assert (first.next_after, first.previous_before) == (None, None)
    assert (empty.rows, empty.next_after, empty.previous_before) == ([], None, None)
    assert EMPTY_PAGE.rows == []


def test_order_keys_are_made_total_with_the_primary_key():
    assert order_keys(Branch.objects.order_by("-name")) == [("name", True), ("pk", False)]
    assert order_keys(Branch.objects.order_by("name", "-pk")) == [("name", False), ("pk", True)]
    assert order_by_keys([("name", True), ("pk", False)]) == ["-name", "pk"]


@pytest.mark.parametrize(("query", "cursor"), [
    ("after=42", 42), ("after=", None), ("after=abc", None), ("after=-3", None), ("after=4.2", None),
    ("after=²", None), ("after=123456789012345678", 123456789012345678),
    ("after=1234567890123456789", None), ("before=7", None),
])
def test_cursor_param_accepts_only_a_primary_key(query, cursor):
    assert cursor_param(QueryDict(query), "after") == cursor
