"""Masked values keep a recognisable shape and give nothing away."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from compliance.fields import MaskHintField
from compliance.masking import FIXED_MASKS, MASK, mask, mask_text

property_test = hypothesis_settings(deadline=None, max_examples=300)


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("+8613800135678", "phone", "138****5678"),
        ("138 0013 5678", "phone", "138****5678"),
        ("+85291234567", "phone", "852****4567"),
        ("alice@example.com", "email", "a***@example.com"),
        ("110105198001011234", "last4", "****1234"),
        ("6222 0210 0100 1234", "last4", "****1234"),
        (datetime.date(1980, 1, 1), "date", "****-**-**"),
        (Decimal("7200000.00"), "amount", "******"),
        ("88 Century Avenue, Pudong", "text", "****"),
        ("", "text", ""),
        ("", "phone", ""),
        (None, "email", ""),
    ],
)
def test_mask_shapes(value, kind, expected):
    assert mask(value, kind) == expected


@pytest.mark.parametrize("kind", ["phone", "email", "last4", "text"])
def test_masked_text_never_contains_the_whole_value(kind):
    value = {"phone": "+8613800135678", "email": "zhang.wei@example.cn",
             "last4": "110105198001011234", "text": "Room 1801, 88 Century Avenue"}[kind]

    masked = mask(value, kind)

    assert masked != value
    assert value not in masked
    assert "****" in masked or "***" in masked


def test_fixed_masks_show_nothing_but_presence():
    assert FIXED_MASKS == {"date": "****-**-**", "amount": "******", "text": "****"}
    assert mask(datetime.date(2001, 9, 30), "date") == mask(datetime.date(1950, 1, 1), "date")
    assert mask(Decimal("1"), "amount") == mask(Decimal("99999999.99"), "amount")
    assert mask("88 Century Avenue", "text") == mask("Wants a fund for the children", "text")
    assert mask_text("") == ""


# What is stored in clear beside a ciphertext is the hint, so it may hold no more than the mask.

def _hint(value, kind: str) -> str:
    return MaskHintField(source="value", kind=kind).compute(value)


mainland_mobiles = st.builds(
    lambda prefix, rest, style: style.format(prefix + rest),
    st.sampled_from(["13", "15", "17", "18", "19"]),
    st.text("0123456789", min_size=9, max_size=9),
    st.sampled_from(["{}", "+86{}", "+86 {}", "0086{}", "86-{}"]),
)
other_phones = st.text("0123456789", min_size=5, max_size=15).map(lambda digits: "+" + digits)


@property_test
@given(st.one_of(mainland_mobiles, other_phones))
def test_a_phone_hint_shows_at_most_three_leading_and_four_trailing_digits(phone):
    hint = _hint(phone, "phone")
    digits = re.sub(r"\D", "", phone)
    national = digits[2:] if digits.startswith("86") and len(digits) >= 12 else digits

    assert hint == mask(phone, "phone")
    shown = hint.replace(MASK, "|")
    head, _sep, tail = shown.rpartition("|")
    assert shown.count("|") == 1
    if len(national) > 7:
        assert (head, tail) == (national[:3], national[-4:])
    else:
        assert (head, tail) == ("", national[-2:])
    assert len(head) + len(tail) < len(national)


emails = st.builds(
    lambda local, domain: f"{local}@{domain}",
    st.text(st.characters(blacklist_characters="@", blacklist_categories=("Cs",)), min_size=1, max_size=40),
    st.from_regex(r"[a-z0-9-]{1,20}\.(cn|com|com\.hk)", fullmatch=True),
)


@property_test
@given(emails)
def test_an_email_hint_shows_one_character_of_the_local_part_and_the_domain(email):
    local, _at, domain = email.partition("@")
    hint = _hint(email, "email")

    assert hint == mask(email, "email") == f"{local[0]}***@{domain}"


id_numbers = st.text("0123456789X", min_size=1, max_size=24).flatmap(
    lambda text: st.sampled_from([text, "-".join(text[i:i + 6] for i in range(0, len(text), 6)),
                                  " ".join(text[i:i + 4] for i in range(0, len(text), 4))])
)


@property_test
@given(id_numbers)
def test_an_id_or_account_hint_shows_at_most_the_last_four_characters(number):
    compact = re.sub(r"[\s-]", "", number)
    hint = _hint(number, "last4")

    assert hint == mask(number, "last4")
    assert hint == (f"{MASK}{compact[-4:]}" if len(compact) > 4 else MASK)
    assert len(hint) - len(MASK) <= min(4, len(compact) - 1)


@property_test
@given(st.text(max_size=200))
def test_a_text_hint_shows_nothing_of_the_text(text):
    hint = _hint(text, "text")

    assert hint == mask(text, "text")
    assert hint == (MASK if text else "")
