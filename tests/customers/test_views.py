"""The customer pages: list, search, export, the 360° page and its actions, books, home figures."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compliance.models import AuditEvent
from crm.roles import Role
from customers import segmentation, services, views
from customers.filtersets import ORDERING
from customers.models import (
    BookDelegation,
    Customer,
    CustomerEvent,
    Interaction,
    Need,
    Relationship,
    RelationshipKind,
    RevealGrant,
    SegmentOverride,
)
from tests.customers.factories import make_corporate, make_holding, make_individual, make_interaction
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PHONE = "+86 138 0013 8000"
PURPOSE = "Investigating complaint 2026-118"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _body(response) -> str:
    return response.content.decode()


def _numbers(response) -> list[str]:
    return [row["customer"].number for row in response.context["rows"]]


def _list(client, query: str = "", **headers):
    return client.get(f"{reverse('customer-list')}{'?' + query if query else ''}", **headers)


def _full_name(user) -> str:
    return user.get_full_name()


@pytest.fixture
def customer(relationship_manager, branch):
    return make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Wei",
                           family_name="Zhang", phone=PHONE, email="wei.zhang@example.cn",
                           id_number="110105198001011234")


@pytest.fixture
def colleague(branch):
    """A second relationship manager in the same branch."""
    return UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=branch, username="rm.two")


# ---------------------------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------------------------


def test_list_shows_the_rms_book_only_with_phones_in_clear(
    client, relationship_manager, other_relationship_manager, other_branch, customer
):
    elsewhere = make_individual(relationship_manager=other_relationship_manager, branch=other_branch)
    client.force_login(relationship_manager)

    response = _list(client)

    body = _body(response)
    assert response.status_code == 200
    assert _numbers(response) == [customer.number]
    assert elsewhere.number not in body
    assert PHONE in body
    assert "Zhang Wei" in body and "Individual" in body and "SH01" in body
    assert _full_name(relationship_manager) in body


def test_branch_staff_see_the_branch_masked(client, branch_staff, customer, colleague, branch,
                                            other_relationship_manager, other_branch):
    second = make_individual(relationship_manager=colleague, branch=branch)
    make_individual(relationship_manager=other_relationship_manager, branch=other_branch)
    client.force_login(branch_staff)

    response = _list(client)

    body = _body(response)
    assert sorted(_numbers(response)) == sorted([customer.number, second.number])
    assert PHONE not in body
    assert '<span class="masked" data-masked="true">138****8000</span>' in body


def test_filters_narrow_the_list(client, branch_manager, branch, relationship_manager, colleague):
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
        return sorted(_numbers(_list(client, query)))

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
    by_name = _numbers(_list(client))
    client.force_login(branch_manager)
    by_number = _numbers(_list(client))

    assert by_name == [second.number, first.number]
    assert by_number == [first.number, second.number]


@pytest.mark.parametrize("query", [
    "segment=gold", "not_contacted_days=-3", "not_contacted_days=99999999999999", "home_branch=abc",
    "sort=password", "size=7", "relationship_manager=999999", "kind=alien",
])
def test_invalid_filters_are_reported_not_a_500(client, relationship_manager, customer, query):
    client.force_login(relationship_manager)

    response = _list(client, query)

    assert response.status_code == 200
    assert response.context["rows"] == []
    assert response.context["form"].errors
    assert 'data-testid="filter-errors"' in _body(response)


def test_a_malformed_cursor_gives_the_first_page(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    response = _list(client, "after=abc&before=99999999999999999999")

    assert _numbers(response) == [customer.number]


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
        first = _list(client, f"sort={sort}&size=25")
        second = _list(client, f"sort={sort}&size=25&after={first.context['page'].next_after}")
        back = _list(client, f"sort={sort}&size=25&before={second.context['page'].previous_before}")

        forward = [row["customer"].pk for row in first.context["rows"] + second.context["rows"]]
        assert forward == expected, sort
        assert second.context["page"].next_after is None
        assert [row["customer"].pk for row in back.context["rows"]] == expected[:25], sort
        assert back.context["page"].previous_before is None


def test_list_query_count_does_not_grow_with_rows_or_page_size(client, relationship_manager, branch):
    for _index in range(3):
        make_individual(relationship_manager=relationship_manager, branch=branch)
    client.force_login(relationship_manager)
    _list(client)
    with CaptureQueriesContext(connection) as few:
        _list(client, "size=25")
    for _index in range(30):
        make_individual(relationship_manager=relationship_manager, branch=branch)

    with CaptureQueriesContext(connection) as many:
        response = _list(client, "size=100")

    assert len(response.context["rows"]) == 33
    assert len(many.captured_queries) == len(few.captured_queries)
    assert not [query for query in many.captured_queries if "COUNT(" in query["sql"].upper()]


def test_htmx_filter_request_gets_the_results_fragment(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    response = _list(client, "segment=mass", HTTP_HX_TARGET=views.RESULTS_TARGET, **HTMX)

    body = _body(response)
    assert "<html" not in body
    assert 'data-testid="customer-table"' in body
    assert customer.number in body
    assert "HX-Request" in response["Vary"]


def test_full_page_without_htmx_has_filters_and_quick_search(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    body = _body(_list(client))

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
    assert _numbers(found) == [customer.number]
    assert found.context["filter"].term_hidden is True


@pytest.mark.parametrize("term", ["wei.zhang@example.cn", "110105198001011234"])
def test_exact_email_and_id_number_search(client, relationship_manager, customer, branch, term):
    make_individual(relationship_manager=relationship_manager, branch=branch)
    client.force_login(relationship_manager)

    response = client.post(reverse("customer-search"), {"q": term}, follow=True)

    assert _numbers(response) == [customer.number]
    assert term not in response.redirect_chain[0][0]


def test_name_prefix_number_and_fuzzy_search(client, relationship_manager, branch):
    target = make_individual(relationship_manager=relationship_manager, branch=branch,
                             given_name="Weiming", family_name="Zhang")
    make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Xiu",
                    family_name="Liu")
    client.force_login(relationship_manager)

    for term in ("zhang wei", target.number.lower(), "Zhang Weimign"):
        response = client.post(reverse("customer-search"), {"q": term}, follow=True)
        assert _numbers(response) == [target.number], term
    assert client.post(reverse("customer-search"), {"q": "zhang"})["Location"] == "/customers/?q=zhang"


def test_search_is_restricted_to_visible_customers(client, other_relationship_manager, customer):
    client.force_login(other_relationship_manager)

    response = client.post(reverse("customer-search"), {"q": PHONE}, follow=True)

    assert _numbers(response) == []
    assert customer.display_name not in _body(response)


def test_an_unknown_search_token_asks_to_search_again(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    response = _list(client, "search=not-a-token")

    assert _numbers(response) == []
    assert "That search has expired" in _body(response)


def test_empty_quick_search_is_refused(client, relationship_manager):
    client.force_login(relationship_manager)

    response = client.post(reverse("customer-search"), {"q": "   "}, follow=True)

    assert "Enter something to search for." in _body(response)


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))


def test_export_is_masked_for_the_branch_manager_and_audited(client, branch_manager, customer, branch,
                                                            colleague):
    vip = make_individual(relationship_manager=colleague, branch=branch, segment="vip",
                          phone="+86 139 1111 2222")
    client.force_login(branch_manager)

    response = client.get(f"{reverse('customer-export')}?segment=vip&segment=mass&sort=number")

    rows = _csv(response)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[0][0] == "Customer number" and len(rows[0]) == len(views.EXPORT_COLUMNS)
    assert [row[0] for row in rows[1:]] == sorted([customer.number, vip.number])
    by_number = {row[0]: row for row in rows[1:]}
    assert by_number[customer.number][8] == "138****8000"
    assert by_number[customer.number][9] == "w***@example.cn"
    assert by_number[vip.number][8] == "139****2222"
    assert PHONE not in "".join(",".join(row) for row in rows)
    event = AuditEvent.objects.get(action="export.created")
    assert event.actor_id == branch_manager.pk
    assert event.fields == sorted(views.EXPORT_COLUMNS)
    assert event.extra == {"rows": 2, "filters": ["segment"]}
    assert not AuditEvent.objects.filter(action="pii.revealed").exists()


def test_export_by_the_rm_is_in_clear_and_records_the_reveal(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    rows = _csv(client.get(reverse("customer-export")))

    assert rows[1][8] == f"'{PHONE}"  # a leading "+" is neutralised for spreadsheets
    assert rows[1][9] == "wei.zhang@example.cn"
    revealed = AuditEvent.objects.get(action="pii.revealed")
    assert revealed.extra["objects"] == {"customers.customer": [customer.pk]}
    assert set(revealed.fields) == {"phone", "email", "aum"}


def test_export_neutralises_formula_cells(client, relationship_manager, branch):
    make_corporate(relationship_manager=relationship_manager, branch=branch, display_name="=HYPERLINK(1)")
    client.force_login(relationship_manager)

    rows = _csv(client.get(reverse("customer-export")))

    assert rows[1][1] == "'=HYPERLINK(1)"


def test_export_above_the_limit_is_refused_with_a_message(client, relationship_manager, customer, branch,
                                                         monkeypatch):
    make_individual(relationship_manager=relationship_manager, branch=branch)
    monkeypatch.setattr(views, "EXPORT_LIMIT", 1)
    client.force_login(relationship_manager)

    response = client.get(f"{reverse('customer-export')}?kind=individual", follow=True)

    assert response.redirect_chain[0][0] == "/customers/?kind=individual"
    assert "The list has more than 1 customers" in _body(response)
    assert not AuditEvent.objects.filter(action="export.created").exists()


def test_export_with_invalid_filters_is_refused(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    response = client.get(f"{reverse('customer-export')}?segment=gold", follow=True)

    assert "Correct the filters before exporting." in _body(response)
    assert not AuditEvent.objects.filter(action="export.created").exists()


# ---------------------------------------------------------------------------------------------
# The 360° page
# ---------------------------------------------------------------------------------------------


def _detail(client, customer, query: str = ""):
    return client.get(f"{reverse('customer-detail', args=[customer.pk])}{query}")


def _place_in_private_banking(customer):
    Customer.objects.filter(pk=customer.pk).update(
        segment="private", segment_since=datetime.date(2026, 3, 1),
        segment_basis={"rule": 1, "version": 3, "conditions": [
            {"metric": "aum", "op": ">=", "value": "6000000", "figure": "7200000.00"}]},
    )


def test_segment_explanation_in_clear_for_the_rm(client, relationship_manager, customer):
    _place_in_private_banking(customer)
    client.force_login(relationship_manager)

    response = _detail(client, customer)

    assert "Private banking since 2026-03-01: AUM 7.2M ≥ 6M" in " ".join(_body(response).split())


def test_segment_explanation_masks_the_figure_for_the_branch_manager(client, branch_manager, customer):
    _place_in_private_banking(customer)
    client.force_login(branch_manager)

    body = " ".join(_body(_detail(client, customer)).split())

    assert ('Private banking since 2026-03-01: AUM <span class="masked" data-masked="true">******</span> ≥ 6M'
            in body)
    assert "7.2M" not in body


def test_segment_override_shows_reason_to_the_rm_and_masks_it_for_staff(
    client, branch_manager, relationship_manager, branch_staff, customer
):
    expires = timezone.localdate() + datetime.timedelta(days=30)
    segmentation.segment_override_set(actor=branch_manager, customer=customer, segment="vip",
                                      reason="Inheritance arriving next month", expires_on=expires)
    client.force_login(relationship_manager)
    rm_body = _body(_detail(client, customer))
    client.force_login(branch_staff)
    staff_body = _body(_detail(client, customer))

    assert f"until {expires:%Y-%m-%d}" in rm_body and "Inheritance arriving next month" in rm_body
    assert f"until {expires:%Y-%m-%d}" in staff_body
    assert "Inheritance arriving" not in staff_body


def test_profile_is_clear_for_the_rm_and_masked_for_the_branch_manager(
    client, relationship_manager, branch_manager, customer
):
    client.force_login(relationship_manager)
    rm_body = _body(_detail(client, customer))
    client.force_login(branch_manager)
    manager_body = _body(_detail(client, customer))

    for clear in (PHONE, "wei.zhang@example.cn", "110105198001011234", "250,000.00"):
        assert clear in rm_body
        assert clear not in manager_body
    masked_phone = '<span class="masked" data-masked="true">138****8000</span>'
    assert f'{masked_phone} <span class="masked-label">masked</span>' in manager_body
    assert '<span class="masked" data-masked="true">****-**-**</span>' in manager_body


def test_flags_are_shown(client, relationship_manager, branch):
    flagged = make_individual(relationship_manager=relationship_manager, branch=branch, is_vulnerable=True,
                              do_not_contact=True)
    client.force_login(relationship_manager)

    body = _body(_detail(client, flagged))

    assert 'data-testid="flag-vulnerable"' in body and 'data-testid="flag-do-not-contact"' in body


def test_holdings_show_balances_and_accounts_per_policy(client, relationship_manager, branch_staff, customer):
    make_holding(customer, account_number="6222 0210 0100 4321", balance=Decimal("123456.78"))
    client.force_login(relationship_manager)
    rm_body = _body(_detail(client, customer))
    client.force_login(branch_staff)
    staff_body = _body(_detail(client, customer))

    assert "6222 0210 0100 4321" in rm_body and "123,456.78" in rm_body
    assert '<span class="masked" data-masked="true">****4321</span>' in staff_body
    assert "6222 0210" not in staff_body and "123,456.78" not in staff_body


def test_relationship_graph_hides_customers_the_viewer_may_not_see(
    client, relationship_manager, branch, customer, other_relationship_manager, other_branch
):
    spouse = make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Li",
                             family_name="Zhang")
    company = make_corporate(relationship_manager=other_relationship_manager, branch=other_branch,
                             legal_name="Secret Holdings Ltd")
    Relationship.objects.create(from_customer=spouse, to_customer=customer, kind=RelationshipKind.SPOUSE)
    Relationship.objects.create(from_customer=customer, to_customer=company, kind=RelationshipKind.DIRECTOR)
    client.force_login(relationship_manager)

    response = _detail(client, customer)

    body = _body(response)
    graph = response.context["graph"]
    assert {node["label"] for node in graph["nodes"]} == {"Zhang Wei", "Zhang Li", "another customer"}
    assert sorted(edge["label"] for edge in graph["edges"]) == ["Director", "Spouse"]
    assert "<svg" in body and f'href="/customers/{spouse.pk}/"' in body
    assert "Secret Holdings" not in body
    assert f"/customers/{company.pk}/" not in body


def test_household_total_counts_only_members_seen_in_clear(
    client, relationship_manager, branch, customer, colleague
):
    make_holding(customer, balance=Decimal("100000.00"))
    mine = make_individual(relationship_manager=relationship_manager, branch=branch)
    make_holding(mine, balance=Decimal("50000.00"))
    theirs = make_individual(relationship_manager=colleague, branch=branch)
    make_holding(theirs, balance=Decimal("900000.00"))
    Relationship.objects.create(from_customer=mine, to_customer=customer, kind=RelationshipKind.SPOUSE)
    Relationship.objects.create(from_customer=theirs, to_customer=customer,
                                kind=RelationshipKind.HOUSEHOLD_MEMBER)
    client.force_login(relationship_manager)

    household = _detail(client, customer).context["household"]

    assert household == {"members": 3, "counted": 2, "total": Decimal("150000.00"), "is_household": True}


def test_timeline_is_newest_first_and_loads_more(client, relationship_manager, customer):
    now = timezone.now()
    for index in range(23):
        make_interaction(customer, summary=f"Call number {index}",
                         occurred_at=now - datetime.timedelta(hours=index + 1))
    client.force_login(relationship_manager)

    timeline = _detail(client, customer).context["timeline"]
    more_url = f"{reverse('customer-interactions', args=[customer.pk])}?before={timeline['more']}"
    more = client.get(more_url, **HTMX)
    without_js = client.get(more_url)
    older_page = _detail(client, customer, f"?interactions_before={timeline['more']}")

    assert [item["summary"] for item in timeline["items"]] == [f"Call number {index}" for index in range(20)]
    assert [item["summary"] for item in more.context["timeline"]["items"]] == [
        "Call number 20", "Call number 21", "Call number 22"]
    assert more.context["timeline"]["more"] is None
    assert "<html" not in _body(more)
    assert without_js.status_code == 302 and "interactions_before=" in without_js["Location"]
    assert older_page.context["timeline"]["items"][0]["summary"] == "Call number 20"


def test_timeline_summaries_are_masked_for_branch_staff(client, branch_staff, customer):
    make_interaction(customer, summary="Discussed the inheritance")
    client.force_login(branch_staff)

    body = _body(_detail(client, customer))

    assert "Discussed the inheritance" not in body
    assert "Phone · Follow-up" in " ".join(body.split())


def test_history_reads_as_sentences(client, branch_manager, relationship_manager, customer, colleague):
    services.customer_reassign(actor=branch_manager, customer=customer, relationship_manager=colleague)
    services.customer_update(actor=colleague, customer=Customer.objects.get(pk=customer.pk),
                             profile={"occupation": "Architect"})
    client.force_login(branch_manager)

    sentences = [item["sentence"] for item in _detail(client, customer).context["history"]]

    assert sentences == [
        f"{_full_name(colleague)} updated occupation.",
        f"{_full_name(branch_manager)} reassigned the customer from {_full_name(relationship_manager)} "
        f"to {_full_name(colleague)}.",
        f"{_full_name(relationship_manager)} created the customer record.",
    ]


def test_history_sentence_for_a_segment_move():
    event = CustomerEvent(kind="segment_changed", data={"from": "mass", "to": "vip", "version": 2})
    assert views.history_sentence(event, {}) == "Moved up to VIP (from Mass retail). (rules v2)"
    event = CustomerEvent(kind="segment_changed", data={"from": "private", "to": "vip"})
    assert views.history_sentence(event, {}) == "Moved down to VIP (from Private banking)."


def test_compact_amount():
    values = ("7200000.00", "6000000", "250000", "999", "1234567890")
    assert [views.compact_amount(value) for value in values] == ["7.2M", "6M", "250K", "999", "1.23B"]


def _rich_customer(customer, relationship_manager, branch, count: int):
    for index in range(count):
        make_holding(customer, product_name=f"Deposit {index}")
        make_interaction(customer, summary=f"Note {index}")
        services.need_record(actor=relationship_manager, customer=customer, need_type="investment",
                             note=f"Need {index}")
        other = make_individual(relationship_manager=relationship_manager, branch=branch)
        Relationship.objects.create(from_customer=other, to_customer=customer,
                                    kind=RelationshipKind.HOUSEHOLD_MEMBER)
        services.customer_update(actor=relationship_manager, customer=customer,
                                 profile={"occupation": f"Job {index}"})


@pytest.mark.parametrize("viewer", ["relationship_manager", "branch_manager"])
def test_detail_query_count_is_bounded(client, request, relationship_manager, branch, customer, viewer,
                                       django_assert_max_num_queries):
    user = request.getfixturevalue(viewer)
    _rich_customer(customer, relationship_manager, branch, 1)
    client.force_login(user)
    _detail(client, customer)
    with CaptureQueriesContext(connection) as few:
        _detail(client, customer)
    _rich_customer(customer, relationship_manager, branch, 8)

    with CaptureQueriesContext(connection) as many:
        response = _detail(client, customer)

    assert len(response.context["holdings"]) == 9
    assert len(response.context["relationships"]) == 9
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many.captured_queries) <= 30


# ---------------------------------------------------------------------------------------------
# Quick actions
# ---------------------------------------------------------------------------------------------


def _interaction_data(**overrides):
    return {"channel": "phone", "interaction_type": "follow_up", "summary": "Called about the renewal",
            **overrides}


def test_logging_an_interaction_without_js_redirects_to_the_timeline(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    response = client.post(reverse("customer-interaction-log", args=[customer.pk]), _interaction_data())

    assert response.status_code == 302
    assert response["Location"] == f"/customers/{customer.pk}/#timeline"
    interaction = Interaction.objects.get(customer=customer)
    assert interaction.summary == "Called about the renewal"
    assert interaction.staff_id == relationship_manager.pk
    customer.refresh_from_db()
    assert customer.last_contact_at == interaction.occurred_at
    assert "Called about the renewal" in _body(_detail(client, customer))


def test_logging_an_interaction_with_htmx_refreshes_the_timeline(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    response = client.post(reverse("customer-interaction-log", args=[customer.pk]), _interaction_data(),
                           **HTMX)

    body = _body(response)
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="quick-actions"' in body
    assert 'data-testid="timeline" hx-swap-oob="true"' in body
    assert "Called about the renewal" in body and "Interaction logged." in body


@pytest.mark.parametrize(("data", "field", "message"), [
    (_interaction_data(summary="   "), "summary", "This field is required."),
    (_interaction_data(channel="pigeon"), "channel", "Select a valid choice."),
    (_interaction_data(occurred_at="2999-01-01T10:00"), "occurred_at",
     "An interaction cannot be in the future."),
    (_interaction_data(occurred_at="yesterday"), "occurred_at", "Enter a valid date/time."),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_interaction_is_redisplayed_and_nothing_is_saved(client, relationship_manager, customer, data,
                                                             field, message, htmx):
    client.force_login(relationship_manager)

    response = client.post(reverse("customer-interaction-log", args=[customer.pk]), data,
                           **(HTMX if htmx else {}))

    assert response.status_code == 200
    form = response.context["interaction_form"]
    assert any(message in error for error in form.errors[field])
    assert ("<html" in _body(response)) is not htmx
    assert not Interaction.objects.filter(customer=customer).exists()
    customer.refresh_from_db()
    assert customer.last_contact_at is None


def test_recording_a_need(client, branch_staff, customer):
    client.force_login(branch_staff)

    response = client.post(reverse("customer-need-record", args=[customer.pk]),
                           {"need_type": "wealth_growth", "note": "Asked about funds"}, **HTMX)

    need = Need.objects.get(customer=customer)
    assert (need.need_type, need.note, need.recorded_by_id) == ("wealth_growth", "Asked about funds",
                                                                branch_staff.pk)
    assert 'data-testid="needs" hx-swap-oob="true"' in _body(response)


def test_a_need_outside_the_kinds_catalogue_is_refused(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    response = client.post(reverse("customer-need-record", args=[customer.pk]), {"need_type": "financing"})

    assert response.status_code == 200
    assert response.context["need_form"].errors["need_type"]
    assert not Need.objects.exists()


# ---------------------------------------------------------------------------------------------
# Reveal
# ---------------------------------------------------------------------------------------------


def test_compliance_reveal_shows_the_chosen_fields_until_expiry(client, compliance_officer, customer):
    client.force_login(compliance_officer)
    before = _body(_detail(client, customer))

    response = client.post(reverse("customer-reveal", args=[customer.pk]),
                           {"fields": ["phone"], "purpose": PURPOSE, "minutes": "15"})
    after = _body(_detail(client, customer))
    RevealGrant.objects.filter(customer=customer).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1))
    expired = _body(_detail(client, customer))

    assert PHONE not in before and 'data-testid="reveal"' in before
    assert response.status_code == 302
    assert PHONE in after and "wei.zhang@example.cn" not in after
    assert 'data-testid="reveal-grants"' in after
    assert PHONE not in expired
    event = AuditEvent.objects.get(action="pii.reveal_granted")
    assert (event.actor_id, event.fields, event.purpose) == (compliance_officer.pk, ["phone"], PURPOSE)


@pytest.mark.parametrize(("data", "field"), [
    ({"fields": ["phone"], "purpose": "because", "minutes": "15"}, "purpose"),
    ({"purpose": PURPOSE, "minutes": "15"}, "fields"),
    ({"fields": ["annual_revenue"], "purpose": PURPOSE, "minutes": "15"}, "fields"),
    ({"fields": ["phone"], "purpose": PURPOSE, "minutes": "600"}, "minutes"),
])
def test_bad_reveal_is_redisplayed_and_grants_nothing(client, compliance_officer, customer, data, field):
    client.force_login(compliance_officer)

    response = client.post(reverse("customer-reveal", args=[customer.pk]), data)

    assert response.status_code == 200
    assert response.context["reveal_form"].errors[field]
    assert not RevealGrant.objects.exists()
    assert PHONE not in _body(response)


# ---------------------------------------------------------------------------------------------
# Editing
# ---------------------------------------------------------------------------------------------


def _edit_data(form) -> dict:
    data = {}
    for name in form.fields:
        value = form.initial.get(name)
        if value is None or value is False:
            continue
        data[name] = ",".join(value) if isinstance(value, list) else value
    return data


def test_rm_edits_details_including_sensitive_fields(client, relationship_manager, customer):
    client.force_login(relationship_manager)
    data = _edit_data(client.get(reverse("customer-edit", args=[customer.pk])).context["form"])
    data.update({"phone": "+86 139 2222 3333", "profile-occupation": "Architect"})

    response = client.post(reverse("customer-edit", args=[customer.pk]), data)

    assert response.status_code == 302
    customer = Customer.objects.get(pk=customer.pk)
    assert customer.phone == "+86 139 2222 3333"
    assert customer.individual.occupation == "Architect"
    assert customer.history.filter(kind="updated").get().data == {"fields": ["occupation", "phone"]}


def test_edit_with_an_invalid_phone_changes_nothing(client, relationship_manager, customer):
    client.force_login(relationship_manager)
    data = _edit_data(client.get(reverse("customer-edit", args=[customer.pk])).context["form"])
    data.update({"phone": "call me maybe", "profile-occupation": "Architect"})

    response = client.post(reverse("customer-edit", args=[customer.pk]), data)

    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == ["Enter a valid phone number."]
    customer = Customer.objects.get(pk=customer.pk)
    assert (customer.phone, customer.individual.occupation) == (PHONE, "Engineer")
    assert not customer.history.filter(kind="updated").exists()


def test_branch_manager_edits_only_what_they_see(client, branch_manager, customer):
    client.force_login(branch_manager)
    page = client.get(reverse("customer-edit", args=[customer.pk]))
    data = _edit_data(page.context["form"])
    data.update({"phone": "+86 139 2222 3333", "profile-employer": "Harbour Port Group"})

    response = client.post(reverse("customer-edit", args=[customer.pk]), data)

    assert "phone" not in page.context["form"].fields
    assert "profile-annual_income" not in page.context["form"].fields
    assert PHONE not in _body(page) and 'data-testid="hidden-fields"' in _body(page)
    assert response.status_code == 302
    customer = Customer.objects.get(pk=customer.pk)
    assert customer.phone == PHONE
    assert customer.individual.employer == "Harbour Port Group"


def test_rm_edits_a_corporate_profile(client, relationship_manager, branch):
    company = make_corporate(relationship_manager=relationship_manager, branch=branch)
    client.force_login(relationship_manager)
    data = _edit_data(client.get(reverse("customer-edit", args=[company.pk])).context["form"])
    data.update({"profile-countries_of_operation": "cn,hk,sg", "profile-annual_revenue": "120000000.00",
                 "profile-employees": "240"})

    response = client.post(reverse("customer-edit", args=[company.pk]), data)

    assert response.status_code == 302
    profile = Customer.objects.get(pk=company.pk).corporate
    assert profile.countries_of_operation == ["CN", "HK", "SG"]
    assert (profile.annual_revenue, profile.revenue_band, profile.employees) == (
        Decimal("120000000.00"), Decimal("100000000.00"), 240)


def test_saving_an_unchanged_form_records_nothing(client, relationship_manager, customer):
    client.force_login(relationship_manager)
    data = _edit_data(client.get(reverse("customer-edit", args=[customer.pk])).context["form"])

    response = client.post(reverse("customer-edit", args=[customer.pk]), data, follow=True)

    assert "Nothing was changed." in _body(response)
    assert not customer.history.filter(kind="updated").exists()


# ---------------------------------------------------------------------------------------------
# Reassignment, books, delegation, segment override
# ---------------------------------------------------------------------------------------------


def test_branch_manager_reassigns_a_customer(client, branch_manager, relationship_manager, customer,
                                             colleague):
    client.force_login(branch_manager)
    page = _detail(client, customer)

    response = client.post(reverse("customer-reassign", args=[customer.pk]),
                           {"relationship_manager": colleague.pk}, follow=True)

    field = page.context["reassign_form"].fields["relationship_manager"]
    choices = [choice for choice, _label in field.choices]
    assert {str(value) for value in choices if value} == {str(relationship_manager.pk), str(colleague.pk)}
    assert Customer.objects.get(pk=customer.pk).relationship_manager == colleague
    assert f"The customer now belongs to {_full_name(colleague)}" in _body(response)
    client.force_login(relationship_manager)
    assert _detail(client, customer).status_code == 404


def test_reassigning_to_an_rm_of_another_branch_is_refused(client, branch_manager, customer,
                                                           other_relationship_manager, relationship_manager):
    client.force_login(branch_manager)

    response = client.post(reverse("customer-reassign", args=[customer.pk]),
                           {"relationship_manager": other_relationship_manager.pk})

    assert response.status_code == 200
    assert response.context["reassign_form"].errors["relationship_manager"]
    assert Customer.objects.get(pk=customer.pk).relationship_manager == relationship_manager


def test_books_page_lists_book_sizes(client, branch_manager, relationship_manager, colleague, customer,
                                     branch):
    make_individual(relationship_manager=relationship_manager, branch=branch)
    make_individual(relationship_manager=colleague, branch=branch)
    make_individual(branch=branch)
    client.force_login(branch_manager)

    response = client.get(reverse("customer-books"))

    sizes = {book["manager"].username: book["customers"] for book in response.context["books"]}
    assert sizes == {"rm.one": 2, "rm.two": 1}
    assert response.context["unassigned"] == 1


def test_moving_a_whole_book(client, branch_manager, relationship_manager, colleague, customer, branch):
    second = make_individual(relationship_manager=relationship_manager, branch=branch)
    client.force_login(branch_manager)

    response = client.post(reverse("customer-book-reassign"),
                           {"from_manager": relationship_manager.pk, "to_manager": colleague.pk}, follow=True)

    assert set(Customer.objects.filter(relationship_manager=colleague).values_list("pk", flat=True)) == {
        customer.pk, second.pk}
    assert "2 customers moved" in _body(response)


def test_moving_a_book_to_itself_is_refused(client, branch_manager, relationship_manager, customer):
    client.force_login(branch_manager)

    response = client.post(reverse("customer-book-reassign"),
                           {"from_manager": relationship_manager.pk, "to_manager": relationship_manager.pk})

    assert response.context["book_form"].errors["to_manager"]
    assert not customer.history.filter(kind="reassigned").exists()


def test_delegation_lets_a_colleague_cover_the_book_until_ended(client, branch_manager, relationship_manager,
                                                                colleague, customer):
    today = timezone.localdate()
    client.force_login(branch_manager)

    client.post(reverse("customer-delegation-create"), {
        "relationship_manager": relationship_manager.pk, "delegate": colleague.pk,
        "starts_on": today.isoformat(), "ends_on": (today + datetime.timedelta(days=5)).isoformat(),
        "reason": "Annual leave",
    })
    delegation = BookDelegation.objects.get()
    client.force_login(colleague)
    covered = _body(_detail(client, customer))
    client.force_login(branch_manager)
    client.post(reverse("customer-delegation-end", args=[delegation.pk]))
    client.force_login(colleague)
    after = _detail(client, customer)

    assert (delegation.relationship_manager, delegation.delegate, delegation.reason) == (
        relationship_manager, colleague, "Annual leave")
    assert PHONE in covered
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    assert after.status_code == 404


def test_bad_delegation_is_redisplayed(client, branch_manager, relationship_manager, colleague):
    today = timezone.localdate()
    client.force_login(branch_manager)

    response = client.post(reverse("customer-delegation-create"), {
        "relationship_manager": relationship_manager.pk, "delegate": colleague.pk,
        "starts_on": today.isoformat(), "ends_on": (today - datetime.timedelta(days=1)).isoformat(),
        "reason": "Annual leave",
    })

    assert response.status_code == 200
    assert response.context["delegation_form"].errors["ends_on"]
    assert not BookDelegation.objects.exists()


def test_branch_manager_sets_a_segment_by_hand(client, branch_manager, customer):
    expires = timezone.localdate() + datetime.timedelta(days=60)
    client.force_login(branch_manager)

    response = client.post(reverse("customer-segment-override", args=[customer.pk]),
                           {"segment": "vip", "reason": "Moving 8M from another bank",
                            "expires_on": expires.isoformat()}, follow=True)

    override = SegmentOverride.objects.get(customer=customer)
    assert (override.segment, override.expires_on, override.created_by) == ("vip", expires, branch_manager)
    assert Customer.objects.get(pk=customer.pk).segment == "vip"
    assert 'data-testid="segment-override"' in _body(response)


@pytest.mark.parametrize(("data", "field"), [
    ({"segment": "vip", "reason": "short", "expires_on": "2099-01-01"}, "reason"),
    ({"segment": "sme", "reason": "Moving 8M from another bank", "expires_on": "2099-01-01"}, "segment"),
    ({"segment": "vip", "reason": "Moving 8M from another bank", "expires_on": "2001-01-01"}, "expires_on"),
])
def test_bad_segment_override_changes_nothing(client, branch_manager, customer, data, field):
    client.force_login(branch_manager)

    response = client.post(reverse("customer-segment-override", args=[customer.pk]), data)

    assert response.status_code == 200
    assert response.context["override_form"].errors[field]
    assert not SegmentOverride.objects.exists()
    assert Customer.objects.get(pk=customer.pk).segment == "mass"


# ---------------------------------------------------------------------------------------------
# Home figures
# ---------------------------------------------------------------------------------------------


def test_home_shows_the_rms_book_in_figures(client, relationship_manager, branch, customer, colleague):
    now = timezone.now()
    vip = make_individual(relationship_manager=relationship_manager, branch=branch, segment="vip")
    make_interaction(vip, occurred_at=now - datetime.timedelta(days=10))
    make_individual(relationship_manager=colleague, branch=branch)
    services.need_record(actor=relationship_manager, customer=customer, need_type="investment")
    met = services.need_record(actor=relationship_manager, customer=vip, need_type="investment")
    Need.objects.filter(pk=met.pk).update(status="met")
    client.force_login(relationship_manager)

    response = client.get(reverse("home"))

    figures = response.context["book_figures"]
    assert figures["book"] == 2
    assert [(code, count) for code, _label, count in figures["by_segment"]] == [("mass", 1), ("vip", 1)]
    assert figures["not_contacted"] == 1
    assert figures["open_needs"] == 1
    assert 'data-testid="book-size"' in _body(response)


def test_home_book_figures_take_constant_queries(client, relationship_manager, branch):
    make_individual(relationship_manager=relationship_manager, branch=branch)
    client.force_login(relationship_manager)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for _index in range(10):
        make_individual(relationship_manager=relationship_manager, branch=branch, segment="vip")

    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("home"))

    assert response.context["book_figures"]["book"] == 11
    assert len(many.captured_queries) == len(few.captured_queries)


def test_home_has_no_book_figures_for_other_roles(client, branch_manager):
    client.force_login(branch_manager)

    assert client.get(reverse("home")).context["book_figures"] is None
