"""Admin of customers and their rows: restricted and masked by the policy, searched through
the blind index, actions through the services."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from customers import permissions
from customers.models import (
    Customer,
    CustomerEvent,
    Holding,
    Interaction,
    Need,
    SegmentOverride,
)
from tests.customers.admin.helpers import (
    ACCOUNT,
    ADDRESS,
    CLEAR_VALUES,
    CUSTOMER_MODELS,
    EMAIL,
    ID_NUMBER,
    NOTE,
    PHONE_SHOWN,
    REASON,
    SUMMARY,
    admin_url,
    page,
    post_action,
)
from tests.customers.factories import make_individual

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", CUSTOMER_MODELS, ids=lambda model: model.__name__)
def test_customer_pages_render_masked_for_a_compliance_officer(client, staff_compliance, related, model):
    client.force_login(staff_compliance)
    obj = related[model]

    listing = page(client, admin_url(model))
    detail = page(client, admin_url(model, "change", obj.pk))

    assert str(obj.pk) in listing or str(obj) in listing
    for value in CLEAR_VALUES:
        # A compliance officer sees customers masked; the reveal grant is for the portal page.
        if model is not Customer:
            assert value not in listing
        assert value not in detail or (value == PHONE_SHOWN and model is Customer)


@pytest.mark.parametrize(
    ("model", "masked"),
    [
        (Holding, "****4321 (masked)"),
        (Need, "**** (masked)"),
        (Interaction, "**** (masked)"),
        (SegmentOverride, "**** (masked)"),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_child_records_show_their_own_fields_through_the_trust_layer(
    client, staff_compliance, related, model, masked
):
    client.force_login(staff_compliance)

    detail = page(client, admin_url(model, "change", related[model].pk))

    assert masked in detail


CHILD_MODELS = [Holding, Need, Interaction, SegmentOverride]


@pytest.mark.parametrize("model", CHILD_MODELS, ids=lambda model: model.__name__)
def test_child_records_are_clear_for_a_user_who_sees_the_customer_in_clear(client, administrator, related,
                                                                             model):
    permissions.grant_book_permissions(user_id=administrator.pk, customer_ids=[related[Customer].pk])
    client.force_login(administrator)

    detail = page(client, admin_url(model, "change", related[model].pk))

    clear = {Holding: ACCOUNT, Need: NOTE, Interaction: SUMMARY, SegmentOverride: REASON}[model]
    assert clear in detail
    assert "(masked)" not in detail


def test_a_reveal_grant_shows_only_its_field_in_clear(client, staff_compliance, related):
    client.force_login(staff_compliance)

    detail = page(client, admin_url(Customer, "change", related[Customer].pk))

    assert PHONE_SHOWN in detail
    for value in (EMAIL, ID_NUMBER, ADDRESS, "1980-01-01", "250000.00", "800000.00"):
        assert value not in detail
    assert "z***@example.cn (masked)" in detail
    assert "****1234 (masked)" in detail
    assert "****-**-** (masked)" in detail


def test_changelist_shows_a_masked_phone(client, staff_compliance, relationship_manager, branch):
    make_individual(relationship_manager=relationship_manager, branch=branch, phone="+86 139 1111 2222")
    client.force_login(staff_compliance)

    listing = page(client, admin_url(Customer))

    assert "139****2222 (masked)" in listing
    assert "13911112222" not in listing


# --- restriction ----------------------------------------------------------------------------


@pytest.mark.parametrize("model", CUSTOMER_MODELS, ids=lambda model: model.__name__)
def test_the_administrator_sees_no_customer_data_without_a_grant(client, administrator, related, model):
    client.force_login(administrator)
    obj = related[model]

    listing = page(client, admin_url(model))
    detail = client.get(admin_url(model, "change", obj.pk))

    assert related[Customer].number not in listing
    assert detail.status_code == 404  # exactly as for a missing id
    missing = client.get(admin_url(model, "change", 999999999))
    assert missing.status_code == 404
    assert related[Customer].number not in detail.content.decode()


def test_an_administrator_with_a_book_grant_sees_that_customer_in_clear(client, administrator, customer):
    permissions.grant_book_permissions(user_id=administrator.pk, customer_ids=[customer.pk])
    client.force_login(administrator)

    detail = page(client, admin_url(Customer, "change", customer.pk))
    holdings = page(client, admin_url(Holding))

    assert PHONE_SHOWN in detail
    assert ID_NUMBER in detail
    assert "800000.00" in holdings
    assert ACCOUNT in holdings


def test_customer_pages_offer_no_add_change_or_delete(client, staff_compliance, customer):
    client.force_login(staff_compliance)

    assert client.get(admin_url(Customer, "add")).status_code == 403
    assert client.get(f"/admin/customers/customer/{customer.pk}/delete/").status_code == 403
    detail = page(client, admin_url(Customer, "change", customer.pk))
    assert 'name="display_name"' not in detail
    assert 'name="phone"' not in detail


# --- search ---------------------------------------------------------------------------------


def search(client, term: str) -> str:
    """Search with the change list's search box (it posts; see test_admin_search.py)."""
    response = client.post(admin_url(Customer) + "search/", {"q": term}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_search_by_exact_phone_uses_the_blind_index(
    client, staff_compliance, customer, relationship_manager, branch
):
    other = make_individual(
        relationship_manager=relationship_manager, branch=branch, phone="+86 139 0000 0000"
    )
    client.force_login(staff_compliance)

    listing = search(client, "138-0013-5678")

    assert customer.number in listing
    assert other.number not in listing


def test_search_by_email_id_and_number(client, staff_compliance, customer, relationship_manager, branch):
    other = make_individual(relationship_manager=relationship_manager, branch=branch)
    client.force_login(staff_compliance)

    for term in ("ZHANG.WEI@example.cn", "110105-19800101-1234", customer.number):
        listing = search(client, term)
        assert customer.number in listing, term
        assert other.number not in listing, term


def test_search_cannot_find_customers_the_user_may_not_see(client, administrator, customer):
    client.force_login(administrator)

    listing = search(client, "13800135678")

    assert customer.number not in listing


def test_mark_dormant_is_refused_without_the_change_permission_in_clear(client, staff_compliance, customer):
    client.force_login(staff_compliance)

    response = post_action(client, Customer, "mark_dormant", customer.pk)

    assert "1 customer was not changed" in response.content.decode()
    customer.refresh_from_db()
    assert customer.status == "active"


def test_mark_dormant_calls_the_service(client, administrator, customer):
    permissions.grant_book_permissions(user_id=administrator.pk, customer_ids=[customer.pk])
    administrator.user_permissions.add(Permission.objects.get(codename=permissions.CHANGE))
    client.force_login(administrator)

    response = post_action(client, Customer, "mark_dormant", customer.pk)

    assert "1 customer changed." in response.content.decode()
    customer.refresh_from_db()
    assert customer.status == "dormant"
    event = CustomerEvent.objects.filter(customer=customer, kind="updated").get()
    assert event.actor_id == administrator.pk
    assert event.data == {"fields": ["status"]}


def test_refresh_aum_recomputes_from_holdings(client, branch_manager, customer):
    # Recomputing stores a new AUM figure on the customer: a change, which the branch manager
    # may make for the branch's customers.
    branch_manager.is_staff = True
    branch_manager.save(update_fields=["is_staff"])
    branch_manager.user_permissions.add(Permission.objects.get(codename="view_customer"))
    Customer.objects.filter(pk=customer.pk).update(aum=Decimal("1.00"))
    client.force_login(branch_manager)

    response = post_action(client, Customer, "refresh_aum", customer.pk)

    assert "1 customer updated." in response.content.decode()
    customer.refresh_from_db()
    assert customer.aum == Decimal("800000.00")


def test_refresh_aum_leaves_customers_the_user_may_not_change(client, staff_compliance, customer):
    Customer.objects.filter(pk=customer.pk).update(aum=Decimal("1.00"))
    client.force_login(staff_compliance)

    response = post_action(client, Customer, "refresh_aum", customer.pk)

    assert "1 customer was not changed: you may not change this customer&#x27;s details." in (
        response.content.decode())
    customer.refresh_from_db()
    assert customer.aum == Decimal("1.00")
