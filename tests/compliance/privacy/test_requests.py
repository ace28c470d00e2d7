"""Privacy requests: logged with the deadline in force, answered by an export of everything the
bank holds about the subject (downloadable once), by the objection handler, or refused; every
step audited; compliance officers only."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from compliance.models import AuditEvent
from compliance.privacy import reminders, services
from compliance.privacy.models import ExportStatus, PrivacyExport, PrivacyRequest
from compliance.privacy.registry import data_sources
from customers import outreach
from customers.models import Consent

pytestmark = pytest.mark.django_db


def _log(actor, customer, kind="access", **overrides):
    values = {
        "kind": kind,
        "subject_type_name": "customers.customer",
        "subject_reference": customer.number,
        "channel": "branch",
        "verification": "id_document",
        "verification_reference": "ID-CHECK-1",
        "details": "Please send me everything you hold about me.",
    }
    values.update(overrides)
    return services.request_log(actor=actor, **values)


@pytest.fixture
def export_of(django_capture_on_commit_callbacks, compliance_officer):
    """Ask for a request's export; it is sent to Celery (eager here) as its transaction commits."""

    def ask(request):
        with django_capture_on_commit_callbacks(execute=True):
            export = services.export_request(actor=compliance_officer, request=request)
        return PrivacyExport.objects.get(pk=export.pk)

    return ask


def _zip(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_a_request_is_logged_with_the_profile_in_force_and_audited(compliance_officer, subject):
    request = _log(compliance_officer, subject)
    assert request.reference == f"PR-{request.received_on:%Y}-{request.pk:06d}"
    assert request.profile.code == "cn_pipl" and request.due_on > request.received_on
    event = AuditEvent.objects.filter(action="privacy.request_logged").get()
    assert event.extra["subject"] == subject.pk and event.fields == ["details", "verification_reference"]
    assert "everything" not in json.dumps(event.extra)


def test_bad_input_is_refused_by_field_and_logs_nothing(compliance_officer, subject):
    with pytest.raises(ValidationError) as refused:
        _log(
            compliance_officer,
            subject,
            kind="delete-everything",
            subject_reference="NOPE",
            received_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert set(refused.value.message_dict) == {"kind", "subject_reference", "received_on"}
    assert not PrivacyRequest.objects.exists()


@pytest.mark.parametrize("who", ["relationship_manager", "branch_manager", "service_account"])
def test_only_compliance_or_a_permitted_channel_logs_requests(request, who, subject):
    with pytest.raises(PermissionDenied):
        _log(request.getfixturevalue(who), subject)


def test_the_export_holds_every_source_about_the_subject_and_nothing_of_another(
    compliance_officer, subject, other, export_of
):
    request = _log(compliance_officer, subject)
    export = export_of(request)
    assert export.status == ExportStatus.READY
    files = _zip(services.export_download(actor=compliance_officer, export=export))
    data = json.loads(files["data.json"])
    manifest = json.loads(files["manifest.json"])
    assert {item["name"] for item in manifest["sources"]} == {
        source.name for source in data_sources("customers.customer")
    }
    for name in (
        "customers.customer",
        "customers.individual_profile",
        "customers.holdings",
        "customers.needs",
        "customers.interactions",
        "customers.relationships",
        "customers.history",
        "customers.consents",
        "customers.consent_history",
        "customers.contact_holds",
        "customers.contact_log",
        "customers.follow_ups",
        "customers.appointments",
    ):
        assert data[name], f"{name} is empty"
        assert f"{name}.csv" in files
    everything = "".join(files.values())
    for value in (
        "+86 139 1111 2222",
        "lan.subject@example.cn",
        "110105198001019999",
        "6222 0210 0100 7777",
        "pension plan",
        "FORM-SUBJECT-1",
        "Family bereavement",
    ):
        assert value in everything, value
    for value in (
        "Neighbour",
        "bo.neighbour@example.cn",
        "110105198001018888",
        "neighbour's own business",
        str(other.number),
    ):
        assert value not in everything, value
    assert data["customers.relationships"][0]["direction"] == "from this customer"
    assert "to_customer_id" not in data["customers.relationships"][0]


def test_an_export_is_downloaded_once_and_wiped(compliance_officer, subject, export_of):
    request = _log(compliance_officer, subject, kind="portability")
    export = export_of(request)
    services.export_download(actor=compliance_officer, export=export)
    with pytest.raises(ValidationError, match="downloaded already"):
        services.export_download(actor=compliance_officer, export=export)
    export.refresh_from_db()
    assert export.content is None and export.downloaded_by_id == compliance_officer.pk
    events = AuditEvent.objects.filter(object_type="compliance.privacyrequest").order_by("sequence")
    actions = list(events.values_list("action", flat=True))
    assert actions == [
        "privacy.request_logged",
        "privacy.export_requested",
        "privacy.export_ready",
        "privacy.export_downloaded",
    ]


def test_an_access_request_closes_only_after_its_export_is_handed_over(
    compliance_officer, subject, export_of
):
    request = _log(compliance_officer, subject)
    with pytest.raises(ValidationError, match="Download the export"):
        services.request_complete(actor=compliance_officer, request=request, answer="Sent by post.")
    services.export_download(actor=compliance_officer, export=export_of(request))
    closed = services.request_complete(
        actor=compliance_officer, request=request, answer="Handed over in branch."
    )
    assert closed.status == "completed" and closed.closed_by_id == compliance_officer.pk
    with pytest.raises(ValidationError):
        services.request_refuse(actor=compliance_officer, request=closed, reason="Too late")


def test_an_objection_withdraws_every_marketing_and_event_consent_at_once(compliance_officer, subject):
    request = _log(compliance_officer, subject, kind="objection", details="No more marketing, please.")
    closed = services.request_complete(actor=compliance_officer, request=request, answer="Done as asked.")
    assert "2 consents had been granted" in closed.answer
    consents = Consent.objects.filter(customer=subject, purpose__in=["marketing", "events"])
    assert consents.count() == 12 and set(consents.values_list("status", flat=True)) == {"withdrawn"}
    decision = outreach.contact_request(
        actor=None,
        customer=subject,
        channel="email",
        purpose="marketing",
        reason="Spring campaign",
        sender=outreach.ContactSender("campaign", "9"),
    )
    assert not decision.allowed


def test_a_gdpr_deadline_extends_once_and_a_hong_kong_one_not_at(compliance_officer, subject):
    gdpr = _log(compliance_officer, subject, profile_code="gdpr")
    due = gdpr.due_on
    extended = services.request_extend(
        actor=compliance_officer, request=gdpr, reason="Many records to gather"
    )
    assert extended.due_on > due and extended.extended
    with pytest.raises(ValidationError, match="once"):
        services.request_extend(actor=compliance_officer, request=extended, reason="Again")
    pdpo = _log(compliance_officer, subject, profile_code="hk_pdpo")
    with pytest.raises(ValidationError, match="cannot be extended"):
        services.request_extend(actor=compliance_officer, request=pdpo, reason="More time")


def test_the_morning_warning_names_references_only_and_comes_once_a_day(compliance_officer, subject):
    compliance_officer.email = "compliance@bank.example"
    compliance_officer.save(update_fields=["email"])
    late = _log(compliance_officer, subject, received_on=timezone.localdate() - datetime.timedelta(days=40))
    _log(compliance_officer, subject)  # fresh: not at risk
    assert reminders.deadlines_warn() == 1
    [message] = mail.outbox
    assert late.reference in message.body and "overdue" in message.body
    assert subject.number not in message.body and "Subject" not in message.body
    assert reminders.deadlines_warn() == 0
    assert len(mail.outbox) == 1


def test_the_pages_walk_a_request_for_compliance_and_are_absent_for_others(
    client, compliance_officer, relationship_manager, subject, django_capture_on_commit_callbacks
):
    client.force_login(relationship_manager)
    assert client.get(reverse("privacy-request-list")).status_code == 404
    client.force_login(compliance_officer)
    bad = client.post(
        reverse("privacy-request-create"),
        {
            "kind": "access",
            "subject_type": "customers.customer",
            "subject_reference": "C-NOPE",
            "channel": "branch",
            "verification": "id_document",
        },
    )
    assert bad.status_code == 400 and "No data subject with this reference" in bad.content.decode()
    created = client.post(
        reverse("privacy-request-create"),
        {
            "kind": "access",
            "subject_type": "customers.customer",
            "subject_reference": subject.number,
            "channel": "branch",
            "verification": "id_document",
            "details": "All of it",
        },
    )
    request = PrivacyRequest.objects.get()
    assert created.status_code == 302 and created["Location"] == reverse(
        "privacy-request-detail", args=[request.reference]
    )
    listing = client.get(reverse("privacy-request-list")).content.decode()
    assert request.reference in listing and f"Customer {subject.number}" in listing
    assert "Subject" not in listing  # the subject's name is never listed
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy-request-export", args=[request.reference]))
    export = request.exports.get()
    download = client.post(reverse("privacy-export-download", args=[request.reference, export.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert "manifest.json" in _zip(download.content)
    again = client.post(reverse("privacy-export-download", args=[request.reference, export.pk]), follow=True)
    assert "downloaded already" in again.content.decode()
    short = client.post(reverse("privacy-request-complete", args=[request.reference]), {"text": "ok"})
    assert short.status_code == 400
    done = client.post(
        reverse("privacy-request-complete", args=[request.reference]), {"text": "Handed over."}
    )
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == "completed"


def test_the_api_takes_requests_from_a_permitted_channel_and_lists_them_for_compliance(
    service_account, compliance_officer, subject
):
    from django.contrib.auth.models import Permission

    from tests.customers.api.helpers import client_for, field_errors

    channel = client_for(service_account)
    body = {
        "kind": "objection",
        "subject_reference": subject.number,
        "channel": "online",
        "verification": "strong_authentication",
    }
    assert (
        channel.post(
            "/api/v1/privacy-requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="dsr-1"
        ).status_code
        == 403
    )
    service_account.user_permissions.add(Permission.objects.get(codename="submit_privacyrequest"))
    channel = client_for(service_account)
    created = channel.post("/api/v1/privacy-requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="dsr-2")
    assert created.status_code == 201
    again = channel.post("/api/v1/privacy-requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="dsr-2")
    assert again.json() == created.json() and PrivacyRequest.objects.count() == 1
    bad = channel.post(
        "/api/v1/privacy-requests/",
        {**body, "subject_reference": "C-NOPE"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="dsr-3",
    )
    assert "subject_reference" in field_errors(bad)
    assert channel.get("/api/v1/privacy-requests/").status_code == 403
    listed = client_for(compliance_officer).get("/api/v1/privacy-requests/")
    assert listed.status_code == 200
    [row] = listed.json()["results"]
    assert row["reference"] == created.json()["reference"] and row["clock"] == "on_track"
    detail = client_for(compliance_officer).get(f"/api/v1/privacy-requests/{row['reference']}/")
    assert detail.status_code == 200
    assert client_for(compliance_officer).get("/api/v1/privacy-requests/PR-2026-999999/").status_code == 404
