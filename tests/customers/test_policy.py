"""The customer access policy: who sees which customers, and which fields in clear."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone

from compliance.access import RecordView, get_visible_or_404, may_reveal, restrict, sensitive_fields
from compliance.models import AuditEvent
from crm.roles import Role
from customers import services
from customers.models import Customer, CustomerUserObjectPermission, RevealGrant
from customers.permissions import BOOK_PERMISSIONS, permission_id
from tests.customers.factories import make_individual
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PHONE = "+86 138 0013 5678"
PHONE_SHOWN = "138 0013 5678"  # PHONE in clear, as every surface shows it
EMAIL = "zhang.wei@example.cn"
ID_NUMBER = "110105198001011234"
EVERY_FIELD = frozenset(sensitive_fields(Customer))


@pytest.fixture
def customer(relationship_manager, branch):
    return make_individual(
        relationship_manager=relationship_manager,
        branch=branch,
        phone=PHONE,
        email=EMAIL,
        id_number=ID_NUMBER,
    )


@pytest.fixture
def far_customer(other_relationship_manager, other_branch):
    return make_individual(relationship_manager=other_relationship_manager, branch=other_branch)


def _visible(user):
    return set(restrict(Customer.objects.all(), user).values_list("pk", flat=True))


def _clear(user, customer):
    return RecordView.for_object(user, Customer.objects.get(pk=customer.pk)).clear


def test_assigned_rm_sees_own_book_in_clear(relationship_manager, customer, far_customer):
    assert _visible(relationship_manager) == {customer.pk}
    view = RecordView.for_object(relationship_manager, customer)
    assert view.clear == EVERY_FIELD
    assert view.phone.text == PHONE_SHOWN
    assert view.phone.masked is False


def test_rm_of_another_book_gets_404(other_relationship_manager, customer):
    assert customer.pk not in _visible(other_relationship_manager)
    with pytest.raises(Http404):
        get_visible_or_404(Customer.objects.all(), other_relationship_manager, pk=customer.pk)
    with pytest.raises(Http404):
        get_visible_or_404(Customer.objects.all(), other_relationship_manager, pk=999_999_999)


def test_branch_roles_see_their_branch_masked(branch_manager, branch_staff, customer, far_customer):
    for user in (branch_manager, branch_staff):
        assert _visible(user) == {customer.pk}
        view = RecordView.for_object(user, customer)
        assert view.clear == frozenset()
        assert view.phone.text == "138****5678"
        assert view.phone.masked is True
        assert view.email.text == "z***@example.cn"
        assert view.id_number.text == "****1234"


def test_compliance_officer_sees_all_masked(compliance_officer, customer, far_customer):
    assert _visible(compliance_officer) == {customer.pk, far_customer.pk}
    assert _clear(compliance_officer, customer) == frozenset()


def test_service_account_sees_all_in_clear(service_account, customer, far_customer):
    assert _visible(service_account) == {customer.pk, far_customer.pk}
    assert _clear(service_account, customer) == EVERY_FIELD


def test_superuser_gets_no_customer_data_without_a_grant(administrator, customer):
    assert _visible(administrator) == set()


def test_anonymous_and_inactive_users_see_nothing(relationship_manager, customer):
    from django.contrib.auth.models import AnonymousUser

    assert _visible(AnonymousUser()) == set()
    relationship_manager.is_active = False
    relationship_manager.save(update_fields=["is_active"])
    relationship_manager = type(relationship_manager).objects.get(pk=relationship_manager.pk)
    assert _visible(relationship_manager) == set()


def test_compliance_reveal_shows_named_fields_until_expiry(compliance_officer, customer):
    grant = services.customer_reveal(
        actor=compliance_officer,
        customer=customer,
        fields=["phone"],
        purpose="Complaint investigation CMP-1",
        minutes=15,
    )

    view = RecordView.for_object(compliance_officer, customer)
    assert view.clear == frozenset({"phone"})
    assert view.phone.text == PHONE_SHOWN
    assert view.email.masked is True
    event = AuditEvent.objects.get(action="pii.reveal_granted")
    assert event.fields == ["phone"]
    assert event.purpose == "Complaint investigation CMP-1"
    assert event.object_id == str(customer.pk)

    RevealGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    next_request_user = type(compliance_officer).objects.get(pk=compliance_officer.pk)
    assert _clear(next_request_user, customer) == frozenset()


def test_reveal_needs_a_purpose_and_known_fields(compliance_officer, customer):
    with pytest.raises(ValidationError) as raised:
        services.customer_reveal(
            actor=compliance_officer, customer=customer, fields=["salary"], purpose="  ", minutes=90
        )

    assert set(raised.value.message_dict) == {"fields", "purpose", "minutes"}
    assert RevealGrant.objects.count() == 0
    assert not AuditEvent.objects.filter(action="pii.reveal_granted").exists()


def test_branch_manager_reveals_only_in_own_branch(branch_manager, customer, far_customer):
    assert may_reveal(branch_manager, customer) is True
    assert may_reveal(branch_manager, far_customer) is False
    with pytest.raises(PermissionDenied):
        services.customer_reveal(
            actor=branch_manager,
            customer=far_customer,
            fields=["phone"],
            purpose="Covering for an absent colleague",
        )
    assert RevealGrant.objects.count() == 0


def test_rm_and_staff_may_not_reveal(relationship_manager, branch_staff, far_customer, customer):
    assert may_reveal(branch_staff, customer) is False
    assert may_reveal(relationship_manager, far_customer) is False


def test_reassignment_moves_book_permissions_in_one_transaction(
    branch_manager, relationship_manager, branch, customer
):
    colleague = UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=branch, username="rm.two")

    result = services.customer_reassign(
        actor=branch_manager, customer=customer, relationship_manager=colleague
    )

    assert (result.moved, result.unchanged) == (1, 0)
    assert _visible(relationship_manager) == set()
    assert _visible(colleague) == {customer.pk}
    assert _clear(colleague, customer) == EVERY_FIELD
    customer.refresh_from_db()
    assert customer.relationship_manager == colleague
    assert customer.history.filter(kind="reassigned").count() == 1
    assert list(
        AuditEvent.objects.filter(action="customer.reassigned").values_list("object_id", flat=True)
    ) == [str(customer.pk)]
    assert AuditEvent.objects.filter(action="permission.granted", object_id=str(colleague.pk)).exists()
    assert AuditEvent.objects.filter(
        action="permission.revoked", object_id=str(relationship_manager.pk)
    ).exists()


def test_reassignment_refused_changes_nothing(
    relationship_manager, branch, customer, other_branch, branch_manager, other_relationship_manager
):
    colleague = UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=branch, username="rm.two")
    far_customer = make_individual(relationship_manager=other_relationship_manager, branch=other_branch)

    with pytest.raises(PermissionDenied):
        services.customer_reassign(
            actor=relationship_manager, customer=customer, relationship_manager=colleague
        )
    with pytest.raises(PermissionDenied):
        services.customer_reassign(
            actor=branch_manager, customer=far_customer, relationship_manager=colleague
        )
    with pytest.raises(ValidationError):
        services.customer_reassign(
            actor=branch_manager, customer=customer, relationship_manager=branch_manager
        )

    assert _visible(relationship_manager) == {customer.pk}
    assert CustomerUserObjectPermission.objects.filter(user=colleague).count() == 0
    assert not AuditEvent.objects.filter(action="customer.reassigned").exists()


def test_book_reassignment_moves_every_customer(branch_manager, relationship_manager, branch):
    colleague = UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=branch, username="rm.two")
    customers = [make_individual(relationship_manager=relationship_manager, branch=branch) for _ in range(3)]

    result = services.book_reassign(
        actor=branch_manager, from_manager=relationship_manager, to_manager=colleague
    )

    assert result.moved == 3
    assert _visible(colleague) == {customer.pk for customer in customers}
    assert CustomerUserObjectPermission.objects.filter(user=colleague).count() == 3 * len(BOOK_PERMISSIONS)
    assert CustomerUserObjectPermission.objects.filter(user=relationship_manager).count() == 0


def test_delegation_covers_a_book_for_its_dates_only(branch_manager, relationship_manager, branch, customer):
    colleague = UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=branch, username="rm.two")
    today = timezone.localdate()
    delegation = services.delegation_create(
        actor=branch_manager,
        relationship_manager=relationship_manager,
        delegate=colleague,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=7),
        reason="Annual leave",
    )
    colleague = type(colleague).objects.get(pk=colleague.pk)

    assert _visible(colleague) == {customer.pk}
    assert _clear(colleague, customer) == EVERY_FIELD

    type(delegation).objects.filter(pk=delegation.pk).update(
        starts_on=today - datetime.timedelta(days=10), ends_on=today - datetime.timedelta(days=1)
    )
    colleague = type(colleague).objects.get(pk=colleague.pk)
    assert _visible(colleague) == set()
    assert AuditEvent.objects.filter(action="delegation.created").count() == 1


def test_delegation_refused_for_rm(relationship_manager, branch):
    colleague = UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=branch, username="rm.two")
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.delegation_create(
            actor=relationship_manager,
            relationship_manager=relationship_manager,
            delegate=colleague,
            starts_on=today,
            ends_on=today,
            reason="Leave",
        )


def test_encrypted_columns_hold_no_plaintext(customer):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone, email, id_number, address, phone_index FROM customers_customer WHERE id = %s",
            [customer.pk],
        )
        row = cursor.fetchone()
        cursor.execute(
            "SELECT date_of_birth, annual_income FROM customers_individualprofile WHERE customer_id = %s",
            [customer.pk],
        )
        profile_row = cursor.fetchone()
    stored = " ".join(str(value) for value in (*row, *profile_row))
    for plaintext in (PHONE_SHOWN, "13800135678", EMAIL, ID_NUMBER, "5678", "1980-01", "250000"):
        assert plaintext not in stored
    assert all(str(value).startswith("v2:") for value in (*row[:4], *profile_row))


def test_audit_events_carry_no_values(relationship_manager, customer):
    services.customer_update(
        actor=relationship_manager, customer=customer, fields={"phone": "+86 139 0000 1111"}
    )

    event = AuditEvent.objects.get(action="customer.updated")
    assert event.fields == ["phone"]
    everything = " ".join(
        str(value) for value in AuditEvent.objects.values_list("fields", "extra", "purpose", "object_id")
    )
    for plaintext in ("13900001111", "139 0000", PHONE_SHOWN, EMAIL, ID_NUMBER):
        assert plaintext not in everything


def test_update_refuses_unknown_fields_and_keeps_data(relationship_manager, customer):
    with pytest.raises(ValidationError) as raised:
        services.customer_update(
            actor=relationship_manager,
            customer=customer,
            fields={"number": "C1", "phone": "+86 139 0000 1111"},
        )

    assert "number" in raised.value.message_dict
    assert Customer.objects.get(pk=customer.pk).phone == PHONE


def test_permission_ids_resolve():
    assert permission_id("view_customer") != permission_id("view_customer_pii")


def test_a_branch_manager_without_grants_is_restricted_to_the_branch_alone(
    branch_manager, branch, other_branch, relationship_manager, other_relationship_manager
):
    from customers import permissions

    own = make_individual(branch=branch, relationship_manager=relationship_manager)
    elsewhere = make_individual(branch=other_branch, relationship_manager=other_relationship_manager)
    restricted = restrict(Customer.objects.all(), branch_manager)

    assert list(restricted) == [own]
    assert "customers_customeruserobjectpermission" not in str(restricted.query)

    permissions.grant_book_permissions(user_id=branch_manager.pk, customer_ids=[elsewhere.pk])
    permissions.forget_access(branch_manager)

    assert set(restrict(Customer.objects.all(), branch_manager)) == {own, elsewhere}


def test_a_name_found_by_prefix_is_listed_by_its_search_form_then_display_name(branch_manager, branch):
    from customers.selectors import customer_search

    for name in ("Wang Zhen", "WANG Ai", "wang bo"):
        given, family = name.split(" ")[1], name.split(" ")[0]
        make_individual(branch=branch, given_name=given, family_name=family)

    found = customer_search(actor=branch_manager, term="wang")

    assert [customer.search_name for customer in found] == sorted(c.search_name for c in found)
    assert found.query.order_by[0] == "search_name"
