"""What staff and channels record about a customer: interactions and needs."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance.audit import audit_record
from customers import permissions
from customers.models import NEEDS_BY_KIND, Customer, Interaction, Need, NeedType
from customers.services.common import OBJECT_TYPE

# One answer whoever holds the reference, so the error never tells a caller that it is in use
# in a book they cannot see.
REFERENCE_IN_USE = gettext_lazy("This reference cannot be used for this interaction.")


@transaction.atomic
def interaction_log(*, actor, customer: Customer, channel: str, interaction_type: str, summary: str,
                    occurred_at: datetime.datetime | None = None, system: str = "",
                    external_reference: str | None = None) -> Interaction:
    """Record a contact with the customer and move their last-contact time forward.

    The interaction names `actor` as its staff member, or, when `system` is given, names that
    system and no staff member. Raise PermissionDenied unless `actor` may log interactions for
    `customer`, or when `system` is given and `actor` may not speak for a system
    (LOG_FOR_SYSTEM: service accounts; a person's interaction always names them);
    ValidationError (by field) for bad input.
    """
    permissions.check(actor, permissions.CustomerAction.LOG_INTERACTION, customer)
    system = (system or "").strip()
    if system:
        permissions.check(actor, permissions.CustomerAction.LOG_FOR_SYSTEM, customer)
    occurred = occurred_at or timezone.now()
    if occurred > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("An interaction cannot be in the future.")})
    interaction = Interaction(
        customer=customer, channel=channel, interaction_type=interaction_type, summary=summary,
        staff=actor if not system else None, system=system, occurred_at=occurred,
        external_reference=external_reference,
    )
    interaction.full_clean()
    interaction.save()
    Customer.objects.filter(pk=customer.pk).filter(
        Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=occurred)
    ).update(last_contact_at=occurred)
    audit_record(actor=actor, action="interaction.created", object_type=OBJECT_TYPE,
                 object_id=customer.pk, fields=["summary"], extra={"interaction": interaction.pk})
    return interaction


@transaction.atomic
def need_record(*, actor, customer: Customer, need_type: str, note: str = "") -> Need:
    """Record a need from the bank's catalogue for the customer's kind.

    Raise ValidationError if the need does not fit the customer's kind.
    """
    permissions.check(actor, permissions.CustomerAction.RECORD_NEED, customer)
    if need_type not in NEEDS_BY_KIND[customer.kind]:
        raise ValidationError({"need_type": _("This need is not in the catalogue for this customer.")})
    need = Need(customer=customer, need_type=NeedType(need_type), note=note or None,
                recorded_by=actor, recorded_at=timezone.now())
    need.full_clean()
    need.save()
    audit_record(actor=actor, action="need.created", object_type=OBJECT_TYPE, object_id=customer.pk,
                 fields=["note"] if note else [], extra={"need": need.pk})
    return need


def _logged_under(customer: Customer, reference: str) -> Interaction | None:
    existing = Interaction.objects.select_related("staff").filter(external_reference=reference).first()
    if existing is not None and existing.customer_id != customer.pk:
        raise ValidationError({"external_reference": REFERENCE_IN_USE})
    return existing


@transaction.atomic
def interaction_log_by_reference(*, actor, customer: Customer, external_reference: str | None,
                                 **values) -> tuple[Interaction, bool]:
    """Log an interaction once per channel reference; a retry returns the first one.

    `values` are interaction_log's (channel, interaction_type, summary, occurred_at, system).
    Without a reference every call logs a new interaction. Return (interaction, created):
    created is False when an interaction of this customer is already logged under
    `external_reference`, whether found first or logged by a concurrent call in the meantime
    (the unique reference decides, not a lock). Raise PermissionDenied unless `actor` may log
    interactions for `customer` (and, with a `system`, speak for one: LOG_FOR_SYSTEM);
    ValidationError (by field) for bad input or a reference already used for another
    customer's interaction (with the same message whether or not `actor` may see that
    customer).
    """
    permissions.check(actor, permissions.CustomerAction.LOG_INTERACTION, customer)
    if (values.get("system") or "").strip():
        # Refused before a retry could return an interaction logged under the reference.
        permissions.check(actor, permissions.CustomerAction.LOG_FOR_SYSTEM, customer)
    if not external_reference:
        return interaction_log(actor=actor, customer=customer, **values), True
    existing = _logged_under(customer, external_reference)
    if existing is not None:
        return existing, False
    try:
        # A savepoint, so the losing side of a concurrent insert can still read the winner's row.
        with transaction.atomic():
            interaction = interaction_log(
                actor=actor, customer=customer, external_reference=external_reference, **values
            )
    except (IntegrityError, ValidationError) as error:
        # A concurrent call logged the reference after the lookup above: the insert fails
        # (IntegrityError), or full_clean's uniqueness check already sees its row.
        clash = not isinstance(error, ValidationError) or "external_reference" in getattr(
            error, "error_dict", {}
        )
        if not clash:
            raise
        existing = _logged_under(customer, external_reference)
        if existing is None:
            raise
        return existing, False
    return interaction, True


@transaction.atomic
def interaction_log_for_system(*, customer: Customer, system: str, channel: str, interaction_type: str,
                               summary: str, external_reference: str,
                               occurred_at: datetime.datetime | None = None) -> tuple[Interaction, bool]:
    """Log on the customer's timeline what one of the bank's own processes recorded (a survey
    answered on its public page, a check-in at an event, a course completed), naming the
    `system` and no member of staff, once per `external_reference`.

    For the portal's own code only (tasks, public pages, services that already asked the
    policy for their actor): nobody's rights are checked here. Return (interaction, created);
    a second call with the same reference returns the first interaction. Raise
    ValidationError (by field) for bad input or a reference already used for another
    customer.
    """
    system = (system or "").strip()
    if not system:
        raise ValidationError({"system": _("Name the system.")})
    existing = _logged_under(customer, external_reference)
    if existing is not None:
        return existing, False
    occurred = occurred_at or timezone.now()
    interaction = Interaction(customer=customer, channel=channel, interaction_type=interaction_type,
                              summary=summary, staff=None, system=system, occurred_at=occurred,
                              external_reference=external_reference)
    interaction.full_clean()
    interaction.save()
    Customer.objects.filter(pk=customer.pk).filter(
        Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=occurred)
    ).update(last_contact_at=occurred)
    audit_record(actor=None, action="interaction.created", object_type=OBJECT_TYPE,
                 object_id=customer.pk, fields=["summary"],
                 extra={"interaction": interaction.pk, "system": system})
    return interaction, True
