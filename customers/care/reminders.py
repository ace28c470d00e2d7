"""The morning digest: for each user with follow-ups due today or overdue, one portal
notification and one e-mail, once per day (the notification's key decides).

The e-mail holds customers' names, numbers and links to the portal only: no reason, no
contact detail, nothing of the encrypted fields. Two queries find what is due for everyone;
then one notification and one message per user.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customers.models import OPEN_STATUSES, FollowUp, Notification

DIGEST_ITEMS = 30


def _link(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


def digests_send(*, today: datetime.date | None = None) -> int:
    """Notify and e-mail each user their follow-ups due by `today`; return how many users were
    sent a digest now (a rerun the same day sends none)."""
    today = today or timezone.localdate()
    due = (FollowUp.objects.filter(status__in=OPEN_STATUSES, due_on__lte=today)
           .order_by("assigned_to_id", "due_on", "pk")
           .values_list("assigned_to_id", "due_on", "customer_id", "customer__display_name",
                        "customer__number"))
    by_user: dict[int, list[tuple]] = {}
    for assignee, due_on, customer_id, name, number in due:
        by_user.setdefault(assignee, []).append((due_on, customer_id, name, number))
    users = get_user_model().objects.in_bulk(list(by_user))
    sent = 0
    for user_id, items in by_user.items():
        user = users.get(user_id)
        if user is None or not user.is_active:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            sent += _send_one(user, items, today)
    return sent


@transaction.atomic
def _send_one(user, items: list[tuple], today: datetime.date) -> int:
    overdue = sum(1 for due_on, *_rest in items if due_on < today)
    text = ngettext("%(count)d follow-up due today or overdue (%(overdue)d overdue).",
                    "%(count)d follow-ups due today or overdue (%(overdue)d overdue).",
                    len(items)) % {"count": len(items), "overdue": overdue}
    _notification, created = Notification.objects.get_or_create(
        user=user, key=f"digest:{today.isoformat()}", defaults={"text": text, "link": reverse("home")},
    )
    if not created:
        return 0
    if user.email:
        lines = [text, ""]
        for _due_on, customer_id, name, number in items[:DIGEST_ITEMS]:
            lines.append(f"- {name} ({number}): {_link(reverse('customer-detail', args=[customer_id]))}")
        if len(items) > DIGEST_ITEMS:
            lines.append(_("… and %(count)d more.") % {"count": len(items) - DIGEST_ITEMS})
        lines += ["", _("Your worklist: %(link)s") % {"link": _link(reverse("home"))}]
        subject = _("Your follow-ups for %(date)s") % {"date": date_format(today, "MONTH_DAY_FORMAT")}
        message = "\n".join(lines)
        transaction.on_commit(lambda: send_mail(subject, message, None, [user.email], fail_silently=False))
    return 1
