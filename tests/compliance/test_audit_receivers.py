"""Sign-ins, sign-outs, lock-outs and admin changes each append exactly the expected events."""

from __future__ import annotations

import json

import pytest
from django.contrib.admin.models import LogEntry
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from compliance.models import AuditEvent
from crm.models import Branch
from tests.factories import PASSWORD, BranchFactory

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "wrong-password-123"


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def _events(*, after_sign_in: bool = False) -> list[dict]:
    events = AuditEvent.objects.order_by("sequence")
    if after_sign_in:  # force_login() signs in too, which is recorded
        events = events.exclude(action="auth.login")
    return list(
        events.values(
            "action", "actor_id", "actor_username", "object_type", "object_id", "fields", "extra",
            "ip_address",
        )
    )


def _whole_trail_text() -> str:
    return json.dumps(list(AuditEvent.objects.values()), cls=DjangoJSONEncoder)


def test_signing_in_records_one_login_event(client, relationship_manager):
    response = _login(client, "rm.one", PASSWORD)

    assert response.status_code == 302
    assert _events() == [
        {"action": "auth.login", "actor_id": relationship_manager.pk, "actor_username": "rm.one",
         "object_type": "", "object_id": "", "fields": [], "extra": {}, "ip_address": "127.0.0.1"},
    ]
    event = AuditEvent.objects.get()
    assert event.request_id == response["X-Request-ID"]
    assert PASSWORD not in _whole_trail_text()


def test_a_failed_sign_in_for_an_account_names_the_account_but_not_the_password(
    client, relationship_manager
):
    _login(client, "rm.one", WRONG_PASSWORD)

    assert _events() == [
        {"action": "auth.login_failed", "actor_id": relationship_manager.pk,
         "actor_username": "rm.one", "object_type": "", "object_id": "", "fields": [],
         "extra": {"username_known": True}, "ip_address": "127.0.0.1"},
    ]
    assert WRONG_PASSWORD not in _whole_trail_text()


def test_a_failed_sign_in_with_an_unknown_name_stores_neither_name_nor_password(client, db):
    typed = "Zhang.Wei.110101199003072316"

    _login(client, typed, WRONG_PASSWORD)

    assert _events() == [
        {"action": "auth.login_failed", "actor_id": None, "actor_username": "anonymous",
         "object_type": "", "object_id": "", "fields": [], "extra": {"username_known": False},
         "ip_address": "127.0.0.1"},
    ]
    trail = _whole_trail_text()
    assert "110101199003072316" not in trail
    assert WRONG_PASSWORD not in trail


def test_ten_failures_record_ten_failed_sign_ins_and_one_lock_out(client, relationship_manager):
    for _attempt in range(10):
        _login(client, "rm.one", WRONG_PASSWORD)

    actions = [event["action"] for event in _events()]
    assert actions == ["auth.login_failed"] * 9 + ["auth.locked_out", "auth.login_failed"]
    locked = AuditEvent.objects.get(action="auth.locked_out")
    assert (locked.actor_id, locked.extra) == (relationship_manager.pk, {"username_known": True})

    # The right password while locked out is refused, and recorded as such.
    response = _login(client, "rm.one", PASSWORD)

    assert response.status_code == 429
    assert [event["action"] for event in _events()][11:] == ["auth.locked_out", "auth.login_failed"]
    assert not AuditEvent.objects.filter(action="auth.login").exists()
    trail = _whole_trail_text()
    assert PASSWORD not in trail
    assert WRONG_PASSWORD not in trail


def test_signing_out_records_a_logout_event(client, relationship_manager):
    _login(client, "rm.one", PASSWORD)

    client.post(reverse("logout"))

    assert [(event["action"], event["actor_id"]) for event in _events()] == [
        ("auth.login", relationship_manager.pk),
        ("auth.logout", relationship_manager.pk),
    ]


def test_signing_out_when_not_signed_in_records_nothing(client, db):
    client.post(reverse("logout"))

    assert AuditEvent.objects.count() == 0


def test_an_admin_change_records_config_changed_without_the_new_values(client, administrator):
    branch = BranchFactory(code="SH09", name="Old name", region="East China")
    client.force_login(administrator)

    response = client.post(
        reverse("admin:crm_branch_change", args=[branch.pk]),
        {"code": "SH09", "name": "Renamed Lujiazui Tower", "region": "East China", "parent": "",
         "is_active": "on"},
    )

    assert response.status_code == 302
    assert Branch.objects.get(pk=branch.pk).name == "Renamed Lujiazui Tower"
    log_entry = LogEntry.objects.get()
    assert _events(after_sign_in=True) == [
        {"action": "config.changed", "actor_id": administrator.pk, "actor_username": "admin.one",
         "object_type": "crm.branch", "object_id": str(branch.pk), "fields": [],
         "extra": {"change": "changed", "admin_log_entry": log_entry.pk},
         "ip_address": "127.0.0.1"},
    ]
    trail = _whole_trail_text()
    assert "Renamed Lujiazui Tower" not in trail
    assert "Old name" not in trail


def test_admin_additions_and_deletions_are_recorded(client, administrator):
    client.force_login(administrator)

    client.post(
        reverse("admin:crm_branch_add"),
        {"code": "BJ07", "name": "Beijing Guomao", "region": "North China", "parent": "",
         "is_active": "on"},
    )
    branch = Branch.objects.get(code="BJ07")
    client.post(reverse("admin:crm_branch_delete", args=[branch.pk]), {"post": "yes"})

    assert not Branch.objects.filter(code="BJ07").exists()
    assert [(event["object_type"], event["object_id"], event["extra"]["change"])
            for event in _events(after_sign_in=True)] == [
        ("crm.branch", str(branch.pk), "added"),
        ("crm.branch", str(branch.pk), "deleted"),
    ]
    assert "Beijing Guomao" not in _whole_trail_text()


def test_admin_bulk_delete_is_audited_per_object(client, administrator):
    branches = [Branch.objects.create(code=f"BULK{index}", name=f"Bulk {index}", region="Test")
                for index in range(3)]
    client.force_login(administrator)

    response = client.post(
        "/admin/crm/branch/",
        {"action": "delete_selected", "_selected_action": [branch.pk for branch in branches],
         "post": "yes"},
    )

    assert response.status_code == 302
    assert Branch.objects.filter(code__startswith="BULK").count() == 0
    assert LogEntry.objects.count() == 3
    events = AuditEvent.objects.filter(action="config.changed", object_type="crm.branch")
    assert sorted(events.values_list("object_id", flat=True)) == sorted(str(b.pk) for b in branches)
    assert {event.extra["change"] for event in events} == {"deleted"}
