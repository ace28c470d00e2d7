from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from compliance import access
        from customers.models import Customer
        from customers.permissions import CustomerPolicy

        access.register(
            Customer,
            policy=CustomerPolicy(),
            fields=[
                access.SensitiveField("id_number", "id_number", "last4", _("ID / registration number")),
                access.SensitiveField("phone", "phone", "phone", _("phone")),
                access.SensitiveField("email", "email", "email", _("e-mail")),
                access.SensitiveField("address", "address", "text", _("address")),
                access.SensitiveField("date_of_birth", "individual.date_of_birth", "date",
                                      _("date of birth"), applies=is_individual),
                access.SensitiveField("annual_income", "individual.annual_income", "amount",
                                      _("annual income"), applies=is_individual),
                access.SensitiveField("annual_revenue", "corporate.annual_revenue", "amount",
                                      _("annual revenue"), applies=is_corporate),
                access.SensitiveField("aum", "aum", "amount", _("assets under management")),
            ],
        )
        # Role permissions are granted by a migration; this restores them after a flush.
        post_migrate.connect(_ensure_role_permissions, sender=self)
        # Celery's autodiscovery imports only `tasks` modules; the import tasks live apart.
        from customers import import_tasks  # noqa: F401


def is_individual(customer) -> bool:
    return customer.kind == "individual"


def is_corporate(customer) -> bool:
    return customer.kind == "corporate"


def _ensure_role_permissions(sender, using="default", **kwargs) -> None:
    from customers.permissions import permission_id, sync_role_permissions

    # A flush recreates permissions under new ids: forget the cached ones.
    permission_id.cache_clear()
    sync_role_permissions(using=using)
