"""Reference-data services: exchange rates saved, validated and audited once."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from compliance.models import AuditEvent
from customers import reference_data
from customers.models import ExchangeRate

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 1, 31)


def rate_events():
    return AuditEvent.objects.filter(action="config.changed", object_type="customers.exchangerate")


def test_adding_a_rate_saves_it_and_writes_one_audit_event(administrator):
    rate = reference_data.exchange_rate_save(actor=administrator, currency=" hkd ", rate=Decimal("0.91"),
                                             as_of=DAY)

    assert ExchangeRate.objects.values_list("currency", "rate", "as_of").get(pk=rate.pk) == (
        "HKD", Decimal("0.91"), DAY)
    event = rate_events().get()
    assert (event.object_id, event.actor_id, event.fields, event.extra) == (
        str(rate.pk), administrator.pk, ["as_of", "currency", "rate"], {"change": "added", "currency": "HKD"})


def test_changing_a_rate_audits_the_fields_that_changed(administrator):
    rate = ExchangeRate.objects.create(currency="USD", rate=Decimal("7.1"), as_of=DAY)

    reference_data.exchange_rate_save(actor=administrator, exchange_rate=rate, currency="USD",
                                      rate=Decimal("7.2"), as_of=DAY)

    assert ExchangeRate.objects.get(pk=rate.pk).rate == Decimal("7.2")
    event = rate_events().get()
    assert (event.fields, event.extra) == (["rate"], {"change": "changed", "currency": "USD"})


def test_an_unchanged_rate_writes_nothing(administrator):
    rate = ExchangeRate.objects.create(currency="USD", rate=Decimal("7.1"), as_of=DAY)

    reference_data.exchange_rate_save(actor=administrator, exchange_rate=rate, currency="USD",
                                      rate=Decimal("7.1"), as_of=DAY)

    assert not rate_events().exists()


@pytest.mark.parametrize("rate", [Decimal("0"), Decimal("-1")])
def test_a_rate_that_is_not_positive_is_refused_and_saves_nothing(administrator, rate):
    with pytest.raises(ValidationError) as raised:
        reference_data.exchange_rate_save(actor=administrator, currency="HKD", rate=rate, as_of=DAY)

    assert list(raised.value.message_dict) == ["rate"]
    assert not ExchangeRate.objects.exists()
    assert not rate_events().exists()


def test_a_second_rate_for_a_currency_is_refused(administrator):
    ExchangeRate.objects.create(currency="USD", rate=Decimal("7.1"), as_of=DAY)

    with pytest.raises(ValidationError) as raised:
        reference_data.exchange_rate_save(actor=administrator, currency="usd", rate=Decimal("7.3"), as_of=DAY)

    assert list(raised.value.message_dict) == ["currency"]
    assert ExchangeRate.objects.get().rate == Decimal("7.1")


def test_staff_without_the_permission_change_nothing(branch_manager):
    rate = ExchangeRate.objects.create(currency="USD", rate=Decimal("7.1"), as_of=DAY)

    with pytest.raises(PermissionDenied):
        reference_data.exchange_rate_save(actor=branch_manager, currency="HKD", rate=Decimal("0.9"),
                                          as_of=DAY)
    with pytest.raises(PermissionDenied):
        reference_data.exchange_rate_save(actor=branch_manager, exchange_rate=rate, currency="USD",
                                          rate=Decimal("9"), as_of=DAY)

    assert list(ExchangeRate.objects.values_list("currency", "rate")) == [("USD", Decimal("7.1"))]
    assert not rate_events().exists()
