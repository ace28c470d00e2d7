"""customers.services.interactions: logging interactions (idempotent by channel reference,
also when two channels race) and recording needs."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from customers import services
from customers.models import Customer, Interaction, Need
from tests.customers.factories import make_individual, make_interaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(relationship_manager, branch):
    return make_individual(relationship_manager=relationship_manager, branch=branch)


def _log(actor, customer, reference, **overrides):
    values = {"channel": "mobile_app", "interaction_type": "transaction", "summary": "Transfer confirmed",
              "system": "mobile-banking"}
    values.update(overrides)
    return services.interaction_log_by_reference(
        actor=actor, customer=customer, external_reference=reference, **values
    )


def test_a_reference_logs_once_and_a_retry_returns_the_first(service_account, customer):
    first, created = _log(service_account, customer, "APP-1")
    again, created_again = _log(service_account, customer, "APP-1", summary="Sent twice")

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Interaction.objects.get().summary == "Transfer confirmed"
    assert Customer.objects.get(pk=customer.pk).last_contact_at == first.occurred_at


def test_without_a_reference_every_call_logs(service_account, customer):
    _log(service_account, customer, None)
    _log(service_account, customer, None)

    assert Interaction.objects.count() == 2


def test_a_reference_used_in_a_book_the_actor_cannot_see_gets_the_same_neutral_error(
    relationship_manager, customer, other_relationship_manager, other_branch, branch
):
    hidden = make_individual(relationship_manager=other_relationship_manager, branch=other_branch)
    visible = make_individual(relationship_manager=relationship_manager, branch=branch)
    make_interaction(hidden, external_reference="APP-H", system="app")
    make_interaction(visible, external_reference="APP-V", system="app")

    messages = []
    for reference in ("APP-H", "APP-V"):
        with pytest.raises(ValidationError) as raised:
            _log(relationship_manager, customer, reference, system="")  # a person names themself
        messages.append(raised.value.message_dict)

    assert messages[0] == messages[1]
    assert list(messages[0]) == ["external_reference"]
    assert Interaction.objects.count() == 2


def test_a_refused_caller_logs_nothing(compliance_officer, customer):
    with pytest.raises(PermissionDenied):
        _log(compliance_officer, customer, "APP-2")

    assert not Interaction.objects.exists()
    assert Customer.objects.get(pk=customer.pk).last_contact_at is None


@pytest.mark.django_db(transaction=True)
def test_two_channels_racing_on_one_reference_log_one_interaction(service_account, customer):
    barrier = threading.Barrier(2)
    results, errors = [], []

    def log():
        try:
            barrier.wait()
            results.append(_log(service_account, customer, "APP-RACE"))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=log) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(created for _interaction, created in results) == [False, True]
    assert len({interaction.pk for interaction, _created in results}) == 1
    assert Interaction.objects.filter(external_reference="APP-RACE").count() == 1


def test_a_need_outside_the_catalogue_of_the_kind_is_refused(relationship_manager, customer):
    with pytest.raises(ValidationError) as raised:
        services.need_record(actor=relationship_manager, customer=customer, need_type="trade_finance")

    assert list(raised.value.message_dict) == ["need_type"]
    assert not Need.objects.exists()


def test_a_need_is_recorded_by_the_actor(relationship_manager, customer):
    need = services.need_record(
        actor=relationship_manager, customer=customer, need_type="wealth_growth", note="Prefers funds"
    )

    assert (need.recorded_by_id, Need.objects.get().note) == (relationship_manager.pk, "Prefers funds")
