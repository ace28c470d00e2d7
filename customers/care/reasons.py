"""Why a follow-up exists, in the reader's language, from its reason code and details.

The details hold nothing a masked view would not show: a product type, an account number's
stored mask ("****1234"), a date, a percentage. Nothing here decrypts anything.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import translation
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customers.models import FollowUp, ProductType, TriggerKind

PLAN = "plan"
RESCHEDULED = "rescheduled"
# An unhappy survey answer (loyalty): {"kind": "nps"|"csat", "score": n}.
DETRACTOR = "detractor"


def _day(value) -> str:
    day = parse_date(value) if isinstance(value, str) else value
    if not isinstance(day, datetime.date):
        return ""
    return date_format(day, "MONTH_DAY_FORMAT")


def _product(code: str) -> str:
    try:
        return str(ProductType(code).label)
    except ValueError:
        return _("Product")


def contact_reason(follow_up: FollowUp) -> str:
    """Why the customer is contacted for `follow_up`, as the contact log keeps it: the kind of
    reason in the bank's language, without the account, date or figures the worklist shows."""
    with translation.override(settings.LANGUAGE_CODE):
        return _contact_reason(follow_up)


def _contact_reason(follow_up: FollowUp) -> str:
    if follow_up.reason == PLAN:
        kind = _("regular contact")
    elif follow_up.reason == RESCHEDULED:
        kind = _("rescheduled")
    else:
        try:
            kind = str(TriggerKind(follow_up.reason).label)
        except ValueError:
            kind = _("other")
    return _("Follow-up: %(kind)s") % {"kind": kind}


def reason_text(follow_up: FollowUp) -> str:
    """The reason for `follow_up` in words ("Term deposit ****1234 matures on 12 January")."""
    data = follow_up.reason_data or {}
    reason = follow_up.reason
    if reason == PLAN:
        if data.get("months"):
            months = int(data["months"])
            return ngettext("Regular contact, every month", "Regular contact, every %(count)d months",
                            months) % {"count": months}
        days = int(data.get("days") or 0)
        return ngettext("Regular contact, every day", "Regular contact, every %(count)d days",
                        days) % {"count": days}
    if reason == TriggerKind.MATURITY:
        return _("%(product)s %(account)s matures on %(date)s") % {
            "product": _product(data.get("product_type", "")), "account": data.get("account") or "",
            "date": _day(data.get("date")),
        }
    if reason == TriggerKind.BIRTHDAY:
        return _("Birthday on %(date)s") % {"date": _day(data.get("date"))}
    if reason == TriggerKind.KYC_REVIEW:
        return _("KYC review due on %(date)s") % {"date": _day(data.get("date"))}
    if reason == TriggerKind.RISK_REVIEW:
        return _("Risk profile review due on %(date)s") % {"date": _day(data.get("date"))}
    if reason == TriggerKind.AUM_DROP:
        return _("Assets down %(percent)s%% since %(date)s") % {
            "percent": data.get("percent", ""), "date": _day(data.get("since")),
        }
    if reason == TriggerKind.DORMANT:
        return _("No contact for more than %(days)s days") % {"days": data.get("days", "")}
    if reason == RESCHEDULED:
        return _("Rescheduled follow-up")
    if reason == DETRACTOR:
        if data.get("kind") == "csat":
            return _("Unhappy survey answer (satisfaction %(score)s of 5): call back") % {
                "score": data.get("score", "")}
        return _("Unhappy survey answer (recommendation %(score)s of 10): call back") % {
            "score": data.get("score", "")}
    return _("Follow-up")
