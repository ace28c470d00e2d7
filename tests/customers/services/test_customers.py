"""customers.services.customers: create with its branch and book rules, and the upsert by
core-banking reference (one and many), including two upserts of one reference at once."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from compliance.models import AuditEvent
from customers import permissions, services
from customers.models import Customer, CustomerEvent, IndividualProfile

pytestmark = pytest.mark.django_db


def _values(branch, **overrides) -> dict:
    values = {
        "kind": "individual",
        "home_branch": branch,
        "phone": "+8613800138000",
        "profile": {"given_name": "Na", "family_name": "Li"},
    }
    values.update(overrides)
    return values


def test_a_relationship_managers_new_customer_joins_their_book(relationship_manager, branch):
    customer = services.customer_create(
        actor=relationship_manager, kind="individual", home_branch=branch,
        profile={"given_name": "Na", "family_name": "Li"},
    )

    assert customer.relationship_manager_id == relationship_manager.pk
    assert permissions.allows(relationship_manager, permissions.CustomerAction.VIEW_CLEAR, customer)
    assert customer.display_name == "Li Na"


def test_create_in_a_branch_the_actor_may_not_add_to_is_a_branch_error(branch_staff, other_branch):
    with pytest.raises(ValidationError) as raised:
        services.customer_create(
            actor=branch_staff, kind="individual", home_branch=other_branch,
            profile={"given_name": "Na", "family_name": "Li"},
        )

    assert list(raised.value.message_dict) == ["home_branch"]
    assert Customer.objects.count() == 0


def test_create_by_someone_who_adds_no_customers_is_refused(compliance_officer, branch):
    with pytest.raises(PermissionDenied):
        services.customer_create(
            actor=compliance_officer, kind="individual", home_branch=branch,
            profile={"given_name": "Na", "family_name": "Li"},
        )

    assert Customer.objects.count() == 0
    assert not AuditEvent.objects.filter(action="customer.created").exists()


def test_upsert_creates_then_updates_the_same_customer(service_account, branch):
    created, was_created = services.customer_upsert_by_reference(
        actor=service_account, external_reference="CB-1", values=_values(branch)
    )
    updated, again = services.customer_upsert_by_reference(
        actor=service_account, external_reference="CB-1",
        values=_values(branch, profile={"given_name": "Na", "family_name": "Wang"}),
    )

    assert (was_created, again) == (True, False)
    assert updated.pk == created.pk
    assert Customer.objects.count() == 1
    assert IndividualProfile.objects.get(customer=created).family_name == "Wang"
    assert Customer.objects.get().external_reference == "CB-1"
    actions = list(
        AuditEvent.objects.filter(object_id=str(created.pk), action__startswith="customer.")
        .order_by("sequence").values_list("action", flat=True)
    )
    assert actions == ["customer.created", "customer.updated"]


def test_upsert_of_the_same_values_changes_nothing(service_account, branch):
    customer, _created = services.customer_upsert_by_reference(
        actor=service_account, external_reference="CB-2", values=_values(branch)
    )
    events = CustomerEvent.objects.filter(customer=customer).count()

    again, created = services.customer_upsert_by_reference(
        actor=service_account, external_reference="CB-2", values=_values(branch)
    )

    assert (again.pk, created) == (customer.pk, False)
    assert CustomerEvent.objects.filter(customer=customer).count() == events


def test_upsert_refuses_a_change_of_kind_manager_or_segment_and_changes_nothing(
    service_account, branch, relationship_manager, other_relationship_manager
):
    customer, _created = services.customer_upsert_by_reference(
        actor=service_account, external_reference="CB-3",
        values=_values(branch, relationship_manager=relationship_manager),
    )

    with pytest.raises(ValidationError) as raised:
        services.customer_upsert_by_reference(
            actor=service_account, external_reference="CB-3",
            values=_values(
                branch, kind="corporate", relationship_manager=other_relationship_manager,
                segment="private", phone="+8613900139000",
            ),
        )

    assert set(raised.value.message_dict) == {"kind", "relationship_manager", "segment"}
    fresh = Customer.objects.get(pk=customer.pk)
    assert (fresh.kind, fresh.relationship_manager_id, fresh.phone) == (
        "individual", relationship_manager.pk, "+8613800138000"
    )


def test_upsert_refuses_a_key_it_does_not_know(service_account, branch):
    with pytest.raises(ValidationError) as raised:
        services.customer_upsert_by_reference(
            actor=service_account, external_reference="CB-4", values=_values(branch, aum="1")
        )

    assert list(raised.value.message_dict) == ["aum"]
    assert Customer.objects.count() == 0


@pytest.mark.parametrize("caller", ["relationship_manager", "branch_manager", "compliance_officer"])
def test_upsert_is_core_bankings_door_only(request, caller, branch):
    with pytest.raises(PermissionDenied):
        services.customer_upsert_by_reference(
            actor=request.getfixturevalue(caller), external_reference="CB-5", values=_values(branch)
        )

    assert Customer.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_upserts_of_one_reference_create_one_customer(service_account, branch):
    barrier = threading.Barrier(2)
    results, errors = [], []

    def upsert():
        try:
            barrier.wait()
            results.append(services.customer_upsert_by_reference(
                actor=service_account, external_reference="CB-RACE", values=_values(branch)
            ))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=upsert) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(created for _customer, created in results) == [False, True]
    assert Customer.objects.filter(external_reference="CB-RACE").count() == 1
