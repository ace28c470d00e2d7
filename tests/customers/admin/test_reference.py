"""Admin of reference data: pages render; exchange rates are saved through their service."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission

from compliance.models import AuditEvent
from customers.models import (
    BookDelegation,
    ExchangeRate,
    ImportJob,
    SegmentRuleSet,
)
from tests.customers.admin.helpers import (
    admin_url,
    page,
)

pytestmark = pytest.mark.django_db


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

    listing = page(client, admin_url(model))
    detail = page(client, admin_url(model, "change", objects[model].pk))

    assert str(objects[model].pk) in listing or str(objects[model]) in listing
    assert "+8613800135678" not in detail  # an import's content is never shown


def test_exchange_rate_add_page_renders(client, administrator):
    client.force_login(administrator)

    assert "rate" in page(client, admin_url(ExchangeRate, "add"))


# --- exchange rates -------------------------------------------------------------------------


def test_exchange_rates_are_editable_and_audited(client, administrator):
    client.force_login(administrator)

    response = client.post(
        admin_url(ExchangeRate, "add"), {"currency": "HKD", "rate": "0.91", "as_of": "2025-01-31"}
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
    assert event.fields == ["as_of", "currency", "rate"]
    # audited once, by the service: the page writes no admin log entry of its own
    assert AuditEvent.objects.filter(action="config.changed").count() == 1
    assert not LogEntry.objects.exists()


def test_changing_a_rate_goes_through_the_service(client, administrator):
    rate = ExchangeRate.objects.create(currency="USD", rate=Decimal("7.1"), as_of=datetime.date(2025, 1, 1))
    client.force_login(administrator)

    response = client.post(
        admin_url(ExchangeRate, "change", rate.pk), {"currency": "USD", "rate": "7.25", "as_of": "2025-01-01"}
    )

    assert response.status_code == 302
    assert ExchangeRate.objects.get(pk=rate.pk).rate == Decimal("7.25")
    event = AuditEvent.objects.filter(action="config.changed").get()
    assert (event.object_id, event.fields, event.extra) == (
        str(rate.pk), ["rate"], {"change": "changed", "currency": "USD"})


def test_a_user_without_the_permission_cannot_save_a_rate(client, branch_manager):
    branch_manager.is_staff = True
    branch_manager.save(update_fields=["is_staff"])
    branch_manager.user_permissions.add(Permission.objects.get(codename="view_exchangerate"))
    client.force_login(branch_manager)

    response = client.post(
        admin_url(ExchangeRate, "add"), {"currency": "HKD", "rate": "0.91", "as_of": "2025-01-31"}
    )

    assert response.status_code == 403
    assert not ExchangeRate.objects.exists()
    assert not AuditEvent.objects.filter(action="config.changed").exists()


def test_exchange_rate_bad_input_redisplays_the_form(client, administrator):
    client.force_login(administrator)

    response = client.post(
        admin_url(ExchangeRate, "add"), {"currency": "HKD", "rate": "-1", "as_of": "soon"}
    )

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not ExchangeRate.objects.filter(currency="HKD").exists()
