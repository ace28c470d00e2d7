"""Redaction of personal data from log lines, the last line of defence.

Every surface keeps phone numbers, e-mail addresses, ID numbers and card numbers out of URLs
(exact lookups are posted, or travel as an opaque token), so none should reach a request line.
A client that puts one in a URL anyway (a bookmark, a hand-typed address, a script) would
still leave it in the web server's access log and in Django's request logs; this filter
rewrites such a log record before any handler writes it.

What is recognised, in the text as written and in its URL-encoded spelling (`%40` for "@",
`+` or `%20` between digits, `%2B` for a leading "+"):

* e-mail addresses (confirmed by `compliance.normalise.normalise_email`);
* mainland resident ID numbers (17 digits and a digit or X, or the old 15 digits; the check
  character need not be right, since a mistyped number is personal data too);
* Hong Kong identity card numbers (one or two letters, six digits and a check character, which
  must be right unless written in brackets);
* passport numbers of the mainland and Hong Kong kinds (E, EA..., G, D, S, P, K or H followed
  by digits);
* card numbers (13 to 19 digits that pass the Luhn check);
* phone numbers of 8 digits or more that `compliance.normalise.normalise_phone` accepts (in the
  bank's phone region when written without a country code).

Each is replaced by a bracketed label (`[phone]`, `[email]`, `[id]`, `[card]`) so the line still
reads. The recognisers err on the side of redacting: a long number that happens to pass as a
phone number is hidden too.

Use `PersonalDataLogFilter` on loggers or handlers (Django's LOGGING in crm/settings.py names it
by dotted path) and `GunicornLogger` as gunicorn's `--logger-class`, which puts the filter on
gunicorn's access and error logs.
"""

from __future__ import annotations

import logging
import re

from gunicorn import glogging

from compliance.normalise import normalise_email, normalise_phone

__all__ = ["GunicornLogger", "PersonalDataLogFilter", "redact_personal_data"]

FALLBACK_PHONE_REGION = "CN"

# A match may not start or end inside a word; a URL escape just before it ("%20", "%2B",
# "%40", "%3D" for "=") does not count as part of a word.
_START = r"(?:(?<=%20)|(?<=%2[Bb])|(?<=%40)|(?<=%3[Dd])|(?<![0-9A-Za-z%]))"
_END = r"(?![0-9A-Za-z])"
# Between digits: a hyphen, or a space as a URL writes it ("+", "%20"). A literal space only
# inside groups of two to four digits (`_SPACED`): log lines separate numbers by spaces too
# (a status and a size).
_SEPARATOR = r"(?:[\-+]|%20|%2[Dd])"

_EMAIL = re.compile(
    _START + r"[A-Za-z0-9._\-+]+(?:%[0-9A-Fa-f]{2}[A-Za-z0-9._\-+]*)*(?:@|%40)"
    r"[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+" + _END
)
_MAINLAND_ID = re.compile(_START + r"\d{17}[0-9Xx]" + _END)
_HK_ID = re.compile(_START + r"([A-Z]{1,2})(\d{6})(?:(\(|%28)([0-9A])(?:\)|%29)|([0-9A]))" + _END)
_PASSPORT = re.compile(_START + r"(?:E[A-Z]?\d{7,8}|[GDSPKH]\d{8})" + _END)
# Digits with the separators people type (and their URL spellings), an optional "+" first.
_DIGITS = re.compile(_START + r"(?:(?:\+|%2[Bb]))?\d(?:" + _SEPARATOR + r"?\d){6,22}" + _END)
_SPACED = re.compile(_START + r"\+?\d{1,4}(?: \d{2,4}){2,5}" + _END)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

def _hk_id_valid(letters: str, digits: str, check: str) -> bool:
    values = [36] * (2 - len(letters)) + [ord(letter) - 55 for letter in letters] + [int(d) for d in digits]
    total = sum(value * weight for value, weight in zip(values, range(9, 1, -1), strict=True))
    expected = (11 - total % 11) % 11
    return check == ("A" if expected == 10 else str(expected))


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, character in enumerate(reversed(digits)):
        value = int(character)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _phone_region() -> str:
    try:
        from django.conf import settings

        return str(getattr(settings, "BANK_PHONE_REGION", None) or FALLBACK_PHONE_REGION)
    except Exception:  # settings not configured (a process outside Django)
        return FALLBACK_PHONE_REGION


def _is_phone(text: str, digits: str) -> bool:
    if len(digits) < 8:
        return False
    # A "+" first means a country code follows; URL-encoded it is "%2B".
    international = text.startswith(("+", "%2B", "%2b"))
    region = None if international else _phone_region()
    try:
        normalise_phone(("+" + digits) if international else digits, region)
    except Exception:  # not a possible number, or an unknown region
        return False
    return True


def _digits_label(match: re.Match) -> str:
    text = match.group(0)
    if _DATE.fullmatch(text):
        return text
    digits = re.sub(r"%2[Bb]|%20|%2[Dd]|\D", "", text)
    if 13 <= len(digits) <= 19 and _luhn_valid(digits):
        return "[card]"
    if len(digits) in (15, 18) and not text.startswith(("+", "%2")):
        return "[id]"
    if _is_phone(text, digits):
        return "[phone]"
    return text


def _email_label(match: re.Match) -> str:
    text = match.group(0).replace("%40", "@")
    try:
        normalise_email(text)
    except ValueError:
        return match.group(0)
    return "[email]"


def _hk_id_label(match: re.Match) -> str:
    letters, digits, bracket, _bracketed, bare = match.groups()
    if bracket or _hk_id_valid(letters, digits, bare):
        return "[id]"
    return match.group(0)


def redact_personal_data(text: str) -> str:
    """`text` with every phone, e-mail, ID or card number it contains replaced by a label."""
    if not text:
        return text
    text = _EMAIL.sub(_email_label, text)
    text = _MAINLAND_ID.sub("[id]", text)
    text = _HK_ID.sub(_hk_id_label, text)
    text = _PASSPORT.sub("[id]", text)
    text = _SPACED.sub(_digits_label, text)
    return _DIGITS.sub(_digits_label, text)


class PersonalDataLogFilter(logging.Filter):
    """Rewrite a record's message with `redact_personal_data` (never drops a record).

    On a logger, it rewrites the records logged there before any handler, including those of
    parent loggers, sees them; on a handler, what that handler writes.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: let logging report it as it would
            return True
        redacted = redact_personal_data(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class GunicornLogger(glogging.Logger):
    """gunicorn's logger with personal data redacted from the access and error logs
    (`--logger-class compliance.log_redaction.GunicornLogger`)."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(existing, PersonalDataLogFilter) for existing in log.filters):
                log.addFilter(PersonalDataLogFilter())
