from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Organisation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from crm.api.idempotency import check_protection

        checks.register(check_protection, checks.Tags.security)
        # Role groups are created by a migration; this puts them back after a flush (a
        # transactional test, `manage.py flush`), which empties every table.
        post_migrate.connect(_ensure_role_groups, sender=self)


def _ensure_role_groups(sender, using="default", **kwargs) -> None:
    from django.contrib.auth.models import Group

    from crm.roles import ROLE_PRECEDENCE

    for name in ROLE_PRECEDENCE:
        Group.objects.using(using).get_or_create(name=name)
