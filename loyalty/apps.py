from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "loyalty"
    verbose_name = _("Loyalty and satisfaction")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from loyalty.permissions import register_policy
        from loyalty.trust import register_protected_models
        from loyalty.views.panel import register_panels

        register_policy()
        register_protected_models()
        register_panels()
