"""Normalisation of identifying values before they are blind-indexed.

A blind index only finds a customer if the stored value and the searched value normalise to
the same text, so each kind folds the spellings people actually type (spaces, hyphens,
full-width characters from a Chinese input method, letter case, a missing country code)
into one canonical form. Changing a normaliser changes every index of its kind: existing
rows must then be re-indexed.

Every function raises ``ValueError`` for a value it cannot normalise; the message never
contains the value, since it is personal data and messages end up in logs.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable

import phonenumbers
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = [
    "KINDS",
    "NormalisableValidator",
    "NotARealDate",
    "display_phone",
    "normalise",
    "normalise_account_number",
    "normalise_date",
    "normalise_email",
    "normalise_name",
    "normalise_national_id",
    "normalise_phone",
]


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value)


def _without_separators(value: str) -> str:
    # Dash punctuation (Pd) covers "-" and the look-alike dashes that word processors and
    # input methods produce.
    return "".join(char for char in value if not char.isspace() and unicodedata.category(char) != "Pd")


def _require_str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"Expected a str, not {type(value).__name__}.")
    return value


def _default_phone_region() -> str | None:
    region = getattr(settings, "BANK_PHONE_REGION", None)
    if region is None:
        return None
    if not isinstance(region, str) or region.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise ImproperlyConfigured("BANK_PHONE_REGION must be an ISO 3166-1 region code such as 'CN'.")
    return region.upper()


def normalise_phone(value: str, region: str | None = None) -> str:
    """Return ``value`` as an E.164 phone number, e.g. ``"+8613800138000"``.

    A number without a leading ``+`` is read in ``region`` (an ISO region code such as
    ``"CN"``), defaulting to ``settings.BANK_PHONE_REGION``. Raise ``ValueError`` if the
    value is not a possible phone number or has no country code and no region applies,
    and ``ImproperlyConfigured`` if ``BANK_PHONE_REGION`` is not a known region.
    """
    text = _nfkc(_require_str(value)).strip()
    if region is None:
        region = _default_phone_region()
    elif region.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError("Unknown phone region: use an ISO 3166-1 code such as 'CN'.")
    try:
        number = phonenumbers.parse(text, region.upper() if region else None)
    except phonenumbers.NumberParseException:
        raise ValueError("Not a phone number, or it has no country code.") from None
    # "Possible" (right length for the country) rather than "valid" (a range known to the
    # metadata): newly opened number ranges must not be refused by an older library.
    if not phonenumbers.is_possible_number(number):
        raise ValueError("Not a possible phone number for its country.")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    # The stored spelling must normalise to itself, or an index computed from it would not
    # match one computed from what the customer typed; degenerate inputs (a national
    # prefix after the country code, runs of zeros) can fail this and are refused.
    try:
        reparsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        reparsed = None
    if (
        reparsed is None
        or not phonenumbers.is_possible_number(reparsed)
        or phonenumbers.format_number(reparsed, phonenumbers.PhoneNumberFormat.E164) != e164
    ):
        raise ValueError("Not a phone number with one canonical form.")
    return e164


def display_phone(value: str) -> str:
    """Return ``value`` in the one format people read: national for a number of the bank's
    region (``settings.BANK_PHONE_REGION``: ``"138 0013 8000"``, ``"021 5000 1234"``),
    international for any other (``"+44 20 7946 0958"``).

    Computed from the normalised (E.164) number, so every spelling of one number displays
    alike. A value that does not normalise (a legacy record) is returned stripped, as stored.
    """
    text = _require_str(value).strip()
    try:
        number = phonenumbers.parse(normalise_phone(text), None)
    except (ValueError, phonenumbers.NumberParseException):
        return text
    home = _default_phone_region()
    if home is not None and phonenumbers.region_code_for_number(number) == home:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalise_email(value: str) -> str:
    """Return ``value`` NFKC-normalised, stripped and lower-cased.

    Raise ``ValueError`` unless it has exactly one ``@`` with text on both sides and no
    whitespace inside.
    """
    # NFKC once more after lower-casing, which can leave a sequence unnormalised.
    text = _nfkc(_nfkc(_require_str(value)).strip().lower())
    local, at, domain = text.partition("@")
    if not at or not local or not domain or "@" in domain:
        raise ValueError("Not an e-mail address: it needs exactly one @ between two parts.")
    if any(char.isspace() for char in text):
        raise ValueError("Not an e-mail address: it contains whitespace.")
    return text


def normalise_national_id(value: str) -> str:
    """Return ``value`` NFKC-normalised, upper-cased, without whitespace or hyphens.

    Raise ``ValueError`` if nothing is left.
    """
    # NFKC again after removing separators and upper-casing: NFKC turns some accents into a
    # space plus a combining mark, and once the space is gone the mark composes differently.
    text = _without_separators(_nfkc(_without_separators(_nfkc(_require_str(value))).upper()))
    if not text:
        raise ValueError("Not an ID number: it is empty.")
    return text


def normalise_name(value: str) -> str:
    """Return ``value`` NFKC-normalised and case-folded, with whitespace runs made one space.

    Names are not validated: any text, including "", is accepted.
    """
    # NFKC again after casefold: folding can produce sequences that are not NFKC-normal.
    text = _nfkc(_nfkc(_require_str(value)).casefold())
    return " ".join(text.split())


def normalise_account_number(value: str) -> str:
    """Return the digits of ``value`` after removing whitespace and hyphens.

    Raise ``ValueError`` if nothing is left or anything but ASCII digits remains (letters
    are refused rather than dropped, so "AB123" and "123" never share an index).
    """
    text = _without_separators(_nfkc(_require_str(value)))
    if not text or not text.isascii() or not text.isdigit():
        raise ValueError("Not an account number: it must consist of digits.")
    return text


_DATE_PATTERN = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", flags=re.ASCII)
_COMPACT_DATE_PATTERN = re.compile(r"(\d{4})(\d{2})(\d{2})", flags=re.ASCII)


class NotARealDate(ValueError):
    """A value shaped like a date whose day does not exist (1980-02-30)."""


def normalise_date(value: str) -> str:
    """Return the calendar date in ``value`` as ISO 8601 ``"YYYY-MM-DD"``.

    Accepts year-month-day separated by ``-``, ``/`` or ``.``, the compact ``YYYYMMDD``,
    and the Chinese ``YYYY年M月D日``. Raise ``ValueError`` for anything else, and its
    subclass ``NotARealDate`` for a day that does not exist.
    """
    text = _nfkc(_require_str(value)).strip()
    text = text.replace("年", "-").replace("月", "-").removesuffix("日")
    text = text.replace("/", "-").replace(".", "-")
    match = _DATE_PATTERN.fullmatch(text) or _COMPACT_DATE_PATTERN.fullmatch(text)
    if match is None:
        raise ValueError("Not a date: expected year, month and day.")
    year, month, day = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        raise NotARealDate("Not a date: that day does not exist.") from None


_NORMALISERS: dict[str, Callable[[str], str]] = {
    "phone": normalise_phone,
    "email": normalise_email,
    "national_id": normalise_national_id,
    "name": normalise_name,
    "account_number": normalise_account_number,
    "date": normalise_date,
}

KINDS: frozenset[str] = frozenset(_NORMALISERS)


def normalise(value: str, kind: str) -> str:
    """Return ``value`` normalised for ``kind``, one of :data:`KINDS`.

    Raise ``ValueError`` if ``kind`` is unknown or the value cannot be normalised.
    """
    try:
        normaliser = _NORMALISERS[kind]
    except KeyError:
        raise ValueError(f"Unknown normalisation kind {kind!r}; expected one of {sorted(KINDS)}.") from None
    return normaliser(value)


_INVALID_MESSAGES: dict[str, Promise] = {
    "phone": _("Enter a valid phone number."),
    "email": _("Enter a valid e-mail address."),
    "national_id": _("Enter a valid ID number."),
    "name": _("Enter a valid name."),
    "account_number": _("Enter an account number made of digits."),
    "date": _("Enter a valid date."),
}


@deconstructible(path="compliance.normalise.NormalisableValidator")
class NormalisableValidator:
    """Model/form validator: refuse a value that the ``kind`` normaliser rejects.

    Put it on the source field of a ``BlindIndexField`` so ``full_clean()`` refuses what
    the index could not be computed for, instead of ``save()`` failing. Empty values pass
    (``blank``/``null`` decide those). Raise ``ValueError`` at construction for an unknown
    kind.
    """

    def __init__(self, kind: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"Unknown normalisation kind {kind!r}; expected one of {sorted(KINDS)}.")
        self.kind = kind

    def __call__(self, value: object) -> None:
        """Raise ``ValidationError`` (code ``"invalid_<kind>"``) if the value will not normalise."""
        if value is None or value == "":
            return
        try:
            normalise(str(value), self.kind)
        except ValueError:
            raise ValidationError(_INVALID_MESSAGES[self.kind], code=f"invalid_{self.kind}") from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NormalisableValidator) and other.kind == self.kind

    def __hash__(self) -> int:
        return hash((NormalisableValidator, self.kind))
