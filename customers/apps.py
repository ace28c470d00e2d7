from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from customers.trust import register_audit_labels, register_protected_models, register_replay_checks

        register_protected_models()
        register_audit_labels()
        register_replay_checks()
        # Role permissions are granted by a migration; this restores them after a flush.
        post_migrate.connect(_ensure_role_permissions, sender=self)
        # Celery's autodiscovery imports only `tasks` modules; the import tasks live apart.
        from customers.intake import tasks  # noqa: F401


def _ensure_role_permissions(sender, using="default", **kwargs) -> None:
    from customers.outreach.caps import default_caps_restore
    from customers.permissions import permission_id, sync_role_permissions

    # A flush recreates permissions under new ids: forget the cached ones.
    permission_id.cache_clear()
    sync_role_permissions(using=using)
    # The default contact caps come from migration 0010; this restores them after a flush.
    default_caps_restore(using=using)
