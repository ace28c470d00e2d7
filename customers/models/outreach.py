"""Consent, contact holds, contact caps and the contact log: what the contact-pressure policy
(`customers.outreach`) reads and writes.

Consent is kept as a current-state row per customer, channel and purpose (`Consent`) plus an
append-only history (`ConsentEvent`). The policy, and a campaign choosing its audience over
millions of customers, read one indexed row per customer, channel and purpose; the history
keeps every grant and withdrawal with its source, evidence and author. Only the consent
services write either, always both in one transaction, so the current row is always the
latest event's state.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compliance.fields import EncryptedTextField, RecordKeyField
from customers.models.party import Customer


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    APP_PUSH = "app_push", _("App push")
    MESSAGING = "messaging", _("Messaging")
    POST = "post", _("Post")


class ContactPurpose(models.TextChoices):
    SERVICE = "service", _("Service")
    MARKETING = "marketing", _("Marketing")
    SURVEYS = "surveys", _("Surveys")
    EVENTS = "events", _("Events")


class ConsentSource(models.TextChoices):
    BRANCH_FORM = "branch_form", _("Branch form")
    APP = "app", _("Mobile app")
    CALL_CENTRE = "call_centre", _("Call centre")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    PRIVACY_REQUEST = "privacy", _("Privacy request")


# The sources staff and systems record a consent through; a privacy request's own withdrawals
# are recorded only by it (customers.outreach.consent.erasure_consents_withdraw).
RECORDED_SOURCES = [choice for choice in ConsentSource.choices if choice[0] != ConsentSource.PRIVACY_REQUEST]


class ConsentStatus(models.TextChoices):
    GRANTED = "granted", _("Granted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Consent(models.Model):
    """The customer's current consent for one channel and purpose: the state of the latest
    ConsentEvent of the three. No row: the customer never said (see the policy for what that
    means per purpose)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents",
                                 verbose_name=_("customer"))
    channel = models.CharField(_("channel"), max_length=12, choices=ContactChannel.choices)
    purpose = models.CharField(_("purpose"), max_length=12, choices=ContactPurpose.choices)
    status = models.CharField(_("status"), max_length=10, choices=ConsentStatus.choices)
    source = models.CharField(_("source"), max_length=12, choices=ConsentSource.choices)
    changed_at = models.DateTimeField(_("since"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("recorded by"))
    # RESTRICT: an event goes only with its customer (who takes this row along), never alone.
    event = models.ForeignKey("ConsentEvent", on_delete=models.RESTRICT, related_name="+",
                              verbose_name=_("latest event"))

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(fields=["customer", "channel", "purpose"],
                                    name="consent_one_per_purpose"),
        ]
        indexes = [models.Index(fields=["channel", "purpose", "status"], name="consent_audience")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.purpose}/{self.channel}: {self.status}"


class ConsentEvent(models.Model):
    """One grant or withdrawal as it was recorded: never changed, never deleted by the portal.
    `evidence_reference` (the signed form's number, a call recording's id) may name the
    customer: it is encrypted and registered with the trust layer."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consent_events",
                                 verbose_name=_("customer"))
    channel = models.CharField(_("channel"), max_length=12, choices=ContactChannel.choices)
    purpose = models.CharField(_("purpose"), max_length=12, choices=ContactPurpose.choices)
    status = models.CharField(_("status"), max_length=10, choices=ConsentStatus.choices)
    source = models.CharField(_("source"), max_length=12, choices=ConsentSource.choices)
    # Every encrypted value of the row is bound to it (compliance.fields.RecordKeyField).
    record_key = RecordKeyField()
    evidence_reference = EncryptedTextField(_("evidence reference"), max_length=200, blank=True, null=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        indexes = [models.Index(fields=["customer", "-recorded_at"], name="consent_event_history")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.purpose}/{self.channel} {self.status}"


class ContactHoldKind(models.TextChoices):
    OPEN_COMPLAINT = "open_complaint", _("Open complaint")
    BEREAVEMENT = "bereavement", _("Bereavement")
    VULNERABLE = "vulnerable", _("Vulnerable customer")
    OTHER = "other", _("Other")


class ContactHold(models.Model):
    """A cool-off: while it is open (not lifted) the customer receives no outreach (marketing,
    surveys, events). Placed and lifted through `customers.outreach.holds`, by people or by
    other apps (a complaint opened and resolved), with who and why; `reference` lets such an
    app place its hold once and find it again. The reasons may mention personal matters:
    encrypted and registered with the trust layer."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contact_holds",
                                 verbose_name=_("customer"))
    kind = models.CharField(_("kind"), max_length=16, choices=ContactHoldKind.choices)
    # Every encrypted value of the row is bound to it (compliance.fields.RecordKeyField).
    record_key = RecordKeyField()
    reason = EncryptedTextField(_("reason"), max_length=500)
    reference = models.CharField(_("reference"), max_length=64, blank=True,
                                 help_text=_("What placed the hold, e.g. a complaint number."))
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("placed by"))
    placed_at = models.DateTimeField(_("placed"))
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("lifted by"))
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lift_reason = EncryptedTextField(_("reason for lifting"), max_length=500, blank=True, null=True)

    class Meta:
        verbose_name = _("contact hold")
        verbose_name_plural = _("contact holds")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "kind", "reference"],
                condition=Q(lifted_at__isnull=True) & ~Q(reference=""),
                name="contact_hold_open_reference",
            ),
        ]
        indexes = [models.Index(fields=["customer"], condition=Q(lifted_at__isnull=True),
                                name="contact_hold_open")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind}"

    @property
    def is_open(self) -> bool:
        return self.lifted_at is None


class ContactCap(models.Model):
    """At most `maximum` contacts for `purpose` in any `window_days` days, across channels.
    Configuration, changed through `customers.outreach.caps.contact_cap_save`."""

    purpose = models.CharField(_("purpose"), max_length=12, choices=ContactPurpose.choices)
    window_days = models.PositiveSmallIntegerField(
        _("window in days"), validators=[MinValueValidator(1), MaxValueValidator(366)])
    maximum = models.PositiveSmallIntegerField(_("maximum contacts"), validators=[MaxValueValidator(1000)])
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("contact cap")
        verbose_name_plural = _("contact caps")
        ordering = ["purpose", "window_days"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "window_days"], name="contact_cap_one_per_window"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose}: {self.maximum} / {self.window_days} d"


class SenderKind(models.TextChoices):
    CAMPAIGN = "campaign", _("Campaign")
    SURVEY = "survey", _("Survey")
    FOLLOW_UP = "follow_up", _("Follow-up")
    EVENT_INVITATION = "event_invitation", _("Event invitation")
    POINTS_REMINDER = "points_reminder", _("Points reminder")
    NOTICE = "notice", _("Notice")
    STAFF = "staff", _("Member of staff")


class ContactOutcome(models.TextChoices):
    SENT = "sent", _("Contacted")
    REFUSED = "refused", _("Not contacted")


class RefusalCode(models.TextChoices):
    MERGED = "merged", _("Merged record")
    DO_NOT_CONTACT = "do_not_contact", _("Do not contact")
    HOLD = "hold", _("Contact hold")
    VULNERABLE = "vulnerable", _("Vulnerable customer")
    NO_CONSENT = "no_consent", _("No consent")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    QUIET_HOURS = "quiet_hours", _("Quiet hours")
    CAP = "cap", _("Contact cap")


class ContactLog(models.Model):
    """Every contact the policy was asked about: sent (counted by the caps) or refused with
    its code and the figures behind it (`detail`: codes, counts and dates, never personal
    data). `reason` says why the bank contacts the customer, in the bank's terms."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contact_log",
                                 verbose_name=_("customer"))
    channel = models.CharField(_("channel"), max_length=12, choices=ContactChannel.choices)
    purpose = models.CharField(_("purpose"), max_length=12, choices=ContactPurpose.choices)
    legally_required = models.BooleanField(_("legally required"), default=False)
    reason = models.CharField(_("reason"), max_length=200)
    sender_kind = models.CharField(_("sender"), max_length=16, choices=SenderKind.choices)
    sender_id = models.CharField(_("sender id"), max_length=64, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("on behalf of"))
    at = models.DateTimeField(_("time"))
    outcome = models.CharField(_("outcome"), max_length=8, choices=ContactOutcome.choices)
    refusal_code = models.CharField(_("refused because"), max_length=20, choices=RefusalCode.choices,
                                    blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("contact log entry")
        verbose_name_plural = _("contact log")
        indexes = [
            models.Index(fields=["customer", "purpose", "outcome", "at"], name="contact_log_caps"),
            models.Index(fields=["customer", "-at"], name="contact_log_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="sent", refusal_code="") | (Q(outcome="refused") & ~Q(refusal_code="")),
                name="contact_log_refusal_has_code",
            ),
            models.CheckConstraint(condition=Q(legally_required=False) | Q(purpose="service"),
                                   name="contact_log_legal_is_service"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.purpose}/{self.channel} {self.outcome}"
