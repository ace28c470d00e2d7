"""Holdings and the assets under management computed from them."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from compliance.audit import audit_record
from customers import permissions
from customers.models import ASSET_PRODUCTS, Customer, Holding
from customers.services.common import OBJECT_TYPE, apply_values

HOLDING_FIELDS = frozenset({
    "product_type", "product_name", "account_number", "balance", "currency", "status", "opened_on",
    "matures_on",
})

AUM_BATCH_SIZE = 50_000


def customers_refresh_aum(*, customer_ids: Iterable[int] | None = None,
                          batch_size: int = AUM_BATCH_SIZE) -> int:
    """Recompute assets under management from active asset holdings, in set-based SQL.

    With `customer_ids`, only those customers; otherwise every customer, in primary-key
    ranges of `batch_size` (one statement per range, each reading only that range's
    holdings). Balances in other currencies count at the ExchangeRate; a currency without a
    rate counts as zero (the figure errs low rather than invent a rate). Return rows changed.
    """
    if customer_ids is not None:
        ids = list(customer_ids)
        return _refresh_aum_where("id = ANY(%s)", [ids]) if ids else 0
    changed = 0
    last_id = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT MAX(id) FROM "
                "(SELECT id FROM customers_customer WHERE id > %s ORDER BY id LIMIT %s) AS batch",
                [last_id, batch_size],
            )
            (upper,) = cursor.fetchone()
        if upper is None:
            return changed
        changed += _refresh_aum_where("id > %s AND id <= %s", [last_id, upper])
        last_id = upper


def _refresh_aum_where(condition: str, condition_params: list) -> int:
    sql = f"""
        WITH scope AS (SELECT id FROM customers_customer WHERE {condition}),
        totals AS (
            SELECT h.customer_id, SUM(
                CASE WHEN h.currency = %s THEN h.balance ELSE h.balance * COALESCE(r.rate, 0) END
            ) AS aum
            FROM customers_holding h
            JOIN scope s ON s.id = h.customer_id
            LEFT JOIN customers_exchangerate r ON r.currency = h.currency
            WHERE h.status = 'active' AND h.product_type = ANY(%s) AND h.balance > 0
            GROUP BY h.customer_id
        )
        UPDATE customers_customer c
        SET aum = ROUND(COALESCE(t.aum, 0), 2)
        FROM scope s LEFT JOIN totals t ON t.customer_id = s.id
        WHERE c.id = s.id AND c.aum IS DISTINCT FROM ROUND(COALESCE(t.aum, 0), 2)
    """  # noqa: S608 - only the two fixed conditions above are interpolated
    params = [*condition_params, settings.BANK_CURRENCY, list(ASSET_PRODUCTS)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@transaction.atomic
def holding_upsert(
    *, actor, customer: Customer, external_reference: str | None, values: dict
) -> tuple[Holding, bool]:
    """Create or update a holding by its core-banking reference; refresh the customer's AUM.

    Return (holding, created). Raise PermissionDenied unless `actor` may change this
    customer's holdings (CHANGE_HOLDINGS); ValidationError (by field) for bad input.
    """
    permissions.check(actor, permissions.CustomerAction.CHANGE_HOLDINGS, customer)
    holding = None
    if external_reference:
        holding = Holding.objects.select_for_update().filter(external_reference=external_reference).first()
        if holding is not None and holding.customer_id != customer.pk:
            # One answer whoever holds the reference: it never tells whether that customer is
            # one the actor may see.
            raise ValidationError({
                "external_reference": _("This reference cannot be used for this holding."),
            })
    created = holding is None
    if holding is None:
        holding = Holding(customer=customer, external_reference=external_reference)
    apply_values(holding, values, HOLDING_FIELDS)
    holding.full_clean()
    holding.save()
    customers_refresh_aum(customer_ids=[customer.pk])
    audit_record(actor=actor, action="holding.created" if created else "holding.updated",
                 object_type=OBJECT_TYPE, object_id=customer.pk, fields=sorted(values),
                 extra={"holding": holding.pk})
    return holding, created
