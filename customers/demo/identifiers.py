"""Identity numbers, contact details and account numbers of demo customers.

The check characters follow the published standards (GB 11643 resident IDs, GB 32100 unified
social credit identifiers, GB 11714 organisation codes), so the demo's numbers pass the
validation a bank applies; the `draw_*` functions take every random choice from the `rng`
they are given, in a fixed order, so a seeded stream gives the same numbers.
"""

from __future__ import annotations

import datetime
import random

from customers.demo.reference import MOBILE_PREFIXES, City
from customers.models import Gender, ProductType

__all__ = [
    "draw_account_number",
    "draw_landline",
    "draw_mobile",
    "draw_resident_id",
    "draw_street_address",
    "draw_usci",
    "national_id_check_digit",
    "organisation_code",
    "usci_check_character",
]

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def national_id_check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of a mainland resident ID (GB 11643)."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("A resident ID check digit needs exactly 17 digits.")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


_USCI_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCI_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def usci_check_character(first17: str) -> str:
    """The check character of a Unified Social Credit Identifier (GB 32100-2015)."""
    if len(first17) != 17 or any(char not in _USCI_CHARS for char in first17):
        raise ValueError("A USCI check character needs 17 characters of the USCI alphabet.")
    total = sum(_USCI_CHARS.index(char) * weight
                for char, weight in zip(first17, _USCI_WEIGHTS, strict=True))
    return _USCI_CHARS[(31 - total % 31) % 31]


def organisation_code(body: str) -> str:
    """An 8-digit organisation code body plus its GB 11714 check character.

    Raise ValueError unless `body` is exactly 8 digits.
    """
    if len(body) != 8 or not body.isdigit():
        raise ValueError("An organisation code body needs exactly 8 digits.")
    total = sum(int(digit) * weight for digit, weight in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


# Draws ---------------------------------------------------------------------------------------

def draw_mobile(rng: random.Random) -> str:
    """A mainland mobile number, spelled the way branch staff type them (the blind index
    normalises every spelling)."""
    prefix = rng.choice(MOBILE_PREFIXES)
    body = f"{rng.randrange(10**8):08d}"
    style = rng.random()
    if style < 0.45:
        return f"{prefix}{body}"
    if style < 0.75:
        return f"{prefix} {body[:4]} {body[4:]}"
    if style < 0.95:
        return f"+86 {prefix} {body[:4]} {body[4:]}"
    return f"+86-{prefix}-{body[:4]}-{body[4:]}"


def draw_landline(rng: random.Random, city: City) -> str:
    """A fixed-line number in `city`, in international form."""
    number = f"{rng.randrange(2, 9)}{rng.randrange(10**7):07d}"
    return f"+86 {city.landline} {number[:4]} {number[4:]}"


def draw_resident_id(rng: random.Random, area: str, birth: datetime.date, gender: str) -> str:
    """A resident ID of someone born in `area` on `birth`: the order code's parity is the sex."""
    sequence = rng.randrange(500)
    parity = 1 if gender == Gender.MALE else 0
    order = sequence * 2 + parity
    first17 = f"{area}{birth:%Y%m%d}{order:03d}"
    return first17 + national_id_check_digit(first17)


def draw_usci(rng: random.Random, city: City) -> str:
    """A unified social credit identifier of a company registered in `city`."""
    area = rng.choice(city.area_codes)
    organisation = organisation_code(f"{rng.randrange(10**8):08d}")
    first17 = f"91{area}{organisation}"
    return first17 + usci_check_character(first17)


def draw_street_address(rng: random.Random, city: City, *, company: bool = False) -> str:
    """A street address in `city`: a flat for a person, a floor of a building for a company."""
    district, roads = rng.choice(city.districts)
    road = rng.choice(roads)
    number = rng.randrange(1, 1800)
    if company:
        return f"{city.zh}市{district}{road}{number}号{rng.randrange(2, 48)}楼"
    if rng.random() < 0.5:
        return (f"{city.zh}市{district}{road}{number}弄{rng.randrange(1, 40)}号"
                f"{rng.randrange(1, 33)}{rng.randrange(1, 6):02d}室")
    return (f"{city.zh}市{district}{road}{number}号{rng.randrange(1, 20)}栋"
            f"{rng.randrange(1, 33)}{rng.randrange(1, 9):02d}室")


def draw_account_number(rng: random.Random, product_type: str) -> str:
    """An account number for `product_type`: a card number, a loan account or a deposit account."""
    if product_type == ProductType.CREDIT_CARD:
        return f"6225{rng.randrange(10**12):012d}"
    if product_type in (ProductType.MORTGAGE, ProductType.CONSUMER_LOAN, ProductType.CORPORATE_LOAN,
                        ProductType.TRADE_FINANCE):
        return f"9{rng.randrange(10**17):017d}"
    return f"6222{rng.randrange(10**15):015d}"
