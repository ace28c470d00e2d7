"""Recording the customer's consent to be contacted, per channel and purpose.

A grant or a withdrawal appends a ConsentEvent and sets the current Consent row to it, in one
transaction holding the customer's row lock (the one `contact_request` takes), so a
withdrawal takes effect at once: a contact asked after it commits is refused, and one that
holds the lock first is recorded before it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.audit import audit_record
from customers import permissions
from customers.models import (
    Consent,
    ConsentEvent,
    ConsentSource,
    ConsentStatus,
    ContactChannel,
    ContactPurpose,
    Customer,
)
from customers.outreach.pressure import lock_customer
from customers.services import OBJECT_TYPE


def _validate(*, channel: str, purpose: str, source: str, status: str, evidence_reference: str) -> None:
    errors = {}
    if channel not in ContactChannel.values:
        errors["channel"] = _("Choose one of the contact channels.")
    if purpose not in ContactPurpose.values:
        errors["purpose"] = _("Choose one of the contact purposes.")
    if source not in ConsentSource.values or source == ConsentSource.PRIVACY_REQUEST:
        errors["source"] = _("Choose where the consent was given.")
    if status == ConsentStatus.GRANTED and not evidence_reference:
        errors["evidence_reference"] = _("A consent needs its evidence: the form's number or the "
                                         "recording's reference.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def consent_record(*, actor, customer: Customer, channel: str, purpose: str, status: str, source: str,
                   evidence_reference: str = "") -> Consent:
    """Record that `customer` grants or withdraws (`status`) consent to be contacted for
    `purpose` on `channel`, as given through `source`, with `evidence_reference` (required for
    a grant). Return the current Consent row.

    Appends a ConsentEvent (never changed afterwards), points the current row at it, and
    appends a `consent.granted` or `consent.withdrawn` audit event naming the channel and
    purpose (never the evidence itself). Recording the same state again is recorded too: it
    is fresh evidence.

    Raise PermissionDenied unless `actor` may manage the customer's consent; ValidationError
    (by field) for an unknown channel, purpose or source, or a grant without evidence. A
    refused call records nothing.
    """
    permissions.check(actor, permissions.CustomerAction.MANAGE_CONSENT, customer)
    evidence_reference = (evidence_reference or "").strip()
    if status not in ConsentStatus.values:
        raise ValidationError({"status": _("Choose granted or withdrawn.")})
    _validate(channel=channel, purpose=purpose, source=source, status=status,
              evidence_reference=evidence_reference)
    lock_customer(customer.pk)
    return _record(actor=actor, customer=customer, channel=channel, purpose=purpose, status=status,
                   source=source, evidence_reference=evidence_reference)


def _record(*, actor, customer: Customer, channel: str, purpose: str, status: str, source: str,
            evidence_reference: str) -> Consent:
    now = timezone.now()
    event = ConsentEvent(customer=customer, channel=channel, purpose=purpose, status=status, source=source,
                         evidence_reference=evidence_reference or None, recorded_by=actor, recorded_at=now)
    event.full_clean()
    event.save()
    consent = Consent.objects.filter(customer=customer, channel=channel, purpose=purpose).first()
    if consent is None:
        consent = Consent.objects.create(customer=customer, channel=channel, purpose=purpose, status=status,
                                         source=source, changed_at=now, changed_by=actor, event=event)
    else:
        consent.status, consent.source, consent.changed_at = status, source, now
        consent.changed_by, consent.event = actor, event
        consent.save(update_fields=["status", "source", "changed_at", "changed_by", "event"])
    audit_record(
        actor=actor, action=f"consent.{status}", object_type=OBJECT_TYPE, object_id=customer.pk,
        fields=["evidence_reference"] if evidence_reference else [],
        extra={"channel": channel, "purpose": purpose, "source": source, "consent_event": event.pk},
    )
    return consent


def consent_grant(*, actor, customer: Customer, channel: str, purpose: str, source: str,
                  evidence_reference: str) -> Consent:
    """`consent_record` with status granted."""
    return consent_record(actor=actor, customer=customer, channel=channel, purpose=purpose,
                          status=ConsentStatus.GRANTED, source=source, evidence_reference=evidence_reference)


def consent_withdraw(*, actor, customer: Customer, channel: str, purpose: str, source: str,
                     evidence_reference: str = "") -> Consent:
    """`consent_record` with status withdrawn: effective for every contact asked after it."""
    return consent_record(actor=actor, customer=customer, channel=channel, purpose=purpose,
                          status=ConsentStatus.WITHDRAWN, source=source,
                          evidence_reference=evidence_reference)


# What an objection to direct marketing stops: marketing, and invitations to the bank's events.
OBJECTION_PURPOSES = (ContactPurpose.MARKETING, ContactPurpose.EVENTS)


@transaction.atomic
def marketing_objection_record(*, actor, customer: Customer, reference: str) -> int:
    """Withdraw the customer's consent to marketing and event invitations on every channel at
    once, as their objection to direct marketing asks (a privacy request whose `reference` is
    the evidence). Channels never granted are withdrawn too, so no later default reads them as
    open. Return how many consents were granted before and are withdrawn now.

    Raise PermissionDenied unless `actor` may carry out privacy requests (compliance).
    """
    permissions.check(actor, permissions.CustomerAction.APPLY_PRIVACY_REQUEST, customer)
    return erasure_consents_withdraw(actor=actor, customer=customer, reference=reference,
                                     purposes=OBJECTION_PURPOSES, channels=ContactChannel.values)


def erasure_consents_withdraw(*, actor, customer: Customer, reference: str, purposes, channels) -> int:
    """Withdraw `purposes` on `channels` for a privacy request (objection, erasure) whose
    `reference` is the evidence; return how many were granted before. The caller has checked
    APPLY_PRIVACY_REQUEST."""
    lock_customer(customer.pk)
    granted = Consent.objects.filter(customer=customer, purpose__in=purposes, channel__in=channels,
                                     status=ConsentStatus.GRANTED).count()
    for purpose in purposes:
        for channel in channels:
            _record(actor=actor, customer=customer, channel=channel, purpose=purpose,
                    status=ConsentStatus.WITHDRAWN, source=ConsentSource.PRIVACY_REQUEST,
                    evidence_reference=reference)
    return granted
