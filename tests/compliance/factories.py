"""Factories for the audit chain. Events are appended through `audit_record`, as in the portal,
so every row a test makes is a well-formed link of the chain."""

from __future__ import annotations

import factory

from compliance.audit import audit_record
from compliance.models import AuditEvent


class AuditEventFactory(factory.django.DjangoModelFactory):
    """`AuditEventFactory(actor=user, action="customer.updated", object_id=42, ...)`."""

    class Meta:
        model = AuditEvent

    actor = None
    action = "customer.updated"
    object_type = "customers.customer"
    object_id = factory.Sequence(lambda n: n + 1)
    fields = ("phone",)
    purpose = ""
    extra = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return audit_record(**kwargs)
