"""The audit chain's tables: the append-only event log and the record of its verifications.

Field encryption needs no tables; everything else the compliance app stores lives here.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AuditAction(models.TextChoices):
    """The actions the portal records. Apps may record others of the same `<noun>.<verb>` shape."""

    AUTH_LOGIN = "auth.login", _("Signed in")
    AUTH_LOGOUT = "auth.logout", _("Signed out")
    AUTH_LOGIN_FAILED = "auth.login_failed", _("Sign-in failed")
    AUTH_LOCKED_OUT = "auth.locked_out", _("Account locked out")
    PII_REVEALED = "pii.revealed", _("Personal data revealed")
    PII_REVEAL_GRANTED = "pii.reveal_granted", _("Personal data reveal granted")
    CUSTOMER_CREATED = "customer.created", _("Customer created")
    CUSTOMER_UPDATED = "customer.updated", _("Customer updated")
    CUSTOMER_REASSIGNED = "customer.reassigned", _("Customer reassigned")
    CUSTOMER_MERGED = "customer.merged", _("Customers merged")
    CUSTOMER_UNMERGED = "customer.unmerged", _("Customer merge undone")
    CUSTOMER_SEGMENT_OVERRIDDEN = "customer.segment_overridden", _("Customer segment overridden")
    PERMISSION_GRANTED = "permission.granted", _("Permission granted")
    PERMISSION_REVOKED = "permission.revoked", _("Permission revoked")
    DELEGATION_CREATED = "delegation.created", _("Delegation created")
    DELEGATION_ENDED = "delegation.ended", _("Delegation ended")
    EXPORT_CREATED = "export.created", _("Export created")
    IMPORT_APPLIED = "import.applied", _("Import applied")
    CONFIG_CHANGED = "config.changed", _("Configuration changed")
    AUDIT_SEARCHED = "audit.searched", _("Audit trail searched")
    AUDIT_REPORT_VIEWED = "audit.report_viewed", _("Audit report viewed")
    AUDIT_VERIFIED = "audit.verified", _("Audit chain verified")
    AUDIT_HEAD_EXPORTED = "audit.head_exported", _("Audit chain head exported")


class AuditEventImmutable(Exception):
    """Raised when code tries to change or delete an audit event through the ORM."""


class AuditEventQuerySet(models.QuerySet):
    """Refuses bulk changes: the database trigger would refuse them anyway, this fails earlier."""

    def update(self, **kwargs):
        raise AuditEventImmutable("Audit events are append-only; they cannot be updated.")

    def delete(self):
        raise AuditEventImmutable("Audit events are append-only; they cannot be deleted.")


class AuditEvent(models.Model):
    """One link of the audit chain: who did what to which object, which fields, when, from where.

    Rows are only ever inserted, by `compliance.audit.audit_record`, which serialises writers
    and links each row to the previous one through `previous_hash`. A database trigger refuses
    UPDATE, DELETE and TRUNCATE. Payloads hold ids, counts and field NAMES, never values.

    `sequence` is the primary key: it is the chain's natural identity and the sort key of every
    search, and a separate surrogate key would only add an index to a very large table.
    """

    sequence = models.BigIntegerField(_("sequence"), primary_key=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    # An append-only table cannot follow its users with SET NULL or CASCADE, and a constraint
    # would block deleting a user: the id stays as written, `actor_username` says who it was.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    actor_username = models.CharField(_("actor username"), max_length=150)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    fields = ArrayField(
        models.CharField(max_length=100), verbose_name=_("fields"), default=list, blank=True
    )
    purpose = models.TextField(_("purpose"), blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    extra = models.JSONField(_("extra"), default=dict, blank=True)
    previous_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-sequence"]
        # Searches list newest first by sequence, so each composite index ends with it: a
        # filtered search reads the index backwards and stops after one page. Sequence and
        # time grow together, so these also serve "<filter> in time order".
        indexes = [
            models.Index(fields=["actor_username", "sequence"], name="audit_actor_seq"),
            # object_id first: the admin also searches by id alone.
            models.Index(fields=["object_id", "object_type", "sequence"], name="audit_object_seq"),
            models.Index(fields=["action", "sequence"], name="audit_action_seq"),
            models.Index(fields=["occurred_at"], name="audit_occurred_at"),
            # "Who saw this customer": events that list the objects they touched in
            # extra["objects"] (pii.revealed, exports). Partial, so the GIN index holds only
            # those rows; queries repeat the `extra ? 'objects'` predicate to use it.
            GinIndex(
                fields=["extra"],
                opclasses=["jsonb_path_ops"],
                condition=Q(extra__has_key="objects"),
                name="audit_extra_objects_gin",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(sequence__gte=1), name="audit_sequence_positive"),
            models.CheckConstraint(
                condition=Q(hash__regex=r"^[0-9a-f]{64}$")
                & Q(previous_hash__regex=r"^[0-9a-f]{64}$"),
                name="audit_hashes_hex",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} by {self.actor_username}"

    def save(self, *args, **kwargs):
        # Only inserts are allowed; an ordinary save() of a loaded row would try an UPDATE.
        if not self._state.adding:
            raise AuditEventImmutable("Audit events are append-only; they cannot be updated.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEventImmutable("Audit events are append-only; they cannot be deleted.")


class AuditVerification(models.Model):
    """One run of the chain verification: when, how far it got, and the first broken link.

    `head_sequence` / `head_hash` is the newest event the run found intact; the next run
    expects that event to be unchanged, so a rewrite of already-verified history is caught
    even without an exported head.
    """

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    ok = models.BooleanField(_("intact"))
    events_checked = models.BigIntegerField(_("events checked"))
    first_broken_sequence = models.BigIntegerField(_("first broken sequence"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    head_sequence = models.BigIntegerField(_("head sequence"), null=True, blank=True)
    head_hash = models.CharField(_("head hash"), max_length=64, blank=True)
    expected_head_sequence = models.BigIntegerField(
        _("expected head sequence"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("audit verification")
        verbose_name_plural = _("audit verifications")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        state = _("intact") if self.ok else _("broken")
        return f"{self.started_at:%Y-%m-%d %H:%M} {state}"


class UnreadableValue(models.Model):
    """An encrypted value that could not be decrypted: which column of which row, why, and
    when it was seen.

    Written by `compliance.unreadable.report_unreadable` (one row per column and row,
    counted on every later sighting), so operations see what needs repair without a log
    search. Holds names and ids, never a value or a token. `resolved_at` is set by an
    operator once the value has been entered again or the row restored.
    """

    context = models.CharField(_("column"), max_length=200)  # app_label.model_name.field_name
    row_id = models.CharField(_("row id"), max_length=64)
    reason = models.CharField(_("reason"), max_length=32)
    first_seen_at = models.DateTimeField(_("first seen"))
    last_seen_at = models.DateTimeField(_("last seen"))
    occurrences = models.BigIntegerField(_("occurrences"), default=1)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("unreadable value")
        verbose_name_plural = _("unreadable values")
        ordering = ["-last_seen_at"]
        constraints = [
            models.UniqueConstraint(fields=["context", "row_id"], name="unreadable_value_once"),
        ]

    def __str__(self) -> str:
        return f"{self.context} row {self.row_id}"



# The privacy requests' tables live with their mechanism; Django finds them through this module.
from compliance.privacy.models import DeadlineProfile, PrivacyExport, PrivacyRequest  # noqa: E402, F401
