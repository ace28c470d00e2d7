"""Fixtures of the segmentation tests: the migration's default rules, another branch's manager."""

from __future__ import annotations

import pytest
from django.apps import apps as django_apps

from crm.roles import Role
from customers.models import SegmentRuleSet
from tests.customers.segmentation.helpers import default_rules_migration
from tests.factories import UserFactory


@pytest.fixture
def default_rules(db):
    """The migration's version 1, active (re-created if a transactional test flushed it)."""
    if not SegmentRuleSet.objects.filter(version=1, note=default_rules_migration.NOTE).exists():
        SegmentRuleSet.objects.filter(is_active=True).update(is_active=False)
        SegmentRuleSet.objects.filter(version=1).delete()
        default_rules_migration.create_default_rules(django_apps, None)
    rule_set = SegmentRuleSet.objects.get(version=1)
    if not rule_set.is_active:
        SegmentRuleSet.objects.filter(is_active=True).update(is_active=False)
        SegmentRuleSet.objects.filter(pk=rule_set.pk).update(is_active=True)
    return SegmentRuleSet.objects.get(version=1)


@pytest.fixture
def other_branch_manager(other_branch):
    return UserFactory(role=Role.BRANCH_MANAGER, branch=other_branch, username="manager.far")
