"""Masked values keep a recognisable shape and give nothing away."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from compliance.masking import mask


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
        ("88 Century Avenue, Pudong", "text", "88****"),
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
