"""Writes of privacy requests: log one, extend its deadline, prepare and hand over its export,
apply what its kind asks of the apps, answer or refuse it.

Each asks who may (compliance.privacy.permissions), validates by field, runs in one
transaction and appends an audit event naming ids and codes, never the words of the request
or its answer.
"""

from __future__ import annotations

import base64
import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.audit import audit_record
from compliance.privacy import clock, permissions
from compliance.privacy.exporting import build_export
from compliance.privacy.models import (
    DeadlineProfile,
    ExportStatus,
    PrivacyExport,
    PrivacyRequest,
    RequestChannel,
    RequestKind,
    RequestStatus,
    Verification,
)
from compliance.privacy.registry import request_handler, subject_type

log = logging.getLogger(__name__)

OBJECT_TYPE = "compliance.privacyrequest"
EXPORT_KINDS = (RequestKind.ACCESS, RequestKind.PORTABILITY)
MIN_REASON = 3


def _text(value: str | None, field: str, errors: dict, *, required: bool = False, limit: int = 4000) -> str:
    value = (value or "").strip()
    if required and len(value) < MIN_REASON:
        errors[field] = _("Say it in at least %(count)d characters.") % {"count": MIN_REASON}
    elif len(value) > limit:
        errors[field] = _("Keep it within %(max)d characters.") % {"max": limit}
    return value


def _profile(code: str | None) -> DeadlineProfile:
    try:
        if code:
            return DeadlineProfile.objects.get(code=code, is_active=True)
        return clock.profile_in_force()
    except DeadlineProfile.DoesNotExist:
        raise ValidationError({"profile": _("No active deadline profile of that code.")}) from None


@transaction.atomic
def request_log(
    *,
    actor,
    kind: str,
    subject_type_name: str,
    subject_reference: str,
    channel: str,
    verification: str,
    verification_reference: str = "",
    details: str = "",
    by_representative: bool = False,
    received_on: datetime.date | None = None,
    profile_code: str | None = None,
) -> PrivacyRequest:
    """Log a verified request about the subject named by `subject_reference` (a customer
    number for customers), due by the deadline of the profile in force (or `profile_code`).

    Raise PermissionDenied unless `actor` may log requests; ValidationError (by field) for an
    unknown kind, channel or verification, a subject that cannot be found, a receipt date in
    the future or more than a year back, or text too long.
    """
    permissions.check_submit(actor)
    errors: dict[str, str] = {}
    if kind not in RequestKind.values:
        errors["kind"] = _("Choose the kind of request.")
    if channel not in RequestChannel.values:
        errors["channel"] = _("Choose how the request came in.")
    if verification not in Verification.values:
        errors["verification"] = _("Say how the requester's identity was verified.")
    details = _text(details, "details", errors)
    verification_reference = _text(verification_reference, "verification_reference", errors, limit=200)
    today = timezone.localdate()
    received_on = received_on or today
    if received_on > today or received_on < today - datetime.timedelta(days=366):
        errors["received_on"] = _("Choose the day the request was received: today or within the last year.")
    try:
        kind_of_subject = subject_type(subject_type_name)
    except Exception:
        errors["subject_type"] = _("Unknown kind of data subject.")
        kind_of_subject = None
    subject_id = kind_of_subject.find((subject_reference or "").strip()) if kind_of_subject else None
    if kind_of_subject and subject_id is None:
        errors["subject_reference"] = _("No data subject with this reference.")
    if errors:
        raise ValidationError(errors)
    profile = _profile(profile_code)
    request = PrivacyRequest(
        reference=f"PENDING-{timezone.now():%H%M%S%f}",
        kind=kind,
        subject_type=subject_type_name,
        subject_id=subject_id,
        channel=channel,
        verification=verification,
        verification_reference=verification_reference or None,
        details=details or None,
        by_representative=by_representative,
        profile=profile,
        received_on=received_on,
        due_on=clock.due_on(profile, received_on),
        logged_by=actor,
    )
    request.save()
    request.reference = f"PR-{received_on:%Y}-{request.pk:06d}"
    request.save(update_fields=["reference"])
    audit_record(
        actor=actor,
        action="privacy.request_logged",
        object_type=OBJECT_TYPE,
        object_id=request.pk,
        fields=[
            name
            for name, value in (("details", details), ("verification_reference", verification_reference))
            if value
        ],
        extra={
            "kind": kind,
            "subject_type": subject_type_name,
            "subject": subject_id,
            "profile": profile.code,
            "due_on": request.due_on.isoformat(),
        },
    )
    return request


def _locked_open(request: PrivacyRequest) -> PrivacyRequest:
    locked = PrivacyRequest.objects.select_for_update().select_related("profile").get(pk=request.pk)
    if not locked.is_open:
        raise ValidationError({"status": _("This request is closed.")})
    return locked


@transaction.atomic
def request_extend(*, actor, request: PrivacyRequest, reason: str) -> PrivacyRequest:
    """Extend the deadline once, as far as the profile allows, with a reason the requester is
    told. Raise ValidationError if the profile allows no extension or it was extended before."""
    permissions.check_handle(actor)
    request = _locked_open(request)
    errors: dict[str, str] = {}
    reason = _text(reason, "reason", errors, required=True, limit=1000)
    if not request.profile.extension:
        errors["reason"] = _("The %(profile)s deadline cannot be extended.") % {
            "profile": request.profile.name
        }
    elif request.extended:
        errors["reason"] = _("The deadline was extended before; it can be extended once.")
    if errors:
        raise ValidationError(errors)
    before = request.due_on
    request.due_on = clock.extended_due_on(request.profile, request.due_on)
    request.extended = True
    request.extension_reason = reason
    request.warned_on = None
    request.save(update_fields=["due_on", "extended", "extension_reason", "warned_on"])
    audit_record(
        actor=actor,
        action="privacy.request_extended",
        object_type=OBJECT_TYPE,
        object_id=request.pk,
        fields=["extension_reason"],
        extra={"from": before.isoformat(), "to": request.due_on.isoformat()},
    )
    return request


@transaction.atomic
def export_request(*, actor, request: PrivacyRequest) -> PrivacyExport:
    """Ask Celery to prepare the export of an access or portability request (one at a time)."""
    from compliance.privacy.tasks import build_privacy_export

    permissions.check_handle(actor)
    request = _locked_open(request)
    if request.kind not in EXPORT_KINDS:
        raise ValidationError(
            {"kind": _("Only access and portability requests are answered with an export.")}
        )
    if request.exports.filter(status=ExportStatus.PENDING).exists():
        raise ValidationError({"export": _("An export of this request is being prepared.")})
    export = PrivacyExport.objects.create(request=request, requested_by=actor)
    audit_record(
        actor=actor,
        action="privacy.export_requested",
        object_type=OBJECT_TYPE,
        object_id=request.pk,
        extra={"export": export.pk},
    )
    transaction.on_commit(lambda: build_privacy_export.delay(export.pk))
    return export


def export_build(*, export_id: int) -> PrivacyExport:
    """Gather the subject's data from every registered source into the export (the task's
    body). A failure is recorded on the export with its kind, never with data."""
    with transaction.atomic():
        export = PrivacyExport.objects.select_for_update().select_related("request").get(pk=export_id)
        if export.status != ExportStatus.PENDING:
            return export
        try:
            content, counts = build_export(export.request, generated_at=timezone.now())
        except Exception as error:
            log.exception("Privacy export %s failed", export.pk)
            export.status, export.failure = ExportStatus.FAILED, type(error).__name__[:200]
            export.save(update_fields=["status", "failure"])
            return export
        export.content = base64.b64encode(content).decode("ascii")
        export.sources, export.size = counts, len(content)
        export.status, export.ready_at = ExportStatus.READY, timezone.now()
        export.save(update_fields=["content", "sources", "size", "status", "ready_at"])
        audit_record(
            actor=None,
            action="privacy.export_ready",
            object_type=OBJECT_TYPE,
            object_id=export.request_id,
            extra={"export": export.pk, "rows": sum(counts.values())},
        )
    return export


@transaction.atomic
def export_download(*, actor, export: PrivacyExport) -> bytes:
    """The export's ZIP, once: its content is wiped as it is handed over. Raise
    ValidationError if it is not ready or was downloaded already."""
    permissions.check_handle(actor)
    export = PrivacyExport.objects.select_for_update().get(pk=export.pk)
    if export.status == ExportStatus.DOWNLOADED:
        raise ValidationError({"export": _("This export was downloaded already; prepare a new one.")})
    if export.status != ExportStatus.READY:
        raise ValidationError({"export": _("This export is not ready.")})
    content = base64.b64decode(export.content)
    export.content = None
    export.status, export.downloaded_by, export.downloaded_at = ExportStatus.DOWNLOADED, actor, timezone.now()
    export.save(update_fields=["content", "status", "downloaded_by", "downloaded_at"])
    audit_record(
        actor=actor,
        action="privacy.export_downloaded",
        object_type=OBJECT_TYPE,
        object_id=export.request_id,
        extra={"export": export.pk, "size": len(content)},
    )
    return content


def _close(
    actor, request: PrivacyRequest, status: str, answer: str, action: str, extra: dict
) -> PrivacyRequest:
    request.status, request.answer = status, answer
    request.closed_by, request.closed_at = actor, timezone.now()
    request.save(update_fields=["status", "answer", "closed_by", "closed_at"])
    audit_record(
        actor=actor,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=request.pk,
        fields=["answer"],
        extra={"kind": request.kind, "on_time": request.closed_at.date() <= request.due_on, **extra},
    )
    return request


@transaction.atomic
def request_complete(*, actor, request: PrivacyRequest, answer: str) -> PrivacyRequest:
    """Answer the request and close it. An access or portability request needs its export
    downloaded first; a kind with a registered handler (an objection to direct marketing)
    applies it here, in the same transaction, and the answer records what it did."""
    permissions.check_handle(actor)
    request = _locked_open(request)
    errors: dict[str, str] = {}
    answer = _text(answer, "answer", errors, required=True)
    if request.kind in EXPORT_KINDS and not request.exports.filter(status=ExportStatus.DOWNLOADED).exists():
        errors["answer"] = _("Download the export for the requester first.")
    if errors:
        raise ValidationError(errors)
    handler = request_handler(request.kind, request.subject_type)
    done = ""
    if handler is not None:
        done = handler.apply(actor=actor, subject_id=request.subject_id, reference=request.reference)
        answer = f"{answer}\n\n{done}"
    return _close(
        actor,
        request,
        RequestStatus.COMPLETED,
        answer,
        "privacy.request_completed",
        {"handled": handler is not None},
    )


@transaction.atomic
def request_refuse(*, actor, request: PrivacyRequest, reason: str) -> PrivacyRequest:
    """Refuse the request with the reason the requester is told (manifestly unfounded, the
    identity could not be verified, the law requires keeping the data...)."""
    permissions.check_handle(actor)
    request = _locked_open(request)
    errors: dict[str, str] = {}
    reason = _text(reason, "reason", errors, required=True)
    if errors:
        raise ValidationError(errors)
    return _close(actor, request, RequestStatus.REFUSED, reason, "privacy.request_refused", {})


@transaction.atomic
def deadline_profile_save(
    *, actor, profile: DeadlineProfile, changed: list[str] | None = None
) -> DeadlineProfile:
    """Save a deadline profile (admin) and record the configuration change. Requests already
    logged keep the deadline they were given."""
    profile.full_clean()
    created = profile.pk is None
    profile.save()
    audit_record(
        actor=actor,
        action="config.changed",
        object_type="compliance.deadlineprofile",
        object_id=profile.pk,
        fields=changed or [],
        extra={"code": profile.code, "created": created},
    )
    return profile
