"""Masked forms of sensitive values: recognisable in shape, useless to a reader.

Every function takes the clear value and returns text; callers mark it as masked. None and
empty values mask to "" so a blank field stays blank.

These functions run when a value is written: what a mask shows is kept beside the ciphertext
(`compliance.fields.MaskHintField`), so showing a masked value decrypts nothing. A kind in
FIXED_MASKS shows nothing of the value and needs no such column: a date, an amount, and free
text (addresses, notes, summaries), which may mention anything, so none of it is shown.
"""

from __future__ import annotations

import re

MASK = "****"

# The masks that depend only on there being a value.
FIXED_MASKS = {
    "date": "****-**-**",
    "amount": "******",
    "text": MASK,
}


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def mask_phone(value: str) -> str:
    """`+86 138 0013 8000` -> `138****8000` (first three and last four digits of the number)."""
    digits = _digits(str(value))
    if digits.startswith("86") and len(digits) >= 12:
        digits = digits[2:]  # mainland numbers read without the country code
    if len(digits) <= 7:
        return MASK + digits[-2:]
    return f"{digits[:3]}{MASK}{digits[-4:]}"


def mask_email(value: str) -> str:
    """`alice@example.com` -> `a***@example.com`."""
    text = str(value)
    local, at, domain = text.partition("@")
    if not at:
        return MASK
    return f"{local[:1]}***@{domain}"


def mask_last4(value: str) -> str:
    """ID or account number -> `****1234`."""
    text = re.sub(r"[\s-]", "", str(value))
    return f"{MASK}{text[-4:]}" if len(text) > 4 else MASK


# A card number (PAN) is 13 to 19 digits; shorter values are masked as any account number.
PAN_MIN_DIGITS = 13


def mask_pan(value: str) -> str:
    """A card number -> `622588******1234`: at most the first six and last four digits, the
    most of a PAN anyone may be shown (PCI DSS 3.4.1)."""
    digits = _digits(str(value))
    if len(digits) < PAN_MIN_DIGITS:
        return mask_last4(value)
    return f"{digits[:6]}{'*' * (len(digits) - 10)}{digits[-4:]}"


def mask_date(value) -> str:
    """A date of birth -> `****-**-**`."""
    return FIXED_MASKS["date"]


def mask_amount(value) -> str:
    """A money figure -> `******` (its size is as sensitive as its digits)."""
    return FIXED_MASKS["amount"]


def mask_text(value: str) -> str:
    """Free text or an address -> `****`, whatever it says ("" for an empty value).

    Any stored text counts as a value, blank or not: the mask of an encrypted text is read
    from its token's length (see `compliance.fields.stored_mask`), which cannot tell spaces
    from letters.
    """
    return FIXED_MASKS["text"] if str(value) else ""


MASKERS = {
    "phone": mask_phone,
    "email": mask_email,
    "last4": mask_last4,
    "pan": mask_pan,
    "date": mask_date,
    "amount": mask_amount,
    "text": mask_text,
}


def mask(value, kind: str) -> str:
    """Mask `value` with the masker for `kind` (a key of MASKERS)."""
    if value is None or value == "":
        return ""
    return MASKERS[kind](value)
