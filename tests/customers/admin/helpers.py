"""Shared pieces of the admin tests: the clear values that must never show, URLs, requests."""

from __future__ import annotations

from customers.models import (
    Customer,
    CustomerEvent,
    Holding,
    Interaction,
    MergeRecord,
    Need,
    Relationship,
    RevealGrant,
    SegmentOverride,
)

PHONE = "+86 138 0013 5678"
PHONE_SHOWN = "138 0013 5678"  # PHONE in clear, as every surface shows it
EMAIL = "zhang.wei@example.cn"
ID_NUMBER = "110105198001011234"
ADDRESS = "88 Century Avenue, Pudong, Shanghai"
ACCOUNT = "6222 0210 0100 4321"
SUMMARY = "Discussed the maturing term deposit"
NOTE = "Prefers low-risk bond funds"
REASON = "Relationship review by the branch"
CLEAR_VALUES = [
    PHONE_SHOWN,
    "13800135678",
    EMAIL,
    ID_NUMBER,
    ADDRESS,
    ACCOUNT,
    SUMMARY,
    NOTE,
    REASON,
    "1980-01-01",
    "250000.00",
    "800000.00",
]


def admin_url(model, action: str = "changelist", *args) -> str:
    return f"/admin/customers/{model._meta.model_name}/" + {
        "changelist": "",
        "change": "{}/change/",
        "add": "add/",
    }[action].format(*args)


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def post_action(client, model, action: str, *pks):
    return client.post(
        admin_url(model), {"action": action, "_selected_action": [str(pk) for pk in pks]}, follow=True
    )


CUSTOMER_MODELS = [
    Customer,
    Holding,
    Need,
    Relationship,
    Interaction,
    SegmentOverride,
    CustomerEvent,
    RevealGrant,
    MergeRecord,
]
