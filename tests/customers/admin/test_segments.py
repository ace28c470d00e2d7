"""Admin of the segmentation rules: every save goes through the segmentation services."""

from __future__ import annotations

import json

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.db.models import Max

from compliance.models import AuditEvent
from crm.roles import Role
from customers import segmentation
from customers.models import (
    SegmentRule,
    SegmentRuleSet,
)
from tests.customers.admin.helpers import (
    admin_url,
    page,
    post_action,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


# --- segmentation rules ---------------------------------------------------------------------


def test_the_add_page_creates_a_version_copying_the_active_rules(client, administrator):
    active = SegmentRuleSet.objects.get(is_active=True)
    client.force_login(administrator)

    response = client.post(admin_url(SegmentRuleSet, "add"), {"note": "Raise the VIP threshold"})

    created = SegmentRuleSet.objects.exclude(pk=active.pk).get()
    assert response.status_code == 302
    assert response["Location"] == admin_url(SegmentRuleSet, "change", created.pk)
    assert (created.version, created.is_active, created.note, created.created_by_id) == (
        active.version + 1,
        False,
        "Raise the VIP threshold",
        administrator.pk,
    )
    assert list(created.rules.values_list("kind", "segment", "priority", "conditions")) == list(
        active.rules.values_list("kind", "segment", "priority", "conditions")
    )
    # audited once, by the service: the page writes no admin log entry of its own
    event = AuditEvent.objects.filter(action="config.changed").get()
    assert (event.object_id, event.actor_id, event.extra["change"]) == (
        str(created.pk), administrator.pk, "segment_rules_version_created")
    assert not LogEntry.objects.exists()


def test_the_copy_action_creates_a_version_from_the_chosen_one(client, administrator):
    active = SegmentRuleSet.objects.get(is_active=True)
    client.force_login(administrator)

    post_action(client, SegmentRuleSet, "create_version", active.pk)

    created = SegmentRuleSet.objects.get(version=active.version + 1)
    assert created.rules.count() == active.rules.count()
    assert AuditEvent.objects.filter(action="config.changed", object_id=str(created.pk)).exists()


def last_sequence() -> int:
    return AuditEvent.objects.aggregate(latest=Max("sequence"))["latest"] or 0


def formset_data(rule_set, changes: dict | None = None) -> dict:
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
    before = last_sequence()

    response = client.post(
        admin_url(SegmentRuleSet, "change", draft.pk), formset_data(draft, {(0, "conditions"): conditions})
    )

    assert response.status_code == 302
    rule = draft.rules.get(kind="corporate", priority=10)
    assert rule.conditions == [{"metric": "countries", "op": ">=", "value": "4"}]
    active_rule = SegmentRuleSet.objects.get(is_active=True).rules.get(kind="corporate", priority=10)
    assert len(active_rule.conditions) == 2
    # one change, audited once by the service, with counts and no values
    event = AuditEvent.objects.filter(action="config.changed").exclude(sequence__lte=before).get()
    assert (event.object_type, event.object_id, event.actor_id, event.fields, event.extra) == (
        "customers.segmentruleset",
        str(draft.pk),
        administrator.pk,
        ["rules"],
        {"change": "segment_rules_changed", "version": draft.version, "added": 0, "changed": 1, "deleted": 0},
    )


def test_a_new_rule_and_a_deleted_rule_are_saved_together(client, administrator):
    draft = segmentation.segment_rule_set_create_version(actor=administrator)
    client.force_login(administrator)
    data = formset_data(draft, {(0, "DELETE"): "on"})
    total = int(data["rules-TOTAL_FORMS"])
    data.update({
        "rules-TOTAL_FORMS": str(total + 1),
        f"rules-{total}-rule_set": str(draft.pk),
        f"rules-{total}-kind": "individual",
        f"rules-{total}-segment": "vip",
        f"rules-{total}-priority": "35",
        f"rules-{total}-conditions": '[{"metric": "holding", "op": "has", "value": "fund"}]',
    })
    before = last_sequence()

    response = client.post(admin_url(SegmentRuleSet, "change", draft.pk), data)

    assert response.status_code == 302
    assert not draft.rules.filter(kind="corporate", priority=10).exists()
    assert draft.rules.get(kind="individual", priority=35).conditions == [
        {"metric": "holding", "op": "has", "value": "fund"}]
    event = AuditEvent.objects.exclude(sequence__lte=before).get()
    assert (event.extra["added"], event.extra["changed"], event.extra["deleted"]) == (1, 0, 1)


def test_changing_the_note_is_audited_once(client, administrator):
    draft = segmentation.segment_rule_set_create_version(actor=administrator, note="Draft")
    client.force_login(administrator)
    data = formset_data(draft)
    data["note"] = "Spring review"
    before = last_sequence()

    response = client.post(admin_url(SegmentRuleSet, "change", draft.pk), data)

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.note == "Spring review"
    event = AuditEvent.objects.exclude(sequence__lte=before).get()
    assert (event.fields, event.extra["change"]) == (["note"], "segment_rules_note_changed")


def test_an_invalid_rule_is_refused_with_the_segmentation_message(client, administrator):
    draft = segmentation.segment_rule_set_create_version(actor=administrator)
    client.force_login(administrator)
    bad = '[{"metric": "altitude", "op": ">=", "value": "1"}]'

    response = client.post(
        admin_url(SegmentRuleSet, "change", draft.pk), formset_data(draft, {(0, "conditions"): bad})
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

    html = page(client, admin_url(SegmentRuleSet, "change", active.pk))

    assert 'name="rules-0-segment"' not in html
    assert 'name="rules-0-conditions"' not in html
    assert 'name="rules-MAX_NUM_FORMS" value="0"' in html  # no rule can be added


def test_posting_rules_to_the_active_version_changes_nothing(client, administrator):
    active = SegmentRuleSet.objects.get(is_active=True)
    before = list(active.rules.order_by("kind", "priority").values_list("segment", "conditions"))
    client.force_login(administrator)

    client.post(
        admin_url(SegmentRuleSet, "change", active.pk),
        formset_data(active, {(0, "conditions"): "[]", (0, "segment"): "sme"}),
    )

    assert list(active.rules.order_by("kind", "priority").values_list("segment", "conditions")) == before


def test_activate_this_version(client, administrator):
    active = SegmentRuleSet.objects.get(is_active=True)
    draft = segmentation.segment_rule_set_create_version(actor=administrator)
    client.force_login(administrator)

    response = post_action(client, SegmentRuleSet, "activate_version", draft.pk)

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

    response = post_action(client, SegmentRuleSet, "activate_version", draft.pk)

    assert "need exactly one default rule" in response.content.decode()
    assert list(SegmentRuleSet.objects.filter(is_active=True).values_list("pk", flat=True)) == [active.pk]


def test_activate_needs_exactly_one_version(client, administrator):
    active = SegmentRuleSet.objects.get(is_active=True)
    first = segmentation.segment_rule_set_create_version(actor=administrator)
    second = segmentation.segment_rule_set_create_version(actor=administrator)
    client.force_login(administrator)

    response = post_action(client, SegmentRuleSet, "activate_version", first.pk, second.pk)

    assert "Choose exactly one version to activate." in response.content.decode()
    assert SegmentRuleSet.objects.get(is_active=True).pk == active.pk


def test_a_user_without_the_configuration_permission_is_not_offered_the_actions(client):
    staff = UserFactory(role=Role.BRANCH_MANAGER, username="staff.viewer", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_segmentruleset"))
    draft = segmentation.segment_rule_set_create_version(
        actor=UserFactory(username="root.config", is_superuser=True, is_staff=True)
    )
    client.force_login(staff)

    html = page(client, admin_url(SegmentRuleSet))
    response = post_action(client, SegmentRuleSet, "activate_version", draft.pk)

    assert "activate_version" not in html
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.is_active is False
