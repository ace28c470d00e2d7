"""Writes of the customers app's reference data: the exchange rates that value holdings.

A rate converts a holding's currency to the bank's currency when holdings are totalled into
AUM (customers_refresh_aum, nightly); a changed rate moves AUM at the next refresh. Every
save is audited here as `config.changed`; the admin page that calls it writes no event of
its own.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from compliance.audit import audit_record
from customers import permissions
from customers.models import ExchangeRate

OBJECT_TYPE_EXCHANGE_RATE = "customers.exchangerate"
EXCHANGE_RATE_FIELDS = ["currency", "rate", "as_of"]


def _check_may_save_rate(actor, *, adding: bool) -> None:
    action = (permissions.SettingsAction.ADD_EXCHANGE_RATE if adding
              else permissions.SettingsAction.CHANGE_EXCHANGE_RATE)
    permissions.check(actor, action)


@transaction.atomic
def exchange_rate_save(*, actor, currency: str, rate: Decimal, as_of: datetime.date,
                       exchange_rate: ExchangeRate | None = None) -> ExchangeRate:
    """Add the rate of `currency` (`exchange_rate` None) or change `exchange_rate` to these
    values; return the saved rate. The currency code is kept in upper case.

    Writes one `config.changed` event naming the rate and the fields that changed (the
    values themselves are reference data, not personal data, but they stay in the row); a
    change that changes nothing writes nothing.

    Raise PermissionDenied unless `actor` may add (or change) exchange rates. Raise
    ValidationError (by field) for a currency that already has a rate, a rate that is not
    positive, or a missing date; a refused call saves nothing.
    """
    adding = exchange_rate is None or exchange_rate.pk is None
    _check_may_save_rate(actor, adding=adding)
    values = {"currency": (currency or "").strip().upper(), "rate": rate, "as_of": as_of}
    if adding:
        target = ExchangeRate(**values)
        target.full_clean()
        target.save()
        changed = list(EXCHANGE_RATE_FIELDS)
    else:
        target = ExchangeRate.objects.select_for_update().get(pk=exchange_rate.pk)
        changed = [name for name in EXCHANGE_RATE_FIELDS if getattr(target, name) != values[name]]
        if not changed:
            return target
        for name in changed:
            setattr(target, name, values[name])
        target.full_clean()
        target.save(update_fields=changed)
    audit_record(
        actor=actor, action="config.changed", object_type=OBJECT_TYPE_EXCHANGE_RATE, object_id=target.pk,
        fields=changed, extra={"change": "added" if adding else "changed", "currency": target.currency},
    )
    return target


__all__ = ["exchange_rate_save"]
