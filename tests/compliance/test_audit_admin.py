"""The audit chain in Django admin: visible, never editable."""

from __future__ import annotations

import pytest
from django.urls import reverse

from compliance.audit import audit_verification_run
from compliance.models import AuditEvent, AuditVerification
from tests.compliance.factories import AuditEventFactory

pytestmark = pytest.mark.django_db


def test_events_are_listed_and_searchable_by_username_and_object_id(
    client, administrator, relationship_manager
):
    AuditEventFactory(actor=relationship_manager, object_id=42)
    AuditEventFactory(object_id=43)
    client.force_login(administrator)

    listed = client.get(reverse("admin:compliance_auditevent_changelist"))
    by_user = client.get(reverse("admin:compliance_auditevent_changelist"), {"q": "rm.one"})
    by_object = client.get(reverse("admin:compliance_auditevent_changelist"), {"q": "43"})

    assert listed.status_code == 200
    assert [event.sequence for event in by_user.context["cl"].result_list] == [1]
    assert [event.sequence for event in by_object.context["cl"].result_list] == [2]


def test_events_and_verifications_cannot_be_added_changed_or_deleted(client, administrator):
    event = AuditEventFactory(purpose="original")
    verification = audit_verification_run(actor=None)
    client.force_login(administrator)

    for model in ("auditevent", "auditverification"):
        assert client.get(reverse(f"admin:compliance_{model}_add")).status_code == 403
    change = client.get(reverse("admin:compliance_auditevent_change", args=[event.pk]))
    post = client.post(reverse("admin:compliance_auditevent_change", args=[event.pk]),
                       {"purpose": "rewritten"})
    delete = client.post(reverse("admin:compliance_auditevent_delete", args=[event.pk]), {"post": "yes"})
    delete_run = client.post(reverse("admin:compliance_auditverification_delete", args=[verification.pk]),
                             {"post": "yes"})

    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert post.status_code == 403
    assert delete.status_code == 403
    assert delete_run.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).purpose == "original"
    assert AuditVerification.objects.filter(pk=verification.pk).exists()


def test_the_event_list_reads_as_people_read_it_in_one_lookup_per_kind_of_object(
    client, administrator, relationship_manager, branch
):
    from compliance.audit import audit_record
    from tests.customers.factories import make_individual

    customers = [make_individual(branch=branch, relationship_manager=relationship_manager) for _ in range(3)]
    for customer in customers:
        audit_record(actor=relationship_manager, action="interaction.created",
                     object_type="customers.customer", object_id=customer.pk, fields=["summary"])
    client.force_login(administrator)
    client.get(reverse("admin:compliance_auditevent_changelist"))  # warm the session and caches

    listed = client.get(reverse("admin:compliance_auditevent_changelist"), {"action": "interaction.created"})
    page = listed.content.decode()
    many = len(connection_queries(client, {"action": "interaction.created"}))
    customers.append(make_individual(branch=branch, relationship_manager=relationship_manager))
    audit_record(actor=relationship_manager, action="interaction.created",
                 object_type="customers.customer", object_id=customers[-1].pk, fields=["summary"])

    assert "Interaction logged" in page
    assert ">interaction.created<" not in page
    for customer in customers[:3]:
        assert f"Customer {customer.number}" in page
    assert len(connection_queries(client, {"action": "interaction.created"})) == many


def connection_queries(client, params) -> list:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("admin:compliance_auditevent_changelist"), params)
    return captured.captured_queries
