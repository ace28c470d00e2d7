"""Why a contact was not made, in the reader's language: the words come from the refusal's
code and figures (ContactLog.refusal_code and .detail) when they are shown, so the same
refusal reads in English, Simplified or Traditional Chinese."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from customers.models import ContactChannel, ContactHoldKind, ContactPurpose, RefusalCode

PURPOSE_NOUNS = {
    ContactPurpose.SERVICE: gettext_lazy("service"),
    ContactPurpose.MARKETING: gettext_lazy("marketing"),
    ContactPurpose.SURVEYS: gettext_lazy("survey"),
    ContactPurpose.EVENTS: gettext_lazy("event"),
}
CHANNEL_NOUNS = {
    ContactChannel.PHONE: gettext_lazy("phone"),
    ContactChannel.SMS: gettext_lazy("SMS"),
    ContactChannel.EMAIL: gettext_lazy("e-mail"),
    ContactChannel.APP_PUSH: gettext_lazy("app push"),
    ContactChannel.MESSAGING: gettext_lazy("messaging"),
    ContactChannel.POST: gettext_lazy("post"),
}


def _date(value: str | None) -> str:
    if not value:
        return ""
    try:
        return datetime.date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return ""


def _hold_kind(value: str | None) -> str:
    try:
        return str(ContactHoldKind(value).label).lower()
    except ValueError:
        return str(ContactHoldKind.OTHER.label).lower()


def _cap_words(purpose: str, detail: dict) -> str:
    count = int(detail.get("count", 0))
    days = int(detail.get("window_days", 0))
    contacts = ngettext("%(count)s %(purpose)s contact", "%(count)s %(purpose)s contacts", count) % {
        "count": count, "purpose": PURPOSE_NOUNS.get(purpose, purpose)}
    window = ngettext("the last %(days)s day", "the last %(days)s days", days) % {"days": days}
    return _("not contacted: %(contacts)s in %(window)s") % {"contacts": contacts, "window": window}


def refusal_message(code: str, *, purpose: str, channel: str, detail: dict | None = None) -> str:
    """The refusal as the RM reads it: "not contacted: 2 marketing contacts in the last 30 days"."""
    detail = detail or {}
    words = {"purpose": PURPOSE_NOUNS.get(purpose, purpose), "channel": CHANNEL_NOUNS.get(channel, channel)}
    if code == RefusalCode.CAP:
        return _cap_words(purpose, detail)
    if code == RefusalCode.MERGED:
        return _("not contacted: this record was merged into another customer record")
    if code == RefusalCode.DO_NOT_CONTACT:
        return _("not contacted: the customer asked not to be contacted")
    if code == RefusalCode.HOLD:
        return _("not contacted: contact on hold (%(kind)s) since %(date)s") % {
            "kind": _hold_kind(detail.get("kind")), "date": _date(detail.get("since"))}
    if code == RefusalCode.VULNERABLE:
        return _("not contacted: the customer is flagged as vulnerable, so no %(purpose)s contacts") % words
    if code == RefusalCode.NO_CONSENT:
        return _("not contacted: no consent to %(purpose)s contacts by %(channel)s") % words
    if code == RefusalCode.CONSENT_WITHDRAWN:
        return _("not contacted: consent to %(purpose)s contacts by %(channel)s withdrawn on %(date)s") % {
            **words, "date": _date(detail.get("since"))}
    if code == RefusalCode.QUIET_HOURS:
        return _("not contacted: %(time)s in the customer's time zone (%(zone)s), within the quiet hours "
                 "%(start)s-%(end)s") % {
            "time": detail.get("local_time", ""), "zone": detail.get("time_zone", ""),
            "start": detail.get("start", ""), "end": detail.get("end", "")}
    return _("not contacted")
