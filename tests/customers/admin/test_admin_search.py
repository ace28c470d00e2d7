"""The customer change list's search keeps phone, e-mail, ID and card numbers out of URLs: the
box posts, such a term comes back as an opaque token, and one sent as `?q=` is refused."""

from __future__ import annotations

import pytest

from customers.models import Customer
from tests.customers.admin.helpers import EMAIL, ID_NUMBER, PHONE, admin_url, page
from tests.customers.factories import make_individual

pytestmark = pytest.mark.django_db

SEARCH_URL = admin_url(Customer) + "search/"
REFUSAL = "That search was not run."


@pytest.fixture
def signed_in(client, staff_compliance):
    client.force_login(staff_compliance)
    return client


def test_the_search_box_posts_to_the_search_view(signed_in, customer):
    listing = page(signed_in, admin_url(Customer))

    assert f'<form id="changelist-search" method="post" action="{SEARCH_URL}"' in listing
    assert 'method="get" role="search"' not in listing


@pytest.mark.parametrize("term", ["138 0013 5678", EMAIL, ID_NUMBER, "6225 8800 1234 5678"])
def test_an_exact_lookup_redirects_with_a_token_and_finds_the_customer(
    signed_in, customer, relationship_manager, branch, term
):
    other = make_individual(relationship_manager=relationship_manager, branch=branch)

    response = signed_in.post(SEARCH_URL, {"q": term, "kind__exact": "individual"})

    location = response["Location"]
    assert response.status_code == 302
    assert location.startswith(admin_url(Customer) + "?")
    assert "search=" in location and "kind__exact=individual" in location
    for part in term.replace("@", " ").replace(".", " ").split():
        assert part not in location
    listing = page(signed_in, location)
    if term.startswith("6225"):
        assert customer.number not in listing  # no such card: nothing found, nothing leaked
    else:
        assert customer.number in listing
    assert other.number not in listing
    assert 'id="searchbar"' in listing and f'value="{term}"' not in listing


def test_the_token_stays_in_the_lists_own_links(signed_in, customer):
    location = signed_in.post(SEARCH_URL, {"q": EMAIL})["Location"]
    token = location.split("search=")[1].split("&")[0]

    listing = page(signed_in, location)

    assert f"search={token}" in listing  # sorting and filter links keep the search


def test_a_name_or_number_search_comes_back_as_a_plain_query(signed_in, customer):
    response = signed_in.post(SEARCH_URL, {"q": customer.number})

    assert response["Location"] == f"{admin_url(Customer)}?q={customer.number}"
    assert customer.number in page(signed_in, response["Location"])


@pytest.mark.parametrize("term", ["13800135678", "138-0013-5678", "zhang.wei%40example.cn", ID_NUMBER,
                                  "4111111111111111"])
def test_an_exact_lookup_in_the_url_is_refused_and_not_run(signed_in, customer, term, monkeypatch):
    def never_run(**kwargs):
        raise AssertionError("the search ran")

    monkeypatch.setattr("customers.admin.customers.customer_search", never_run)
    response = signed_in.get(admin_url(Customer) + f"?q={term}&kind__exact=individual")
    monkeypatch.undo()

    assert response.status_code == 302
    assert response["Location"] == f"{admin_url(Customer)}?kind__exact=individual"
    followed = signed_in.get(response["Location"])
    assert REFUSAL in followed.content.decode()


def test_an_unknown_token_asks_to_search_again(signed_in, customer):
    response = signed_in.get(admin_url(Customer) + "?search=not-a-token", follow=True)

    assert "That search has expired" in response.content.decode()
    assert response.redirect_chain[-1][0] == admin_url(Customer)


def test_the_search_view_only_posts(signed_in):
    assert signed_in.get(SEARCH_URL + f"?q={PHONE}").status_code == 405


def test_the_search_view_needs_the_change_lists_permission(client, branch):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="staff.no-perms", branch=branch, is_staff=True))

    assert client.post(SEARCH_URL, {"q": PHONE}).status_code == 403
    assert "customer_searches" not in client.session
