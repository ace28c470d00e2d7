from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "loyalty"
    verbose_name = _("Loyalty and satisfaction")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from loyalty.api.replay import register_engagement_replay_checks
        from loyalty.permissions import register_policy
        from loyalty.permissions_engagement import register_engagement_policy
        from loyalty.trust import register_protected_models
        from loyalty.trust_engagement import register_engagement_models
        from loyalty.views.panel import register_panels
        from loyalty.views.panels import register_engagement_panels

        register_policy()
        register_engagement_policy()
        register_protected_models()
        register_engagement_models()
        register_engagement_replay_checks()
        register_panels()
        register_engagement_panels()
        from loyalty import privacy

        privacy.register()  # what loyalty holds about a customer, for privacy exports
        # The default survey templates come from migration 0002; this restores them after a flush.
        post_migrate.connect(_ensure_survey_templates, sender=self)
        # Celery's autodiscovery imports only `loyalty.tasks`; the areas keep their own.
        from loyalty.events import tasks as event_tasks  # noqa: F401
        from loyalty.surveys import tasks as survey_tasks  # noqa: F401


def _ensure_survey_templates(sender, using="default", apps=None, **kwargs) -> None:
    from loyalty.surveys.defaults import ensure_default_templates

    try:
        template = (apps or sender.apps).get_model("loyalty", "SurveyTemplate")
        question = (apps or sender.apps).get_model("loyalty", "SurveyQuestion")
    except LookupError:
        return
    ensure_default_templates(template, question, using=using)
