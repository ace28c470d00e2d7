"""Personal values of the benchmark's copied customers, derived from the copy number.

Copy number `n` (0, 1, 2, ... over every copied customer) gives each copy its own phone,
e-mail, ID number and account numbers: distinct from every other copy (the number is spelled
into the value) and from every customer the demo generator made (each value is drawn from a
range the generator never uses: other mobile prefixes, other ID area codes, other account
prefixes, an e-mail form the generator never writes). Every value passes the portal's
normalisers and validators (`compliance.normalise`), so it is encrypted and blind-indexed
exactly like a value typed in at a branch.
"""

from __future__ import annotations

import re
import string

from customers.demo import national_id_check_digit, organisation_code, usci_check_character
from customers.demo.reference import CITIES, EMAIL_DOMAINS, MAILBOXES, MOBILE_PREFIXES, OTHER_AREA_CODES
from customers.models import CustomerKind, ProductType

__all__ = [
    "HOLDINGS_PER_CUSTOMER",
    "check_identities",
    "copy_account_number",
    "copy_email",
    "copy_id_number",
    "copy_phone",
]

# Mainland mobile prefixes the demo generator does not draw from.
COPY_MOBILE_PREFIXES = ("166", "171", "173", "175", "176", "177", "178", "191", "195", "198", "199")
if set(COPY_MOBILE_PREFIXES) & set(MOBILE_PREFIXES):
    raise RuntimeError("Copy phone prefixes must differ from the demo generator's.")

# Room for this many holdings per customer in a copy's account numbers.
HOLDINGS_PER_CUSTOMER = 64

_PROVINCES = ("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
              "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
              "63", "64", "65")
_DEMO_AREAS = {code for city in CITIES.values() for code in city.area_codes} | set(OTHER_AREA_CODES)
# Resident ID area codes (province, prefecture, county) that no demo customer was born in.
COPY_AREA_CODES = tuple(
    code for code in (f"{province}{prefecture:02d}{county:02d}" for province in _PROVINCES
                      for prefecture in range(1, 21) for county in range(21, 81))
    if code not in _DEMO_AREAS
)
_ORDERS_PER_AREA = 500  # resident ID order codes per area and birth date, per sex
_RESIDENT_ID = re.compile(r"\d{17}[\dX]")
_WORD = re.compile(r"[a-z0-9]+")
_LEGAL_FORMS = {"co", "ltd", "group", "china", "joint", "stock"}


def copy_phone(n: int) -> str:
    """The mobile number of copy `n`, in one of the spellings staff type (the index folds them)."""
    prefix = COPY_MOBILE_PREFIXES[n // 10**8]
    body = f"{n % 10**8:08d}"
    style = n % 4
    if style == 0:
        return f"{prefix}{body}"
    if style == 1:
        return f"{prefix} {body[:4]} {body[4:]}"
    if style == 2:
        return f"+86 {prefix} {body[:4]} {body[4:]}"
    return f"+86-{prefix}-{body[:4]}-{body[4:]}"


def _words(display_name: str) -> list[str]:
    return _WORD.findall(display_name.lower())


def copy_email(n: int, *, kind: str, display_name: str) -> str:
    """The e-mail address of copy `n`: its name, then `.<n>` before the @ (a form the demo
    generator never writes), at a mail provider (people) or the company's own domain."""
    words = _words(display_name)
    if kind == CustomerKind.CORPORATE:
        trade = [word for word in words if word not in _LEGAL_FORMS][:3] or ["company"]
        return f"{MAILBOXES[n % len(MAILBOXES)]}.{n}@{'-'.join(trade)}.com.cn"
    handle = ".".join(words[:3]) or "customer"
    return f"{handle}.{n}@{EMAIL_DOMAINS[n % len(EMAIL_DOMAINS)]}"


def copy_id_number(n: int, *, kind: str, base: str) -> str:
    """The ID number of copy `n` of a customer of `kind` whose ID number is `base`.

    A company gets a unified social credit identifier with an organisation code from `n`.
    A person with a resident ID keeps the birth date and sex of `base` (so it still matches
    the copied date of birth and gender) under an area code and order code taken from `n`;
    a passport becomes the newer letter-letter-seven-digits form. Check characters are
    computed as the standards define them.
    """
    if kind == CustomerKind.CORPORATE:
        area = COPY_AREA_CODES[n // 10**8]
        first17 = f"91{area}{organisation_code(f'{n % 10**8:08d}')}"
        return first17 + usci_check_character(first17)
    if _RESIDENT_ID.fullmatch(base):
        area = COPY_AREA_CODES[n // _ORDERS_PER_AREA]
        order = (n % _ORDERS_PER_AREA) * 2 + int(base[16]) % 2
        first17 = f"{area}{base[6:14]}{order:03d}"
        return first17 + national_id_check_digit(first17)
    letter = string.ascii_uppercase[(n // 10**7) % 26]
    return f"{base[:1] or 'E'}{letter}{n % 10**7:07d}"


def copy_account_number(n: int, position: int, *, product_type: str) -> str:
    """The account number of holding `position` (0-based, in the customer's order) of copy `n`."""
    if not 0 <= position < HOLDINGS_PER_CUSTOMER:
        raise ValueError(f"A copied customer holds at most {HOLDINGS_PER_CUSTOMER} products.")
    serial = n * HOLDINGS_PER_CUSTOMER + position
    if product_type == ProductType.CREDIT_CARD:
        return f"6226{serial:012d}"
    if product_type in (ProductType.MORTGAGE, ProductType.CONSUMER_LOAN, ProductType.CORPORATE_LOAN,
                        ProductType.TRADE_FINANCE):
        return f"8{serial:017d}"
    return f"6223{serial:015d}"


def check_identities(copies: int) -> None:
    """Check that copies 0 to `copies` - 1 fit the number ranges and that sample values pass
    the portal's normalisers and stay distinct once normalised. Raise ValueError (naming the
    kind, never a value) if not."""
    from compliance.normalise import normalise

    last = max(0, copies - 1)
    if last // 10**8 >= len(COPY_MOBILE_PREFIXES) or last // _ORDERS_PER_AREA >= len(COPY_AREA_CODES):
        raise ValueError(f"{copies:,} copies do not fit the copy number ranges.")
    samples = sorted({0, 1, 2, 3, last})
    values: dict[str, list[str]] = {}
    for n in samples:
        for kind, value in (
            ("phone", copy_phone(n)),
            ("email", copy_email(n, kind=CustomerKind.INDIVIDUAL, display_name="Wang Wei")),
            ("email", copy_email(n, kind=CustomerKind.CORPORATE,
                                 display_name="Shanghai Hengtong Trading Co., Ltd.")),
            ("national_id", copy_id_number(n, kind=CustomerKind.INDIVIDUAL, base="310101199001011234")),
            ("national_id", copy_id_number(n, kind=CustomerKind.INDIVIDUAL, base="E12345678")),
            ("national_id", copy_id_number(n, kind=CustomerKind.CORPORATE, base="")),
            ("account_number", copy_account_number(n, 3, product_type=ProductType.CREDIT_CARD)),
        ):
            try:
                values.setdefault(kind, []).append(normalise(value, kind))
            except ValueError:
                raise ValueError(f"A copied {kind} does not normalise.") from None
    for kind, normalised in values.items():
        if len(set(normalised)) != len(normalised):
            raise ValueError(f"Copied values of kind {kind} collide once normalised.")
