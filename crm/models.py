"""Organisation: branches, staff profiles and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Branch(models.Model):
    """A branch or regional office. `parent` builds the regional hierarchy (region -> branch)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=120)
    region = models.CharField(_("region"), max_length=80, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StaffProfile(models.Model):
    """A member of staff: their branch, employee number and title. Roles are groups."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="staff_profile",
    )
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="staff",
        null=True,
        blank=True,
        help_text=_("Empty for head-office roles that serve every branch."),
    )
    employee_number = models.CharField(_("employee number"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")
        ordering = ["employee_number"]
        indexes = [models.Index(Lower("employee_number"), name="staff_employee_number_lower")]

    def __str__(self) -> str:
        return f"{self.employee_number} {self.user.get_full_name() or self.user.get_username()}"


class ApiToken(models.Model):
    """A bearer token for the REST API. Only a SHA-256 digest of the token is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=80, blank=True)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class IdempotencyRecord(models.Model):
    """The stored outcome of a non-idempotent API request sent with an `Idempotency-Key`.

    One row per (user, key). `method`, `path` and `request_hash` (SHA-256 of the canonical
    request body) identify what the key was first used for; a retry with the same key must
    match them. `response` is the response body the caller saw, encrypted (it may hold
    personal data) with the context "crm.idempotencyrecord.response". Rows expire after
    24 hours and are purged by `crm.tasks.idempotency_records_purge`.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("idempotency key"), max_length=255)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=500)
    request_hash = models.CharField(_("request hash"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    response = models.TextField(_("response (encrypted)"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.method} {self.path}"


class OutboxMessage(models.Model):
    """A Celery task to send, written in the same transaction as the change that calls for it.

    `crm.outbox.outbox_enqueue` writes the row inside the caller's transaction and sends it
    once that commits; `crm.outbox.outbox_sweep` (Celery beat, and `manage.py outbox_sweep`)
    sends what was committed but not delivered, for instance while the broker was down.
    `claimed_until` is the lease of the process sending it, so two senders do not send the same
    row at once; `sent_at` is set once the broker took it. A task is sent at least once and
    may, after a crash between the send and the bookkeeping, be sent twice: every task sent
    this way is idempotent. `args` hold ids only, never personal data.
    """

    task_name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["id"], condition=models.Q(sent_at__isnull=True), name="outbox_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} {self.args}"


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday (no business day)")
    WORKING_DAY = "working_day", _("Working day (on a weekend)")


class CalendarDay(models.Model):
    """An exception to "Monday to Friday are business days": a public holiday on a weekday, or
    a weekend day worked in its place (as mainland China moves days around its holidays).
    Deadlines that count business days (`crm.business_days`) read this table."""

    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.name}"
