"""Customers as data subjects of privacy requests, and what a request makes this app do."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance.privacy.registry import (
    DataSource,
    RequestHandler,
    SubjectType,
    register_data_source,
    register_request_handler,
    register_subject_type,
)
from customers.models import Customer
from customers.outreach.consent import marketing_objection_record
from customers.privacy.erasure import erase_customer
from customers.privacy.sources import SOURCES, SUBJECT_TYPE


def _find(reference: str) -> int | None:
    """A customer (never a merged-away record: its survivor holds the data) by number."""
    return (
        (
            Customer.objects.filter(number=reference.strip().upper(), merged_into__isnull=True)
            .values_list("pk", flat=True)
            .first()
        )
        if reference
        else None
    )


def _describe(customer_id: int) -> str:
    number = Customer.objects.filter(pk=customer_id).values_list("number", flat=True).first()
    return _("Customer %(number)s") % {"number": number} if number else _("A customer no longer held")


def _objection(*, actor, subject_id: int, reference: str) -> str:
    customer = Customer.objects.get(pk=subject_id)
    withdrawn = marketing_objection_record(actor=actor, customer=customer, reference=reference)
    return _(
        "Marketing and event invitations are withdrawn on every channel (%(count)d consents had been "
        "granted)."
    ) % {"count": withdrawn}


def register() -> None:
    register_subject_type(
        SubjectType(name=SUBJECT_TYPE, label=gettext_lazy("Customer"), find=_find, describe=_describe)
    )
    for name, label, collect in SOURCES:
        register_data_source(DataSource(name=name, label=label, subject_type=SUBJECT_TYPE, collect=collect))
    register_request_handler(RequestHandler(kind="objection", subject_type=SUBJECT_TYPE, apply=_objection))
    register_request_handler(RequestHandler(kind="erasure", subject_type=SUBJECT_TYPE, apply=erase_customer))
