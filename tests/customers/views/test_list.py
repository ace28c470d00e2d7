"""The customer list and the quick search: filters, sort, keyset pages, masking, htmx."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.filtersets import ORDERING
from customers.models import (
    Customer,
)
from customers.views import listing
from tests.customers.factories import make_corporate, make_holding, make_individual, make_interaction
from tests.customers.views.pages import (
    HTMX,
    LIST_BUDGET,
    PHONE,
    PHONE_SHOWN,
    PII_REVEALED_EVENT,
    REQUEST_OVERHEAD,
    body_of,
    full_name,
    list_page,
    numbers_of,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------------------------


def test_list_shows_the_rms_book_only_with_phones_in_clear(
    client, relationship_manager, other_relationship_manager, other_branch, customer
):
    elsewhere = make_individual(relationship_manager=other_relationship_manager, branch=other_branch)
    client.force_login(relationship_manager)

    response = list_page(client)

    body = body_of(response)
    assert response.status_code == 200
    assert numbers_of(response) == [customer.number]
    assert elsewhere.number not in body
    assert PHONE_SHOWN in body
    assert "Zhang Wei" in body and "Individual" in body and "SH01" in body
    assert full_name(relationship_manager) in body


def test_branch_staff_see_the_branch_masked(client, branch_staff, customer, colleague, branch,
                                            other_relationship_manager, other_branch):
    second = make_individual(relationship_manager=colleague, branch=branch)
    make_individual(relationship_manager=other_relationship_manager, branch=other_branch)
    client.force_login(branch_staff)

    response = list_page(client)

    body = body_of(response)
    assert sorted(numbers_of(response)) == sorted([customer.number, second.number])
    assert PHONE_SHOWN not in body
    assert '<span class="masked" data-masked="true">138****8000</span>' in body


def test_filters_narrow_thelist_page(client, branch_manager, branch, relationship_manager, colleague):
    now = timezone.now()
    vip = make_individual(relationship_manager=relationship_manager, branch=branch, segment="vip")
    dormant = make_individual(relationship_manager=relationship_manager, branch=branch, status="dormant")
    company = make_corporate(relationship_manager=colleague, branch=branch)
    recent = make_individual(relationship_manager=colleague, branch=branch)
    make_interaction(recent, occurred_at=now - datetime.timedelta(days=2))
    stale = make_individual(relationship_manager=colleague, branch=branch)
    make_interaction(stale, occurred_at=now - datetime.timedelta(days=60))
    make_holding(stale, product_type="fund", product_name="China Growth Equity Fund")
    client.force_login(branch_manager)

    def numbers(query):
        return sorted(numbers_of(list_page(client, query)))

    assert numbers("segment=vip") == [vip.number]
    assert numbers("status=dormant") == [dormant.number]
    assert numbers("kind=corporate") == [company.number]
    assert numbers("holding=fund") == [stale.number]
    assert numbers(f"relationship_manager={relationship_manager.pk}") == sorted([vip.number, dormant.number])
    assert numbers("not_contacted_days=30") == sorted([vip.number, dormant.number, company.number,
                                                       stale.number])
    assert numbers(f"home_branch={branch.pk}&segment=mass&status=active&kind=individual") == sorted(
        [recent.number, stale.number])


def test_default_order_is_by_name_for_a_book_and_by_number_for_a_branch(
    client, relationship_manager, branch_manager, branch
):
    first = make_individual(relationship_manager=relationship_manager, branch=branch, family_name="Zhou")
    second = make_individual(relationship_manager=relationship_manager, branch=branch, family_name="Anderson")
    assert first.number < second.number
    client.force_login(relationship_manager)
    by_name = numbers_of(list_page(client))
    client.force_login(branch_manager)
    by_number = numbers_of(list_page(client))

    assert by_name == [second.number, first.number]
    assert by_number == [first.number, second.number]


@pytest.mark.parametrize("query", [
    "segment=gold", "not_contacted_days=-3", "not_contacted_days=99999999999999", "home_branch=abc",
    "sort=password", "size=7", "relationship_manager=999999", "kind=alien",
])
def test_invalid_filters_are_reported_not_a_500(client, relationship_manager, customer, query):
    client.force_login(relationship_manager)

    response = list_page(client, query)

    assert response.status_code == 200
    assert response.context["rows"] == []
    assert response.context["form"].errors
    assert 'data-testid="filter-errors"' in body_of(response)


def test_a_malformed_cursor_gives_the_first_page(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    response = list_page(client, "after=abc&before=99999999999999999999")

    assert numbers_of(response) == [customer.number]


def test_every_sort_pages_through_every_row_once_both_ways(client, relationship_manager, branch):
    now = timezone.now()
    created = []
    for index in range(27):
        person = make_individual(relationship_manager=relationship_manager, branch=branch,
                                 given_name=f"Name{index % 9}", family_name="Chen" if index % 2 else "Wang",
                                 segment=["mass", "vip", "private"][index % 3])
        if index % 4:  # every fourth never contacted: NULLs inside the last-contact order
            make_interaction(person, occurred_at=now - datetime.timedelta(days=index % 5, hours=1))
        created.append(person.pk)
    client.force_login(relationship_manager)

    for sort in ORDERING:
        expected = list(Customer.objects.filter(pk__in=created).order_by(*ORDERING[sort], "pk")
                        .values_list("pk", flat=True))
        first = list_page(client, f"sort={sort}&size=25")
        second = list_page(client, f"sort={sort}&size=25&after={first.context['page'].next_after}")
        back = list_page(client, f"sort={sort}&size=25&before={second.context['page'].previous_before}")

        forward = [row["customer"].pk for row in first.context["rows"] + second.context["rows"]]
        assert forward == expected, sort
        assert second.context["page"].next_after is None
        assert [row["customer"].pk for row in back.context["rows"]] == expected[:25], sort
        assert back.context["page"].previous_before is None


# The list's own queries: the relationship managers to filter by, the page, and the clear
# fields of its rows (object permissions, reveal grants). The branch to filter by comes with
# the user's profile.
LIST_QUERIES = REQUEST_OVERHEAD + 4
# A relationship manager sees the book's phone numbers in clear; a branch manager, masked.
LIST_REVEALS = {"relationship_manager": PII_REVEALED_EVENT, "branch_manager": 0}


def _book(relationship_manager, branch, count: int) -> None:
    for _index in range(count):
        make_individual(relationship_manager=relationship_manager, branch=branch)


@pytest.mark.parametrize("viewer", ["relationship_manager", "branch_manager"])
def test_list_queries_are_constant_in_page_and_book_size(client, request, relationship_manager, branch,
                                                         viewer, django_assert_num_queries):
    user = request.getfixturevalue(viewer)
    _book(relationship_manager, branch, 3)
    client.force_login(user)
    list_page(client)  # the process-wide caches (permission ids, content types) are warm now
    expected = LIST_QUERIES + LIST_REVEALS[viewer]
    assert expected <= LIST_BUDGET

    with django_assert_num_queries(expected) as few:
        small = list_page(client, "size=25")
    _book(relationship_manager, branch, 30)
    with django_assert_num_queries(expected):
        large = list_page(client, "size=100")

    assert (len(small.context["rows"]), len(large.context["rows"])) == (3, 33)
    assert (small.context["count"].value, large.context["count"].value) == (3, 33)
    # The count rides in the page's own query, bounded: never a COUNT(*) of every visible row.
    counts = [query["sql"] for query in few.captured_queries if "COUNT(" in query["sql"].upper()]
    assert len(counts) == 1 and f"LIMIT {listing.COUNT_LIMIT + 1}" in counts[0]


@pytest.mark.parametrize("viewer", ["relationship_manager", "branch_manager"])
def test_name_search_queries_are_constant_in_page_and_book_size(
    client, request, relationship_manager, branch, viewer, django_assert_num_queries
):
    user = request.getfixturevalue(viewer)
    _book(relationship_manager, branch, 3)
    client.force_login(user)
    list_page(client, "q=zhang")
    # One more than the list: whether any name starts with the term (prefix or fuzzy).
    expected = LIST_QUERIES + 1 + LIST_REVEALS[viewer]
    assert expected <= LIST_BUDGET

    with django_assert_num_queries(expected):
        small = list_page(client, "q=zhang&size=25")
    _book(relationship_manager, branch, 30)
    with django_assert_num_queries(expected):
        large = list_page(client, "q=zhang&size=100")

    assert (len(small.context["rows"]), len(large.context["rows"])) == (3, 33)


@pytest.mark.parametrize("viewer", ["relationship_manager", "branch_manager"])
def test_exact_lookup_queries_are_constant_in_book_size(client, request, relationship_manager, branch,
                                                        customer, viewer, django_assert_num_queries):
    user = request.getfixturevalue(viewer)
    client.force_login(user)
    client.post(reverse("customer-search"), {"q": PHONE}, follow=True)

    def lookup():
        # The POST keeps the phone number in the session (4: session, user, roles, the
        # session written); the list then finds it through the blind index.
        with django_assert_num_queries(REQUEST_OVERHEAD):
            location = client.post(reverse("customer-search"), {"q": PHONE})["Location"]
        with django_assert_num_queries(LIST_QUERIES + LIST_REVEALS[viewer]):
            return client.get(location)

    small = lookup()
    _book(relationship_manager, branch, 30)
    large = lookup()

    assert numbers_of(small) == numbers_of(large) == [customer.number]


def test_htmx_filter_request_gets_the_results_fragment(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    response = list_page(client, "segment=mass", HTTP_HX_TARGET=listing.RESULTS_TARGET, **HTMX)

    body = body_of(response)
    assert "<html" not in body
    assert 'data-testid="customer-table"' in body
    assert customer.number in body
    assert "HX-Request" in response["Vary"]


def test_full_page_without_htmx_has_filters_and_quick_search(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    body = body_of(list_page(client))

    assert 'hx-get="/customers/"' in body and 'hx-push-url="true"' in body
    assert 'data-testid="quick-search"' in body
    assert 'data-testid="export-link"' in body


# ---------------------------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------------------------


def test_quick_search_by_phone_keeps_the_number_out_of_the_url(client, relationship_manager, customer,
                                                               branch):
    make_individual(relationship_manager=relationship_manager, branch=branch)
    client.force_login(relationship_manager)

    response = client.post(reverse("customer-search"), {"q": "138 0013 8000"})

    location = response["Location"]
    assert response.status_code == 302
    assert location.startswith("/customers/?search=")
    assert "138" not in location and "8000" not in location
    found = client.get(location)
    assert numbers_of(found) == [customer.number]
    assert found.context["filter"].term_hidden is True


@pytest.mark.parametrize("term", ["wei.zhang@example.cn", "110105198001011234"])
def test_exact_email_and_id_number_search(client, relationship_manager, customer, branch, term):
    make_individual(relationship_manager=relationship_manager, branch=branch)
    client.force_login(relationship_manager)

    response = client.post(reverse("customer-search"), {"q": term}, follow=True)

    assert numbers_of(response) == [customer.number]
    assert term not in response.redirect_chain[0][0]


def test_name_prefix_number_and_fuzzy_search(client, relationship_manager, branch):
    target = make_individual(relationship_manager=relationship_manager, branch=branch,
                             given_name="Weiming", family_name="Zhang")
    make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Xiu",
                    family_name="Liu")
    client.force_login(relationship_manager)

    for term in ("zhang wei", target.number.lower(), "Zhang Weimign"):
        response = client.post(reverse("customer-search"), {"q": term}, follow=True)
        assert numbers_of(response) == [target.number], term
    assert client.post(reverse("customer-search"), {"q": "zhang"})["Location"] == "/customers/?q=zhang"


def test_search_is_restricted_to_visible_customers(client, other_relationship_manager, customer):
    client.force_login(other_relationship_manager)

    response = client.post(reverse("customer-search"), {"q": PHONE}, follow=True)

    assert numbers_of(response) == []
    assert customer.display_name not in body_of(response)


def test_an_unknown_search_token_asks_to_search_again(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    response = list_page(client, "search=not-a-token")

    assert numbers_of(response) == []
    assert "That search has expired" in body_of(response)


def test_empty_quick_search_is_refused(client, relationship_manager):
    client.force_login(relationship_manager)

    response = client.post(reverse("customer-search"), {"q": "   "}, follow=True)

    assert "Enter something to search for." in body_of(response)


# ---------------------------------------------------------------------------------------------
# How many match, and the last filters
# ---------------------------------------------------------------------------------------------


def test_the_list_says_how_many_match(client, relationship_manager, branch, customer):
    _book(relationship_manager, branch, 2)
    client.force_login(relationship_manager)

    response = list_page(client, "size=25")

    assert response.context["count"].value == 3
    assert "3 customers match." in body_of(response)


def test_past_the_limit_the_list_says_more_than(client, relationship_manager, branch, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_LIMIT", 2)
    _book(relationship_manager, branch, 4)
    client.force_login(relationship_manager)

    response = list_page(client, "size=25")

    assert response.context["count"].more
    assert "More than 2 customers match." in body_of(response)
    assert len(response.context["rows"]) == 4


def test_returning_without_parameters_restores_the_last_filters(client, relationship_manager, customer):
    client.force_login(relationship_manager)
    list_page(client, "segment=vip&status=active&size=25&after=5")

    back = list_page(client)

    assert back.status_code == 302
    assert back["Location"] == f"{reverse('customer-list')}?segment=vip&status=active&size=25"
    cleared = client.get(f"{reverse('customer-list')}?clear=1")
    assert cleared.status_code == 302 and cleared["Location"] == reverse("customer-list")
    assert list_page(client).status_code == 200


def test_exact_lookup_terms_are_never_kept_as_last_filters(client, relationship_manager, customer):
    client.force_login(relationship_manager)
    location = client.post(reverse("customer-search"), {"q": PHONE})["Location"]
    client.get(location)
    assert list_page(client).status_code == 200  # nothing kept but the (opaque) search token
    refused = list_page(client, "q=wei.zhang%40example.cn&kind=individual")
    client.get(refused["Location"])

    back = list_page(client)

    assert back["Location"] == f"{reverse('customer-list')}?kind=individual"
    assert "example.cn" not in str(dict(client.session))
    list_page(client, "q=zhang")
    assert list_page(client)["Location"] == f"{reverse('customer-list')}?q=zhang"
