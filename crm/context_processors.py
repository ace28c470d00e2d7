"""Template context shared by every page: bank name, navigation, the user's role and branch."""

from django.conf import settings

from crm.navigation import navigation_for
from crm.roles import primary_role, role_label


def portal(request) -> dict:
    user = getattr(request, "user", None)
    context = {"bank_name": settings.BANK_NAME, "bank_currency": settings.BANK_CURRENCY}
    if user is not None and user.is_authenticated:
        profile = getattr(user, "staff_profile", None)
        context.update(
            navigation=navigation_for(user, request.path),
            user_role_label=role_label(primary_role(user)),
            user_branch=profile.branch if profile else None,
            session_idle_minutes=settings.SESSION_IDLE_MINUTES,
        )
    return context
