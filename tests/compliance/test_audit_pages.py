"""The audit trail pages: who may see them, what they show, and that viewing them is audited."""

from __future__ import annotations

import datetime
from datetime import UTC

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compliance.audit import audit_record, audit_verification_run
from compliance.models import AuditEvent
from compliance.selectors import audit_customer_access_report, customer_events_q
from customers.models import Customer
from tests.compliance.factories import AuditEventFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/compliance/audit/"
NUMBER = "C0000000042"


def _report_url(number: str) -> str:
    return f"/compliance/audit/customers/{number}/access/"


@pytest.fixture
def customer(branch):
    """A customer with no audit events of its own (written directly, not by a service)."""
    return Customer.objects.create(number=NUMBER, kind="individual", display_name="Zhang Wei",
                                   home_branch=branch, segment="mass", since=datetime.date(2020, 1, 1))


def _audit_views():
    return AuditEvent.objects.filter(action__in=["audit.searched", "audit.report_viewed"])


def _shown(response) -> list[int]:
    return [event.sequence for event in response.context["page"].events]


def test_urls_are_named():
    assert reverse("audit-event-list") == LIST_URL
    assert reverse("audit-customer-access", args=[NUMBER]) == _report_url(NUMBER)


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST_URL, _report_url(NUMBER)])
def test_anonymous_users_are_sent_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(
    "role", ["relationship_manager", "branch_staff", "branch_manager", "service_account", "administrator"]
)
@pytest.mark.parametrize("url", [LIST_URL, _report_url(NUMBER)])
def test_everyone_but_compliance_officers_gets_not_found(client, request, role, url):
    client.force_login(request.getfixturevalue(role))

    response = client.get(url)

    assert response.status_code == 404
    assert "Audit trail" not in response.content.decode()
    assert _audit_views().count() == 0


def test_other_methods_are_not_found_for_others_and_not_allowed_for_officers(
    client, relationship_manager, compliance_officer
):
    client.force_login(relationship_manager)
    assert client.post(LIST_URL).status_code == 404

    client.force_login(compliance_officer)
    assert client.post(LIST_URL).status_code == 405
    assert _audit_views().count() == 0


@pytest.mark.parametrize("url", [LIST_URL, _report_url(NUMBER)])
def test_compliance_officers_may_use_both_pages(client, compliance_officer, customer, url):
    client.force_login(compliance_officer)

    assert client.get(url).status_code == 200


def test_the_report_of_an_unknown_customer_number_is_not_found(client, compliance_officer, customer):
    client.force_login(compliance_officer)

    assert client.get(_report_url(customer.pk)).status_code == 404
    assert client.get(_report_url("C0000000043")).status_code == 404
    assert _audit_views().count() == 0


def test_only_compliance_officers_see_the_audit_entry_in_the_navigation(
    client, compliance_officer, branch_manager
):
    client.force_login(branch_manager)
    labels = [str(entry["label"]) for entry in client.get(reverse("home")).context["navigation"]]
    assert "Audit" not in labels

    client.force_login(compliance_officer)
    navigation = client.get(reverse("home")).context["navigation"]
    assert {"label": "Audit", "url": LIST_URL, "active": False} in [
        {**entry, "label": str(entry["label"])} for entry in navigation
    ]


# --- the search -------------------------------------------------------------------------------


def test_search_shows_newest_first_and_records_the_search(client, compliance_officer, relationship_manager):
    AuditEventFactory(actor=relationship_manager, object_id=1)
    AuditEventFactory(actor=relationship_manager, object_id=2)
    client.force_login(compliance_officer)
    before = AuditEvent.objects.count()

    response = client.get(LIST_URL)

    assert _shown(response) == list(range(before, 0, -1))
    searched = AuditEvent.objects.get(action="audit.searched")
    assert searched.sequence == before + 1
    assert searched.actor_id == compliance_officer.pk
    assert searched.extra == {"channel": "web", "filters": []}
    assert searched.fields == []


def test_search_by_customer_number_finds_its_events_and_reveals_listing_it(
    client, compliance_officer, relationship_manager, customer
):
    own = AuditEventFactory(actor=relationship_manager, object_id=customer.pk)
    AuditEventFactory(actor=relationship_manager, object_id=customer.pk + 1)
    listed = audit_record(actor=relationship_manager, action="pii.revealed", fields=["phone"],
                          extra={"objects": {"customers.customer": [customer.pk + 1, customer.pk]}})
    audit_record(actor=relationship_manager, action="pii.revealed", fields=["phone"],
                 extra={"objects": {"customers.customer": [customer.pk * 10 + 1]}})
    client.force_login(compliance_officer)

    response = client.get(LIST_URL, {"customer": " c0000000042 "})

    assert _shown(response) == [listed.sequence, own.sequence]
    assert AuditEvent.objects.get(action="audit.searched").extra == {
        "channel": "web", "filters": ["customer"], "customer_id": customer.pk,
    }
    body = response.content.decode()
    assert f'<a href="/compliance/audit/customers/{NUMBER}/access/">Customer {NUMBER}</a>' in body
    assert "Personal data revealed" in body
    assert f"customers.customer {customer.pk}" not in body


def test_search_by_an_internal_id_or_unknown_number_is_refused(client, compliance_officer, customer):
    client.force_login(compliance_officer)

    for value in (str(customer.pk), "C0000000043"):
        response = client.get(LIST_URL, {"customer": value})

        assert response.context["page"] is None
        assert "Customer number: No customer has this number." in response.content.decode()
    assert _audit_views().count() == 0


def test_events_show_actions_fields_and_objects_as_labels(client, compliance_officer, relationship_manager,
                                                         customer):
    audit_record(actor=relationship_manager, action="customer.updated", object_type="customers.customer",
                 object_id=customer.pk, fields=["annual_income", "phone"])
    audit_record(actor=relationship_manager, action="pii.revealed", fields=["aum"],
                 extra={"objects": {"customers.customer": [customer.pk]},
                        "counts": {"customers.customer": 1}})
    audit_record(actor=compliance_officer, action="audit.report_viewed",
                 extra={"report": "customer_access", "customer_id": customer.pk})
    audit_record(actor=relationship_manager, action="holding.created", object_type="customers.customer",
                 object_id=customer.pk, fields=["account_number"])
    client.force_login(compliance_officer)

    body = client.get(LIST_URL).content.decode()

    for shown in ("Customer updated", "annual income, phone", "Personal data revealed",
                  "assets under management", "1 Customer record", f"Customer={NUMBER}", "Holding added",
                  "account number", "Audit report viewed"):
        assert shown in body, shown
    for code in (">pii.revealed<", "annual_income", "customers.customer", f"customer_id={customer.pk}",
                 ">holding.created<"):
        assert code not in body, code


def test_the_labels_follow_the_language(client, compliance_officer, relationship_manager, customer):
    audit_record(actor=relationship_manager, action="pii.revealed", fields=["annual_income"],
                 extra={"objects": {"customers.customer": [customer.pk]}})
    client.force_login(compliance_officer)

    body = client.get(LIST_URL, headers={"Accept-Language": "zh-hans"}).content.decode()
    report = client.get(_report_url(NUMBER), headers={"Accept-Language": "zh-hant"}).content.decode()

    assert "已查看个人信息明文" in body
    assert "年收入" in body
    assert "已檢視個人資料明文" in report
    assert "年收入" in report


def test_search_by_actor_and_action(client, compliance_officer, relationship_manager, branch_manager):
    AuditEventFactory(actor=relationship_manager, action="customer.updated")
    wanted = AuditEventFactory(actor=relationship_manager, action="customer.reassigned")
    AuditEventFactory(actor=branch_manager, action="customer.reassigned")
    client.force_login(compliance_officer)

    response = client.get(LIST_URL, {"actor": "rm.one", "action": "customer.reassigned"})

    assert _shown(response) == [wanted.sequence]
    searched = AuditEvent.objects.get(action="audit.searched")
    assert searched.extra == {"channel": "web", "filters": ["action", "actor"],
                              "action": "customer.reassigned"}
    assert "rm.one" not in str(searched.extra)


def test_actions_other_apps_define_are_searchable_and_known_ones_suggested(
    client, compliance_officer, relationship_manager
):
    wanted = AuditEventFactory(actor=relationship_manager, action="interaction.created")
    AuditEventFactory(actor=relationship_manager, action="customer.updated")
    client.force_login(compliance_officer)

    response = client.get(LIST_URL, {"action": "interaction.created"})
    malformed = client.get(LIST_URL, {"action": "Interaction Created"})

    assert _shown(response) == [wanted.sequence]
    body = response.content.decode()
    assert '<datalist id="audit-action-choices">' in body
    assert '<option value="pii.revealed">Personal data revealed</option>' in body
    assert malformed.context["page"] is None
    assert "Enter an action such as customer.updated." in malformed.content.decode()


def test_dates_are_the_banks_calendar_days(client, compliance_officer, monkeypatch):
    # 16:30 UTC on 1 March is 00:30 on 2 March in Shanghai, the bank's time zone.
    with monkeypatch.context() as patched:
        patched.setattr(timezone, "now", lambda: datetime.datetime(2025, 3, 1, 15, 59, tzinfo=UTC))
        late_first = AuditEventFactory()
        patched.setattr(timezone, "now", lambda: datetime.datetime(2025, 3, 1, 16, 30, tzinfo=UTC))
        early_second = AuditEventFactory()
    client.force_login(compliance_officer)

    first_of_march = client.get(LIST_URL, {"date_from": "2025-03-01", "date_to": "2025-03-01"})
    second_of_march = client.get(LIST_URL, {"date_from": "2025-03-02", "date_to": "2025-03-02"})

    assert _shown(first_of_march) == [late_first.sequence]
    assert _shown(second_of_march) == [early_second.sequence]
    assert AuditEvent.objects.filter(action="audit.searched").first().extra["filters"] == [
        "date_from", "date_to",
    ]


def test_an_invalid_search_shows_the_errors_and_is_not_recorded(client, compliance_officer):
    client.force_login(compliance_officer)

    response = client.get(LIST_URL, {"date_from": "2025-03-02", "date_to": "2025-03-01",
                                     "customer": "abc"})

    assert response.status_code == 200
    assert response.context["page"] is None
    body = response.content.decode()
    assert "The start date must not be after the end date." in body
    assert "Customer number: No customer has this number." in body
    assert _audit_views().count() == 0


def test_keyset_pages_move_older_and_back_newer(client, compliance_officer):
    client.force_login(compliance_officer)  # event 1: the sign-in
    for _index in range(60):
        AuditEventFactory()  # events 2..61

    first = client.get(LIST_URL)  # records event 62
    older_cursor = first.context["page"].older_cursor
    second = client.get(LIST_URL, {"before": older_cursor})  # records event 63
    newer_cursor = second.context["page"].newer_cursor
    back = client.get(LIST_URL, {"after": newer_cursor})

    assert _shown(first) == list(range(61, 11, -1))
    assert first.context["page"].newer_cursor is None
    assert older_cursor == 12
    assert f"?before={older_cursor}" in first.content.decode()
    assert _shown(second) == list(range(11, 0, -1))
    assert second.context["page"].older_cursor is None
    assert newer_cursor == 11
    assert f"?after={newer_cursor}" in second.content.decode()
    # The 50 events just newer than 11; 62 and 63 (the searches) remain on a newer page.
    assert _shown(back) == list(range(61, 11, -1))
    assert back.context["page"].newer_cursor == 61
    assert back.context["page"].older_cursor == 12


def test_htmx_requests_get_only_the_results(client, compliance_officer):
    AuditEventFactory()
    client.force_login(compliance_officer)

    response = client.get(LIST_URL, {"action": "customer.updated"}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'data-testid="audit-events"' in body
    assert "HX-Request" in response["Vary"]
    full = client.get(LIST_URL).content.decode()
    assert "<html" in full
    assert 'hx-get="/compliance/audit/"' in full
    assert 'method="get" action="/compliance/audit/"' in full


def test_the_latest_verification_is_shown(client, compliance_officer):
    client.force_login(compliance_officer)
    assert "The chain has not been verified yet." in client.get(LIST_URL).content.decode()

    audit_verification_run(actor=None)

    response = client.get(LIST_URL)
    assert response.context["verification"].ok is True
    body = response.content.decode()
    assert "Intact" in body
    assert "events checked" in body


def test_search_queries_do_not_grow_with_the_events_shown(
    client, compliance_officer, relationship_manager, branch_manager, django_assert_max_num_queries
):
    AuditEventFactory(actor=relationship_manager)
    client.force_login(compliance_officer)
    audit_verification_run(actor=None)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST_URL)
    for index in range(60):
        AuditEventFactory(actor=relationship_manager if index % 2 else branch_manager,
                          extra={"holding": index})

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST_URL)

    assert len(response.context["page"].events) == 50


# --- the customer access report ---------------------------------------------------------------


def test_report_groups_by_actor_with_times_counts_and_fields(
    client, compliance_officer, relationship_manager, branch_manager, customer
):
    pk = customer.pk
    first = AuditEventFactory(actor=relationship_manager, action="customer.updated", object_id=pk,
                              fields=["email"])
    audit_record(actor=relationship_manager, action="pii.revealed", fields=["phone", "address"],
                 extra={"objects": {"customers.customer": [pk + 1, pk]}})
    audit_record(actor=branch_manager, action="pii.revealed", fields=["phone"],
                 extra={"objects": {"customers.customer": [pk]}})
    last = AuditEventFactory(actor=relationship_manager, action="customer.reassigned", object_id=pk,
                             fields=["relationship_manager"])
    AuditEventFactory(actor=branch_manager, object_id=pk + 1, fields=["income"])
    audit_record(actor=branch_manager, action="pii.revealed", fields=["income"],
                 extra={"objects": {"customers.customer": [pk * 10]}})
    client.force_login(compliance_officer)

    response = client.get(_report_url(NUMBER.lower()))

    rows = response.context["rows"]
    assert [(item.row.actor_username, item.row.events, item.fields, item.actions) for item in rows] == [
        ("rm.one", 3, ["address", "e-mail", "phone", "relationship manager"],
         ["Customer reassigned", "Customer updated", "Personal data revealed"]),
        ("manager.one", 1, ["phone"], ["Personal data revealed"]),
    ]
    assert (rows[0].row.first_seen, rows[0].row.last_seen) == (first.occurred_at, last.occurred_at)
    viewed = AuditEvent.objects.get(action="audit.report_viewed")
    assert viewed.actor_id == compliance_officer.pk
    assert viewed.extra == {"report": "customer_access", "customer_id": pk, "channel": "web"}
    body = response.content.decode()
    assert "rm.one" in body
    assert f"Who saw the data of customer {NUMBER}" in body
    assert f'href="/compliance/audit/?customer={NUMBER}&amp;actor=rm.one"' in body
    assert "pii.revealed" not in body and "relationship_manager" not in body


def test_report_of_a_customer_nobody_saw(client, compliance_officer, customer):
    client.force_login(compliance_officer)

    response = client.get(_report_url(NUMBER))

    assert response.context["rows"] == []
    assert "No one has seen or changed this customer" in response.content.decode()
    assert AuditEvent.objects.filter(action="audit.report_viewed").count() == 1


def test_report_query_is_answered_from_the_indexes():
    AuditEventFactory(object_id=42)
    query = AuditEvent.objects.filter(customer_events_q(42)).order_by()
    sql, params = query.query.sql_with_params()

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "audit_extra_objects_gin" in plan
    assert "audit_object_seq" in plan
    assert "Seq Scan" not in plan


def test_report_selector_uses_two_queries_whatever_the_number_of_events(
    relationship_manager, django_assert_num_queries
):
    for _index in range(20):
        audit_record(actor=relationship_manager, action="pii.revealed", fields=["phone"],
                     extra={"objects": {"customers.customer": [42]}})

    with django_assert_num_queries(2):
        rows = audit_customer_access_report(customer_id=42)

    assert [(row.actor_username, row.events, row.fields) for row in rows] == [("rm.one", 20, ["phone"])]
