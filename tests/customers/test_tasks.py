"""Celery tasks of the customers app, run eagerly end to end."""

from __future__ import annotations

import datetime
import importlib
import logging
from decimal import Decimal

import pytest
from celery.schedules import crontab
from django.apps import apps as django_apps
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from crm.celery import app as celery_app
from customers import segmentation, tasks
from customers.models import Customer, CustomerEvent, CustomerEventKind, Holding, SegmentRuleSet
from customers.segmentation import recompute
from tests.customers.factories import make_corporate, make_holding, make_individual

default_rules_migration = importlib.import_module("customers.migrations.0003_default_segment_rules")

REASON = "Relationship review pending with head office"


@pytest.fixture
def default_rules(db):
    if not SegmentRuleSet.objects.filter(version=1, note=default_rules_migration.NOTE).exists():
        SegmentRuleSet.objects.filter(is_active=True).update(is_active=False)
        SegmentRuleSet.objects.filter(version=1).delete()
        default_rules_migration.create_default_rules(django_apps, None)
    SegmentRuleSet.objects.exclude(version=1).update(is_active=False)
    SegmentRuleSet.objects.filter(version=1).update(is_active=True)
    return SegmentRuleSet.objects.get(version=1)


def segments(*customers):
    return [Customer.objects.values_list("segment", flat=True).get(pk=c.pk) for c in customers]


def test_tasks_are_registered_acknowledged_late_and_scheduled_at_night():
    for name in ("customers.tasks.refresh_aum", "customers.tasks.recompute_segments"):
        assert name in celery_app.tasks
        assert celery_app.tasks[name].acks_late is True
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["customers-refresh-aum"]["task"] == "customers.tasks.refresh_aum"
    assert schedule["customers-refresh-aum"]["schedule"] == crontab(hour=1, minute=30)
    assert schedule["customers-recompute-segments"]["task"] == "customers.tasks.recompute_segments"
    assert schedule["customers-recompute-segments"]["schedule"] == crontab(hour=2, minute=0)
    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE  # 02:00 is bank time


@pytest.mark.django_db
def test_nightly_run_end_to_end(branch, branch_manager, default_rules):
    # given holdings changed in core banking without the AUM being refreshed yet
    rising = make_individual(branch=branch)
    holding = make_holding(rising, balance=Decimal("100000"))
    Holding.objects.filter(pk=holding.pk).update(balance=Decimal("6500000"))
    company = make_corporate(branch=branch, employees=1800)
    overridden = make_individual(branch=branch)
    override = segmentation.segment_override_set(
        actor=branch_manager, customer=overridden, segment="private", reason=REASON,
        expires_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    override.__class__.objects.filter(pk=override.pk).update(
        expires_on=timezone.localdate() - datetime.timedelta(days=1))
    # when the night's tasks run in order
    refreshed = tasks.refresh_aum.delay().get()
    outcome = tasks.recompute_segments.delay().get()
    # then
    assert refreshed == 1
    assert Customer.objects.get(pk=rising.pk).aum == Decimal("6500000.00")
    assert segments(rising, company, overridden) == ["private", "large", "mass"]
    assert outcome == {"expired_overrides": 1, "version": 1, "batches": 1, "scanned": 3, "overridden": 0,
                       "updated": 3, "segment_changes": 3, "upgraded": 2, "downgraded": 1}
    assert sorted(CustomerEvent.objects.filter(kind=CustomerEventKind.SEGMENT_CHANGED)
                  .values_list("customer_id", "data__direction")) == sorted(
        [(rising.pk, "up"), (company.pk, "up"), (overridden.pk, "down")])


@pytest.mark.django_db
def test_running_the_tasks_twice_changes_nothing(branch, default_rules):
    make_holding(make_individual(branch=branch), balance=Decimal("700000"))
    tasks.refresh_aum.delay().get()
    tasks.recompute_segments.delay().get()
    events = CustomerEvent.objects.count()
    # when
    assert tasks.refresh_aum.delay().get() == 0
    outcome = tasks.recompute_segments.delay().get()
    # then
    assert (outcome["expired_overrides"], outcome["updated"], outcome["segment_changes"]) == (0, 0, 0)
    assert CustomerEvent.objects.count() == events


@pytest.mark.django_db
def test_a_failing_batch_is_retried_from_that_batch_and_logged_by_id_range(
    branch, default_rules, monkeypatch, caplog
):
    # given batches of two and a database error on the second batch, once
    customers = [make_individual(branch=branch) for _ in range(5)]
    Customer.objects.filter(pk__in=[c.pk for c in customers]).update(aum=Decimal("600000"))
    monkeypatch.setattr(tasks, "BATCH_SIZE", 2)
    real_batch = recompute._recompute_batch
    calls = []

    def flaky_batch(**kwargs):
        calls.append((kwargs["after"], kwargs["last_id"]))
        if kwargs["after"] == customers[1].pk and len(calls) == 2:
            raise OperationalError("could not serialize access")
        return real_batch(**kwargs)

    monkeypatch.setattr(recompute, "_recompute_batch", flaky_batch)
    ids = [c.pk for c in customers]
    # a worker records the retry instead of raising it; eager runs then apply the retry at once
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    # when
    with caplog.at_level(logging.WARNING):
        result = tasks.recompute_segments.delay()
    # then the retry resumed at the failed batch, without running the first one again
    assert calls == [(0, ids[1]), (ids[1], ids[3]), (ids[1], ids[3]), (ids[3], ids[4])]
    assert result.get()["scanned"] == 3  # the retried attempt's own batches
    assert segments(*customers) == ["vip"] * 5
    assert CustomerEvent.objects.filter(kind=CustomerEventKind.SEGMENT_CHANGED).count() == 5
    messages = [record.getMessage() for record in caplog.records]
    assert (f"Segment recompute batch failed: customer ids > {ids[1]} and <= {ids[3]} (OperationalError)"
            in messages)
    assert f"Retrying segment recompute from customer id > {ids[1]} (attempt 1 of 5)" in messages
    # and the log names ids only: no figures
    assert not any("600000" in message for message in messages)


@pytest.mark.django_db
def test_recompute_for_some_customers(branch, default_rules):
    chosen = make_individual(branch=branch)
    other = make_individual(branch=branch)
    Customer.objects.update(aum=Decimal("600000"))
    outcome = tasks.recompute_segments.delay(customer_ids=[chosen.pk]).get()
    assert outcome["scanned"] == 1
    assert segments(chosen, other) == ["vip", "mass"]
