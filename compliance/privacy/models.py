"""Privacy (data-subject) requests: the deadline profiles of each jurisdiction, the requests
with their clocks, and the exports that answer access and portability requests.

A request is about a data subject held by a domain app (a customer: `subject_type`
"customers.customer" and the customer's id); compliance never imports that app, it asks the
subject types and data sources the apps register (`compliance.privacy.registry`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compliance.fields import EncryptedTextField, RecordKeyField


class DeadlineUnit(models.TextChoices):
    DAYS = "days", _("calendar days")
    BUSINESS_DAYS = "business_days", _("business days")
    MONTHS = "months", _("months")


class DeadlineProfile(models.Model):
    """How long a jurisdiction gives the bank to answer a request, and how far it may extend
    it: GDPR one month, extendable by two; Hong Kong's PDPO 40 days; mainland China's PIPL a
    deadline the bank sets (15 business days by default). Data, edited in admin; the one in
    force is `settings.PRIVACY_DEADLINE_PROFILE` unless a request names another."""

    code = models.SlugField(_("code"), max_length=24, unique=True)
    name = models.CharField(_("name"), max_length=80)
    respond_within = models.PositiveSmallIntegerField(
        _("respond within"), validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    unit = models.CharField(_("unit"), max_length=16, choices=DeadlineUnit.choices)
    extension = models.PositiveSmallIntegerField(
        _("extension"),
        default=0,
        validators=[MaxValueValidator(366)],
        help_text=_("How much longer the bank may take, with a reason (0: no extension)."),
    )
    extension_unit = models.CharField(
        _("extension unit"), max_length=16, choices=DeadlineUnit.choices, default=DeadlineUnit.MONTHS
    )
    warn_days_before = models.PositiveSmallIntegerField(
        _("warn this many days before"), default=5, validators=[MaxValueValidator(60)]
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("privacy deadline profile")
        verbose_name_plural = _("privacy deadline profiles")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access")
    PORTABILITY = "portability", _("Portability")
    RECTIFICATION = "rectification", _("Rectification")
    ERASURE = "erasure", _("Erasure")
    OBJECTION = "objection", _("Objection to direct marketing")
    RESTRICTION = "restriction", _("Restriction of processing")


class RequestChannel(models.TextChoices):
    BRANCH = "branch", _("Branch")
    ONLINE = "online", _("Online banking or app")
    CALL_CENTRE = "call_centre", _("Call centre")
    POST = "post", _("Post")


class Verification(models.TextChoices):
    ID_DOCUMENT = "id_document", _("Identity document seen in branch")
    STRONG_AUTHENTICATION = "strong_authentication", _("Strong authentication in online banking")
    CALL_SECURITY = "call_security", _("Call-centre security questions")
    CERTIFIED_COPY = "certified_copy", _("Certified copy of an identity document")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    COMPLETED = "completed", _("Completed")
    REFUSED = "refused", _("Refused")


OPEN_STATUSES = (RequestStatus.OPEN,)


class PrivacyRequest(models.Model):
    """A data subject's request, from receipt to its answer, with its deadline.

    `due_on` is fixed at receipt from the profile in force; an extension (where the profile
    allows one) moves it once, with a reason. The requester's details, the request's own words
    and the answer may name the person: encrypted and bound to the row.
    """

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=RequestKind.choices)
    subject_type = models.CharField(_("subject type"), max_length=40)
    subject_id = models.BigIntegerField(_("subject"))
    channel = models.CharField(_("channel"), max_length=16, choices=RequestChannel.choices)
    verification = models.CharField(_("identity verified by"), max_length=24, choices=Verification.choices)
    by_representative = models.BooleanField(_("made by a representative"), default=False)
    record_key = RecordKeyField()
    details = EncryptedTextField(_("what is asked"), max_length=4000, blank=True, null=True)
    verification_reference = EncryptedTextField(
        _("verification reference"), max_length=200, blank=True, null=True
    )
    profile = models.ForeignKey(
        DeadlineProfile, on_delete=models.PROTECT, related_name="+", verbose_name=_("deadline profile")
    )
    received_on = models.DateField(_("received"))
    due_on = models.DateField(_("due"))
    extended = models.BooleanField(_("extended"), default=False)
    extension_reason = EncryptedTextField(
        _("reason for the extension"), max_length=1000, blank=True, null=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    answer = EncryptedTextField(_("answer"), max_length=4000, blank=True, null=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("logged by")
    )
    logged_at = models.DateTimeField(_("logged"), auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    warned_on = models.DateField(_("warned"), null=True, blank=True)

    class Meta:
        verbose_name = _("privacy request")
        verbose_name_plural = _("privacy requests")
        ordering = ["due_on", "pk"]
        permissions = [("submit_privacyrequest", _("Can submit privacy requests from a digital channel"))]
        indexes = [
            models.Index(fields=["status", "due_on"], name="privacy_request_clock"),
            models.Index(fields=["subject_type", "subject_id"], name="privacy_request_subject"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("received_on")), name="privacy_due_after_receipt"
            ),
            models.CheckConstraint(
                condition=Q(status=RequestStatus.OPEN) | Q(closed_at__isnull=False),
                name="privacy_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready to download")
    DOWNLOADED = "downloaded", _("Downloaded")
    FAILED = "failed", _("Failed")


class PrivacyExport(models.Model):
    """The answer to an access or portability request: a ZIP of everything the bank holds about
    the subject (JSON and CSV), prepared by Celery, encrypted at rest, downloadable once; the
    content is wiped when it is downloaded."""

    request = models.ForeignKey(
        PrivacyRequest, on_delete=models.PROTECT, related_name="exports", verbose_name=_("request")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    record_key = RecordKeyField()
    content = EncryptedTextField(_("content"), blank=True, null=True)
    sources = models.JSONField(_("rows per source"), default=dict, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    failure = models.CharField(_("why it failed"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    ready_at = models.DateTimeField(_("ready"), null=True, blank=True)
    downloaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("downloaded by"),
    )
    downloaded_at = models.DateTimeField(_("downloaded"), null=True, blank=True)

    class Meta:
        verbose_name = _("privacy export")
        verbose_name_plural = _("privacy exports")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.status}"
