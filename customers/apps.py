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
        from customers import privacy

        privacy.register()
        # Role permissions are granted by a migration; this restores them after a flush.
        post_migrate.connect(_ensure_role_permissions, sender=self)
        post_migrate.connect(_ensure_care_defaults, sender=self)
        post_migrate.connect(_ensure_offer_defaults, sender=self)
        _register_panels()
        # Celery's autodiscovery imports only `tasks` modules; the import tasks live apart.
        from customers.care import tasks as care_tasks  # noqa: F401
        from customers.intake import tasks  # noqa: F401
        from customers.outreach.campaigns import tasks as campaign_tasks  # noqa: F401
        from customers.outreach.offers import tasks as offer_tasks  # noqa: F401


def _register_panels() -> None:
    from customers.outreach.offers.selectors import offers_panel
    from customers.overview.panels import CustomerPanel, register_customer_panel

    register_customer_panel(CustomerPanel(name="offers", template="customers/offers/_panel.html",
                                          context=offers_panel, order=10, column="main"))


def _ensure_role_permissions(sender, using="default", apps=None, **kwargs) -> None:
    from customers.outreach.caps import default_caps_restore
    from customers.permissions import permission_id, sync_role_permissions

    # A flush recreates permissions under new ids: forget the cached ones.
    permission_id.cache_clear()
    sync_role_permissions(using=using)
    # The default contact caps come from the outreach migration; this restores them after a
    # flush (where the table exists: not after migrating back before it).
    try:
        contact_cap = (apps or sender.apps).get_model("customers", "ContactCap")
    except LookupError:
        return
    default_caps_restore(using=using, model=contact_cap)


def _ensure_care_defaults(sender, using="default", apps=None, **kwargs) -> None:
    from customers.care.defaults import ensure_defaults

    # The models as the database has them now (none after migrating back before them).
    try:
        contact_plan = (apps or sender.apps).get_model("customers", "ContactPlan")
        trigger_rule = (apps or sender.apps).get_model("customers", "TriggerRule")
    except LookupError:
        return
    ensure_defaults(contact_plan, trigger_rule, using=using)


def _ensure_offer_defaults(sender, using="default", apps=None, **kwargs) -> None:
    from customers.outreach.offers.defaults import ensure_defaults

    try:
        product = (apps or sender.apps).get_model("customers", "Product")
        rule = (apps or sender.apps).get_model("customers", "OfferRule")
    except LookupError:
        return
    ensure_defaults(product, rule, using=using)
