from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("Compliance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from compliance import receivers
        from compliance.audit import note_pii_revealed, pii_reveals_noted
        from compliance.crypto import decrypt, encrypt
        from compliance.unreadable import open_unreadable_count
        from crm import health
        from crm.api import idempotency

        receivers.connect()
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
