"""Signals that feed the audit chain: sign-ins, lock-outs and changes made in Django admin.

These are audit infrastructure, not business logic: the events they record describe what
Django and django-axes did, and nothing else depends on them. Connected once by
`ComplianceConfig.ready()`.

No attempted username or password reaches the chain: a failed sign-in records only whether
the name belonged to an account (and that account as the actor), since a mistyped name is
often a password or another person's identifier.
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_save

from compliance.audit import OBJECT_ID_RE, audit_record
from compliance.models import AuditAction

ADMIN_CHANGES = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


def _account_named(username) -> object | None:
    if not isinstance(username, str) or not username:
        return None
    User = get_user_model()
    return User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action=AuditAction.AUTH_LOGIN)


def on_user_logged_out(sender, request, user, **kwargs) -> None:
    if user is None:  # signing out without having signed in
        return
    audit_record(actor=user, action=AuditAction.AUTH_LOGOUT)


def on_user_login_failed(sender, credentials, request=None, **kwargs) -> None:
    account = _account_named(credentials.get(get_user_model().USERNAME_FIELD))
    audit_record(
        actor=account or AnonymousUser(),
        action=AuditAction.AUTH_LOGIN_FAILED,
        extra={"username_known": account is not None},
    )


def on_user_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    account = _account_named(username)
    audit_record(
        actor=account or AnonymousUser(),
        action=AuditAction.AUTH_LOCKED_OUT,
        extra={"username_known": account is not None},
    )


def on_admin_log_entry_saved(sender, instance: LogEntry, created: bool, raw: bool = False,
                             **kwargs) -> None:
    # The change message and object_repr are never copied: either can hold field values.
    if not created or raw:
        return
    object_type = ""
    if instance.content_type_id is not None:
        content_type = ContentType.objects.get_for_id(instance.content_type_id)
        object_type = f"{content_type.app_label}.{content_type.model}"
    extra = {"change": ADMIN_CHANGES.get(instance.action_flag, "unknown"), "admin_log_entry": instance.pk}
    object_id = "" if instance.object_id in (None, "") else str(instance.object_id)
    if object_id and not OBJECT_ID_RE.match(object_id):
        # A key that is not a short token (a natural key with spaces, say) is left out rather
        # than losing the event; the admin log entry it points to still names the object.
        object_id, extra["object_id_omitted"] = "", True
    audit_record(
        actor=instance.user,
        action=AuditAction.CONFIG_CHANGED,
        object_type=object_type,
        object_id=object_id,
        extra=extra,
    )


def _audit_bulk_admin_actions() -> None:
    """Audit admin actions on several objects, which Django logs with bulk_create.

    bulk_create sends no post_save, so `delete_selected` and other bulk actions would pass
    unrecorded. Django offers no hook there; wrapping the manager method is the narrowest
    place to add one. One event per object, exactly as for single changes.
    """
    from django.contrib.admin.models import LogEntryManager

    if getattr(LogEntryManager.log_actions, "_audited", False):
        return
    original = LogEntryManager.log_actions

    def log_actions(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        if isinstance(result, list) and len(result) > 1:
            for entry in result:
                on_admin_log_entry_saved(sender=LogEntry, instance=entry, created=True)
        return result

    log_actions._audited = True
    LogEntryManager.log_actions = log_actions


def connect() -> None:
    """Connect the receivers (idempotent: each has a dispatch_uid)."""
    _audit_bulk_admin_actions()
    user_logged_in.connect(on_user_logged_in, dispatch_uid="compliance.audit.login")
    user_logged_out.connect(on_user_logged_out, dispatch_uid="compliance.audit.logout")
    user_login_failed.connect(on_user_login_failed, dispatch_uid="compliance.audit.login_failed")
    user_locked_out.connect(on_user_locked_out, dispatch_uid="compliance.audit.locked_out")
    post_save.connect(
        on_admin_log_entry_saved, sender=LogEntry, dispatch_uid="compliance.audit.admin_log_entry"
    )
