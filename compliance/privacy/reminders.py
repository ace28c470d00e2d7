"""The morning warning to compliance officers: open privacy requests whose deadline is near
(the profile's warning days) or passed, by reference, kind and date only — never the subject or
the words of the request."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from compliance.privacy.clock import request_clock
from compliance.privacy.models import PrivacyRequest, RequestStatus
from crm.roles import Role

MAX_WARNING = datetime.timedelta(days=60)  # DeadlineProfile.warn_days_before is at most 60


def _at_risk(today: datetime.date) -> list[PrivacyRequest]:
    """Open requests due within their profile's warning days, or overdue, not yet warned about
    today (locked until the warning is recorded)."""
    candidates = (PrivacyRequest.objects.filter(status=RequestStatus.OPEN, due_on__lte=today + MAX_WARNING)
                  .exclude(warned_on=today).select_related("profile").order_by("due_on", "pk")
                  .select_for_update(of=("self",)))
    return [request for request in candidates
            if (request.due_on - today).days <= request.profile.warn_days_before]


def deadlines_warn(*, today: datetime.date | None = None) -> int:
    """E-mail every compliance officer the requests at risk not yet warned about today; return
    how many requests were in the e-mail (0: none sent). Safe to run again the same day."""
    today = today or timezone.localdate()
    with transaction.atomic():
        requests = _at_risk(today)
        if not requests:
            return 0
        recipients = list(
            get_user_model()
            .objects.filter(groups__name=Role.COMPLIANCE_OFFICER.value, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        with translation.override(settings.LANGUAGE_CODE):
            lines = [
                f"{request.reference} · {request.get_kind_display()} · {_('due')} "
                f"{request.due_on:%Y-%m-%d} · {request_clock(request, today).text}"
                for request in requests
            ]
            body = "\n".join(
                [
                    _("Privacy requests whose deadline is near or passed:"),
                    "",
                    *lines,
                    "",
                    f"{settings.PORTAL_BASE_URL}{reverse('privacy-request-list')}",
                ]
            )
            subject = _("Privacy requests at risk: %(count)d") % {"count": len(requests)}
        if recipients:
            send_mail(subject, body, None, recipients)
        PrivacyRequest.objects.filter(pk__in=[request.pk for request in requests]).update(warned_on=today)
    return len(requests)
