from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("Compliance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from compliance import receivers
        from compliance.audit import note_pii_revealed, pii_reveals_noted
        from compliance.crypto import decrypt, encrypt
        from compliance.privacy import tasks as privacy_tasks  # noqa: F401 - registers the tasks
        from compliance.unreadable import open_unreadable_count
        from crm import health
        from crm.api import idempotency

        receivers.connect()
        post_migrate.connect(_ensure_privacy_defaults, sender=self)
        health.register_alert("unreadable_values", open_unreadable_count)
        # The project package sits below the trust layer and may not import it: its stored
        # Idempotency-Key responses get their encryption and audit notes from here.
        idempotency.register_protection(
            idempotency.Protection(
                encrypt=encrypt,
                decrypt=decrypt,
                reveals_noted=pii_reveals_noted,
                note_revealed=note_pii_revealed,
            )
        )


def _ensure_privacy_defaults(sender, using="default", apps=None, **kwargs) -> None:
    from compliance.privacy.defaults import ensure_profiles

    # The model as the database has it now (none after migrating back before it).
    try:
        profile = (apps or sender.apps).get_model("compliance", "DeadlineProfile")
    except LookupError:
        return
    ensure_profiles(profile, using=using)
