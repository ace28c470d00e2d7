"""Django admin of the customers app: every page renders, customer data is restricted and
masked by the same policy as everywhere, searches use the blind index, actions call services."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from compliance.models import AuditEvent
from crm.roles import Role
from customers import permissions, segmentation, services
from customers.models import (
    BookDelegation,
    Customer,
    CustomerEvent,
    ExchangeRate,
    Holding,
    ImportJob,
    Interaction,
    MergeRecord,
    Need,
    Relationship,
    RevealGrant,
    SegmentOverride,
    SegmentRule,
    SegmentRuleSet,
)
from tests.customers.factories import make_corporate, make_holding, make_individual, make_interaction
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PHONE = "+86 138 0013 5678"
EMAIL = "zhang.wei@example.cn"
ID_NUMBER = "110105198001011234"
ADDRESS = "88 Century Avenue, Pudong, Shanghai"
ACCOUNT = "6222 0210 0100 4321"
SUMMARY = "Discussed the maturing term deposit"
NOTE = "Prefers low-risk bond funds"
CLEAR_VALUES = [
    PHONE,
    "13800135678",
    EMAIL,
    ID_NUMBER,
    ADDRESS,
    ACCOUNT,
    SUMMARY,
    NOTE,
    "1980-01-01",
    "250000.00",
    "800000.00",
]


def _admin_url(model, action: str = "changelist", *args) -> str:
    return f"/admin/customers/{model._meta.model_name}/" + {
        "changelist": "",
        "change": "{}/change/",
        "add": "add/",
    }[action].format(*args)


@pytest.fixture
def customer(relationship_manager, branch):
    customer = make_individual(
        relationship_manager=relationship_manager,
        branch=branch,
        phone=PHONE,
        email=EMAIL,
        id_number=ID_NUMBER,
        address=ADDRESS,
        date_of_birth=datetime.date(1980, 1, 1),
        annual_income=Decimal("250000.00"),
    )
    make_holding(customer, account_number=ACCOUNT, balance=Decimal("800000.00"), external_reference="H-1")
    return Customer.objects.get(pk=customer.pk)


@pytest.fixture
def related(customer, relationship_manager, branch, compliance_officer):
    """One row of every customer-linked model."""
    company = make_corporate(relationship_manager=relationship_manager, branch=branch)
    now = timezone.now()
    return {
        Customer: customer,
        Holding: customer.holdings.get(),
        Need: services.need_record(
            actor=relationship_manager, customer=customer, need_type="investment", note=NOTE
        ),
        Relationship: Relationship.objects.create(
            from_customer=customer, to_customer=company, kind="director"
        ),
        Interaction: make_interaction(customer, summary=SUMMARY),
        SegmentOverride: SegmentOverride.objects.create(
            customer=customer,
            segment="vip",
            reason="Relationship review by the branch",
            expires_on=datetime.date.today() + datetime.timedelta(days=90),
            created_by=relationship_manager,
        ),
        CustomerEvent: CustomerEvent.objects.filter(customer=customer).first(),
        RevealGrant: services.customer_reveal(
            actor=compliance_officer,
            customer=customer,
            fields=["phone"],
            purpose="Checking a complaint about fees",
        ),
        MergeRecord: MergeRecord.objects.create(
            survivor=customer,
            merged=company,
            moved={"holdings": []},
            merged_by=relationship_manager,
            merged_at=now,
        ),
    }


@pytest.fixture
def staff_compliance(compliance_officer):
    """A compliance officer with admin access: sees every customer, masked."""
    compliance_officer.is_staff = True
    compliance_officer.save(update_fields=["is_staff"])
    compliance_officer.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="customers",
            codename__in=[f"view_{model._meta.model_name}" for model in CUSTOMER_MODELS],
        )
    )
    return compliance_officer


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- rendering ------------------------------------------------------------------------------

CUSTOMER_MODELS = [
    Customer,
    Holding,
    Need,
    Relationship,
    Interaction,
    SegmentOverride,
    CustomerEvent,
    RevealGrant,
    MergeRecord,
]


@pytest.mark.parametrize("model", CUSTOMER_MODELS, ids=lambda model: model.__name__)
def test_customer_pages_render_masked_for_a_compliance_officer(client, staff_compliance, related, model):
    client.force_login(staff_compliance)
    obj = related[model]

    listing = _page(client, _admin_url(model))
    detail = _page(client, _admin_url(model, "change", obj.pk))

    assert str(obj.pk) in listing or str(obj) in listing
    for value in CLEAR_VALUES:
        # A compliance officer sees customers masked; the reveal grant is for the portal page.
        if model is not Customer:
            assert value not in listing
        assert value not in detail or (value == PHONE and model is Customer)


def test_a_reveal_grant_shows_only_its_field_in_clear(client, staff_compliance, related):
    client.force_login(staff_compliance)

    detail = _page(client, _admin_url(Customer, "change", related[Customer].pk))

    assert PHONE in detail
    for value in (EMAIL, ID_NUMBER, ADDRESS, "1980-01-01", "250000.00", "800000.00"):
        assert value not in detail
    assert "z***@example.cn (masked)" in detail
    assert "****1234 (masked)" in detail
    assert "****-**-** (masked)" in detail


def test_changelist_shows_a_masked_phone(client, staff_compliance, relationship_manager, branch):
    make_individual(relationship_manager=relationship_manager, branch=branch, phone="+86 139 1111 2222")
    client.force_login(staff_compliance)

    listing = _page(client, _admin_url(Customer))

    assert "139****2222 (masked)" in listing
    assert "13911112222" not in listing


@pytest.mark.parametrize(
    "model", [SegmentRuleSet, ExchangeRate, BookDelegation, ImportJob], ids=lambda model: model.__name__
)
def test_reference_data_pages_render_for_the_administrator(
    client, administrator, relationship_manager, branch_manager, branch, model
):
    objects = {
        SegmentRuleSet: SegmentRuleSet.objects.get(is_active=True),
        ExchangeRate: ExchangeRate.objects.create(
            currency="USD", rate=Decimal("7.1"), as_of=datetime.date.today()
        ),
        BookDelegation: BookDelegation.objects.create(
            relationship_manager=relationship_manager,
            delegate=branch_manager,
            starts_on=datetime.date.today(),
            ends_on=datetime.date.today(),
            reason="Annual leave",
            created_by=branch_manager,
        ),
        ImportJob: ImportJob.objects.create(
            kind="customers",
            file_name="batch.csv",
            content="number,phone\nC1,+8613800135678",
            created_by=administrator,
        ),
    }
    client.force_login(administrator)

    listing = _page(client, _admin_url(model))
    detail = _page(client, _admin_url(model, "change", objects[model].pk))

    assert str(objects[model].pk) in listing or str(objects[model]) in listing
    assert "+8613800135678" not in detail  # an import's content is never shown


def test_exchange_rate_add_page_renders(client, administrator):
    client.force_login(administrator)

    assert "rate" in _page(client, _admin_url(ExchangeRate, "add"))


# --- restriction ----------------------------------------------------------------------------


@pytest.mark.parametrize("model", CUSTOMER_MODELS, ids=lambda model: model.__name__)
def test_the_administrator_sees_no_customer_data_without_a_grant(client, administrator, related, model):
    client.force_login(administrator)
    obj = related[model]

    listing = _page(client, _admin_url(model))
    detail = client.get(_admin_url(model, "change", obj.pk))

    assert related[Customer].number not in listing
    assert detail.status_code == 302  # "does not exist", exactly as for a missing id
    missing = client.get(_admin_url(model, "change", 999999999))
    assert missing.status_code == 302
    assert detail["Location"] == missing["Location"]


def test_an_administrator_with_a_book_grant_sees_that_customer_in_clear(client, administrator, customer):
    permissions.grant_book_permissions(user_id=administrator.pk, customer_ids=[customer.pk])
    client.force_login(administrator)

    detail = _page(client, _admin_url(Customer, "change", customer.pk))
    holdings = _page(client, _admin_url(Holding))

    assert PHONE in detail
    assert ID_NUMBER in detail
    assert "800000.00" in holdings
    assert ACCOUNT in holdings


def test_customer_pages_offer_no_add_change_or_delete(client, staff_compliance, customer):
    client.force_login(staff_compliance)

    assert client.get(_admin_url(Customer, "add")).status_code == 403
    assert client.get(f"/admin/customers/customer/{customer.pk}/delete/").status_code == 403
    detail = _page(client, _admin_url(Customer, "change", customer.pk))
    assert 'name="display_name"' not in detail
    assert 'name="phone"' not in detail


# --- search ---------------------------------------------------------------------------------


def test_search_by_exact_phone_uses_the_blind_index(
    client, staff_compliance, customer, relationship_manager, branch
):
    other = make_individual(
        relationship_manager=relationship_manager, branch=branch, phone="+86 139 0000 0000"
    )
    client.force_login(staff_compliance)

    listing = _page(client, _admin_url(Customer) + "?q=138-0013-5678")

    assert customer.number in listing
    assert other.number not in listing


def test_search_by_email_id_and_number(client, staff_compliance, customer, relationship_manager, branch):
    other = make_individual(relationship_manager=relationship_manager, branch=branch)
    client.force_login(staff_compliance)

    for term in ("ZHANG.WEI@example.cn", "110105-19800101-1234", customer.number):
        listing = _page(client, _admin_url(Customer) + f"?q={term}")
        assert customer.number in listing, term
        assert other.number not in listing, term


def test_search_cannot_find_customers_the_user_may_not_see(client, administrator, customer):
    client.force_login(administrator)

    listing = _page(client, _admin_url(Customer) + "?q=13800135678")

    assert customer.number not in listing


# --- customer actions -----------------------------------------------------------------------


def _action(client, model, action: str, *pks):
    return client.post(
        _admin_url(model), {"action": action, "_selected_action": [str(pk) for pk in pks]}, follow=True
    )


def test_mark_dormant_is_refused_without_the_change_permission_in_clear(client, staff_compliance, customer):
    client.force_login(staff_compliance)

    response = _action(client, Customer, "mark_dormant", customer.pk)

    assert "1 customer was not changed" in response.content.decode()
    customer.refresh_from_db()
    assert customer.status == "active"


def test_mark_dormant_calls_the_service(client, administrator, customer):
    permissions.grant_book_permissions(user_id=administrator.pk, customer_ids=[customer.pk])
    administrator.user_permissions.add(Permission.objects.get(codename=permissions.CHANGE))
    client.force_login(administrator)

    response = _action(client, Customer, "mark_dormant", customer.pk)

    assert "1 customer changed." in response.content.decode()
    customer.refresh_from_db()
    assert customer.status == "dormant"
    event = CustomerEvent.objects.filter(customer=customer, kind="updated").get()
    assert event.actor_id == administrator.pk
    assert event.data == {"fields": ["status"]}


def test_refresh_aum_recomputes_from_holdings(client, staff_compliance, customer):
    Customer.objects.filter(pk=customer.pk).update(aum=Decimal("1.00"))
    client.force_login(staff_compliance)

    _action(client, Customer, "refresh_aum", customer.pk)

    customer.refresh_from_db()
    assert customer.aum == Decimal("800000.00")


def test_ending_a_delegation_goes_through_the_service(
    client, administrator, relationship_manager, branch_manager
):
    delegation = BookDelegation.objects.create(
        relationship_manager=relationship_manager,
        delegate=branch_manager,
        starts_on=datetime.date.today(),
        ends_on=datetime.date.today(),
        reason="Annual leave",
        created_by=branch_manager,
    )
    client.force_login(administrator)

    refused = _action(client, BookDelegation, "end_delegations", delegation.pk)
    delegation.refresh_from_db()
    assert delegation.revoked_at is None
    assert "Only a branch manager may end a delegation." in refused.content.decode()

    administrator.user_permissions.add(Permission.objects.get(codename=permissions.REASSIGN))
    _action(client, BookDelegation, "end_delegations", delegation.pk)
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None


# --- segmentation rules ---------------------------------------------------------------------


def test_the_add_page_creates_a_version_copying_the_active_rules(client, administrator):
    active = SegmentRuleSet.objects.get(is_active=True)
    client.force_login(administrator)

    response = client.post(_admin_url(SegmentRuleSet, "add"), {"note": "Raise the VIP threshold"})

    created = SegmentRuleSet.objects.exclude(pk=active.pk).get()
    assert response.status_code == 302
    assert response["Location"] == _admin_url(SegmentRuleSet, "change", created.pk)
    assert (created.version, created.is_active, created.note, created.created_by_id) == (
        active.version + 1,
        False,
        "Raise the VIP threshold",
        administrator.pk,
    )
    assert list(created.rules.values_list("kind", "segment", "priority", "conditions")) == list(
        active.rules.values_list("kind", "segment", "priority", "conditions")
    )


def test_the_copy_action_creates_a_version_from_the_chosen_one(client, administrator):
    active = SegmentRuleSet.objects.get(is_active=True)
    client.force_login(administrator)

    _action(client, SegmentRuleSet, "create_version", active.pk)

    created = SegmentRuleSet.objects.get(version=active.version + 1)
    assert created.rules.count() == active.rules.count()
    assert AuditEvent.objects.filter(action="config.changed", object_id=str(created.pk)).exists()


def _formset_data(rule_set, changes: dict | None = None) -> dict:
    rules = list(rule_set.rules.order_by("kind", "priority"))
    data = {
        "note": rule_set.note,
        "rules-TOTAL_FORMS": str(len(rules)),
        "rules-INITIAL_FORMS": str(len(rules)),
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
    }
    for index, rule in enumerate(rules):
        prefix = f"rules-{index}-"
        data.update(
            {
                prefix + "id": str(rule.pk),
                prefix + "rule_set": str(rule_set.pk),
                prefix + "kind": rule.kind,
                prefix + "segment": rule.segment,
                prefix + "priority": str(rule.priority),
                prefix + "conditions": json.dumps(rule.conditions),
            }
        )
    for (index, name), value in (changes or {}).items():
        data[f"rules-{index}-{name}"] = value
    return data


def test_rules_of_an_inactive_version_are_edited_inline_and_audited(client, administrator):
    draft = segmentation.segment_rule_set_create_version(actor=administrator)
    client.force_login(administrator)
    # The first rule in (kind, priority) order: corporate, multinational, priority 10.
    conditions = '[{"metric": "countries", "op": ">=", "value": 4}]'

    response = client.post(
        _admin_url(SegmentRuleSet, "change", draft.pk), _formset_data(draft, {(0, "conditions"): conditions})
    )

    assert response.status_code == 302
    rule = draft.rules.get(kind="corporate", priority=10)
    assert rule.conditions == [{"metric": "countries", "op": ">=", "value": "4"}]
    active_rule = SegmentRuleSet.objects.get(is_active=True).rules.get(kind="corporate", priority=10)
    assert len(active_rule.conditions) == 2
    event = AuditEvent.objects.filter(action="config.changed", object_id=str(draft.pk)).latest("sequence")
    assert (event.object_type, event.actor_id, event.extra["change"]) == (
        "customers.segmentruleset",
        administrator.pk,
        "changed",
    )


def test_an_invalid_rule_is_refused_with_the_segmentation_message(client, administrator):
    draft = segmentation.segment_rule_set_create_version(actor=administrator)
    client.force_login(administrator)
    bad = '[{"metric": "altitude", "op": ">=", "value": "1"}]'

    response = client.post(
        _admin_url(SegmentRuleSet, "change", draft.pk), _formset_data(draft, {(0, "conditions"): bad})
    )

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert list(draft.rules.order_by("kind", "priority").values_list("conditions", flat=True)) == list(
        SegmentRuleSet.objects.get(is_active=True)
        .rules.order_by("kind", "priority")
        .values_list("conditions", flat=True)
    )


def test_the_active_versions_rules_are_read_only(client, administrator):
    active = SegmentRuleSet.objects.get(is_active=True)
    client.force_login(administrator)

    page = _page(client, _admin_url(SegmentRuleSet, "change", active.pk))

    assert 'name="rules-0-segment"' not in page
    assert 'name="rules-0-conditions"' not in page
    assert 'name="rules-MAX_NUM_FORMS" value="0"' in page  # no rule can be added


def test_posting_rules_to_the_active_version_changes_nothing(client, administrator):
    active = SegmentRuleSet.objects.get(is_active=True)
    before = list(active.rules.order_by("kind", "priority").values_list("segment", "conditions"))
    client.force_login(administrator)

    client.post(
        _admin_url(SegmentRuleSet, "change", active.pk),
        _formset_data(active, {(0, "conditions"): "[]", (0, "segment"): "sme"}),
    )

    assert list(active.rules.order_by("kind", "priority").values_list("segment", "conditions")) == before


def test_activate_this_version(client, administrator):
    active = SegmentRuleSet.objects.get(is_active=True)
    draft = segmentation.segment_rule_set_create_version(actor=administrator)
    client.force_login(administrator)

    response = _action(client, SegmentRuleSet, "activate_version", draft.pk)

    assert f"Version {draft.version} is now active" in response.content.decode()
    assert list(SegmentRuleSet.objects.filter(is_active=True).values_list("pk", flat=True)) == [draft.pk]
    active.refresh_from_db()
    assert active.is_active is False
    event = AuditEvent.objects.filter(action="config.changed", object_id=str(draft.pk)).latest("sequence")
    assert event.fields == ["is_active"]


def test_activating_an_incomplete_version_is_refused(client, administrator):
    active = SegmentRuleSet.objects.get(is_active=True)
    draft = segmentation.segment_rule_set_create_version(actor=administrator)
    SegmentRule.objects.filter(rule_set=draft, conditions=[]).delete()
    client.force_login(administrator)

    response = _action(client, SegmentRuleSet, "activate_version", draft.pk)

    assert "need exactly one default rule" in response.content.decode()
    assert list(SegmentRuleSet.objects.filter(is_active=True).values_list("pk", flat=True)) == [active.pk]


def test_activate_needs_exactly_one_version(client, administrator):
    active = SegmentRuleSet.objects.get(is_active=True)
    first = segmentation.segment_rule_set_create_version(actor=administrator)
    second = segmentation.segment_rule_set_create_version(actor=administrator)
    client.force_login(administrator)

    response = _action(client, SegmentRuleSet, "activate_version", first.pk, second.pk)

    assert "Choose exactly one version to activate." in response.content.decode()
    assert SegmentRuleSet.objects.get(is_active=True).pk == active.pk


def test_a_user_without_the_configuration_permission_is_not_offered_the_actions(client):
    staff = UserFactory(role=Role.BRANCH_MANAGER, username="staff.viewer", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_segmentruleset"))
    draft = segmentation.segment_rule_set_create_version(
        actor=UserFactory(username="root.config", is_superuser=True, is_staff=True)
    )
    client.force_login(staff)

    page = _page(client, _admin_url(SegmentRuleSet))
    response = _action(client, SegmentRuleSet, "activate_version", draft.pk)

    assert "activate_version" not in page
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.is_active is False


# --- exchange rates -------------------------------------------------------------------------


def test_exchange_rates_are_editable_and_audited(client, administrator):
    client.force_login(administrator)

    response = client.post(
        _admin_url(ExchangeRate, "add"), {"currency": "HKD", "rate": "0.91", "as_of": "2025-01-31"}
    )

    assert response.status_code == 302
    rate = ExchangeRate.objects.get(currency="HKD")
    assert rate.rate == Decimal("0.91")
    event = AuditEvent.objects.filter(action="config.changed", object_type="customers.exchangerate").get()
    assert (event.object_id, event.actor_id, event.extra["change"]) == (
        str(rate.pk),
        administrator.pk,
        "added",
    )


def test_exchange_rate_bad_input_redisplays_the_form(client, administrator):
    client.force_login(administrator)

    response = client.post(
        _admin_url(ExchangeRate, "add"), {"currency": "HKD", "rate": "-1", "as_of": "soon"}
    )

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not ExchangeRate.objects.filter(currency="HKD").exists()
