"""Copies of the generated customers that are customers in their own right.

A copy takes a generated customer's shape (kind, branch, segment, names, profile, holdings,
interactions, needs, relationships, history) and gets its own identity: a new id, customer
number and core-banking reference, its own phone, e-mail, ID number and account numbers
(`bench.identities`, from its copy number), encrypted by the portal's fields and indexed by
their blind indexes, with the mask hints those fields keep beside them. So an exact lookup of
any copy by phone, e-mail or ID number is a real lookup of a value nobody else has.

Every row with an encrypted column (customers, profiles, holdings, interactions, needs) is
computed in Python in chunks and loaded with COPY through `customers.demo.copy_rows`, which
prepares every column as `save()` would: a token is bound to its row (its record key), so a
copy gets a record key of its own and its values are encrypted again for it; the values
whose plaintext is not identifying (address, date of birth, income, notes, summaries) are the
generated customer's, decrypted and re-encrypted. The rows without encrypted columns
(relationships, history, book permissions) are copied set-based with INSERT ... SELECT
through a staged id map.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bench.identities import (
    check_identities,
    copy_account_number,
    copy_email,
    copy_id_number,
    copy_phone,
)

__all__ = ["clone_customers", "copied_tables"]

CHUNK = 2000  # generated customers copied per transaction


def _print(text: str) -> None:
    print(text, flush=True)


def copied_tables():
    """The customer tables, parents first (the order copies are written in)."""
    from customers.models import (
        CorporateProfile,
        Customer,
        CustomerEvent,
        CustomerUserObjectPermission,
        Holding,
        IndividualProfile,
        Interaction,
        Need,
        Relationship,
    )

    return (Customer, IndividualProfile, CorporateProfile, Holding, Interaction, Need, Relationship,
            CustomerEvent, CustomerUserObjectPermission)


def _plain_values(model, row: dict) -> dict:
    """`row` (a `values()` row of `model`, record key included) with every encrypted value in
    clear and without its primary key and record key, so `copy_rows` binds it to a new row."""
    from compliance.fields import Ciphertext, EncryptedField

    identity = str(row["record_key"])
    plain = {}
    for item in model._meta.concrete_fields:
        if item.attname not in row or item.attname == "record_key":
            continue
        if item.primary_key and not item.is_relation:
            continue
        value = row[item.attname]
        if isinstance(item, EncryptedField) and isinstance(value, Ciphertext):
            value = item.decrypt_value(value, row=row[model._meta.pk.attname], identity=identity)
        plain[item.attname] = value
    return plain


def _insert_select(model, overrides: dict[str, str], joins: str, where: str = "") -> str:
    """INSERT ... SELECT copying `model`'s rows, with SQL expressions for some columns."""
    from django.db import connection

    quote = connection.ops.quote_name
    columns, values = [], []
    for item in model._meta.concrete_fields:
        if item.primary_key and item.column not in overrides:
            continue  # identity default
        columns.append(quote(item.column))
        values.append(overrides.get(item.column, f"c.{quote(item.column)}"))
    table = quote(model._meta.db_table)
    return (f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - identifiers from models
            f"SELECT {', '.join(values)} FROM {table} c {joins} {where}")


class _Round:
    """Copy number `round_number` of the first `size` generated customers."""

    def __init__(self, *, round_number: int, base_ids: list[int], size: int,
                 managers: dict[str, list[int]]) -> None:
        from customers.models import Customer

        self.round_number = round_number
        self.base_count = len(base_ids)
        self.ids = base_ids[:size]
        self.position = {customer_id: index for index, customer_id in enumerate(base_ids)}
        # Copy k moves each customer to the k-th next RM of the same branch, so every book
        # gets a mix of customers.
        self.new_manager = {ids[i]: ids[(i + round_number) % len(ids)]
                            for ids in managers.values() for i in range(len(ids))}
        self.customer_fields = [item.attname for item in Customer._meta.concrete_fields]

    def copy_number(self, base_id: int) -> int:
        """The copy number of this round's copy of customer `base_id` (unique over all rounds)."""
        return (self.round_number - 1) * self.base_count + self.position[base_id]

    def run(self) -> None:
        from django.db import connection, transaction

        from customers.demo.writing import allocate_ids
        from customers.models import Customer
        from customers.services import next_customer_numbers

        with transaction.atomic():
            new_ids = allocate_ids(Customer, len(self.ids))
            numbers = next_customer_numbers(len(self.ids))
        self.new_id = dict(zip(self.ids, new_ids, strict=True))
        self.number = dict(zip(self.ids, numbers, strict=True))
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_map, bench_rm")
            cursor.execute("CREATE TEMP TABLE bench_map (old_id bigint PRIMARY KEY, new_id bigint NOT NULL)")
            with cursor.copy("COPY bench_map (old_id, new_id) FROM STDIN") as copy:
                for old, new in self.new_id.items():
                    copy.write_row((old, new))
            cursor.execute("CREATE TEMP TABLE bench_rm (old_rm integer PRIMARY KEY, new_rm integer NOT NULL)")
            cursor.executemany("INSERT INTO bench_rm VALUES (%s, %s)", list(self.new_manager.items()))
            cursor.execute("ANALYZE bench_map")
            cursor.execute("ANALYZE bench_rm")
        try:
            for start in range(0, len(self.ids), CHUNK):
                chunk = self.ids[start:start + CHUNK]
                with transaction.atomic():
                    self._copy_chunk(chunk[0], chunk[-1])
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(self._relationships_sql())
        finally:
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE IF EXISTS bench_map, bench_rm")

    # Customers and holdings, computed -------------------------------------------------

    def _customer_row(self, row: dict) -> dict:
        from customers.models import Customer

        base_id = row["id"]
        n = self.copy_number(base_id)
        number = self.number[base_id]
        copied = _plain_values(Customer, row)
        copied.update({
            "id": self.new_id[base_id],
            "number": number,
            "external_reference": f"CBS-{number[1:]}",
            "relationship_manager_id": self.new_manager.get(row["relationship_manager_id"],
                                                            row["relationship_manager_id"]),
            "merged_into_id": None,
        })
        # Plaintext here: the fields encrypt it and derive its blind index and mask hint.
        if row["phone"] is not None:
            copied["phone"] = copy_phone(n)
        if row["email"] is not None:
            copied["email"] = copy_email(n, kind=row["kind"], display_name=row["display_name"])
        if copied["id_number"] is not None:
            copied["id_number"] = copy_id_number(n, kind=row["kind"], base=copied["id_number"])
        return copied

    def _holding_rows(self, lo: int, hi: int) -> list[dict]:
        from customers.models import Holding

        fields = [item.attname for item in Holding._meta.concrete_fields if not item.primary_key]
        rows = []
        position = 0
        previous = None
        for row in (Holding.objects.filter(customer_id__gte=lo, customer_id__lte=hi)
                    .order_by("customer_id", "pk").values(*fields)):
            base_id = row["customer_id"]
            position = position + 1 if base_id == previous else 0
            previous = base_id
            copied = dict(row, customer_id=self.new_id[base_id])
            del copied["record_key"]  # the copy gets its own, and its account number is new
            if row["account_number"] is not None:
                account = copy_account_number(self.copy_number(base_id), position,
                                              product_type=row["product_type"])
                copied["account_number"] = account
            rows.append(copied)
        return rows

    def _copy_chunk(self, lo: int, hi: int) -> None:
        from django.db import connection

        from customers.demo import copy_rows
        from customers.models import Customer, Holding

        customers = [self._customer_row(row) for row in Customer.objects.filter(
            pk__gte=lo, pk__lte=hi).order_by("pk").values(*self.customer_fields)]
        copy_rows(Customer, customers)
        for model, overrides in self._rebound_models():
            copy_rows(model, self._rebound_rows(model, lo, hi, overrides))
        with connection.cursor() as cursor:
            for statement in self._chunk_sql(lo, hi):
                cursor.execute(statement)
        copy_rows(Holding, self._holding_rows(lo, hi))

    def _rebound_models(self):
        """The customers' rows whose encrypted values are copied, with the columns that
        change: the customer, and the staff member moved like the book."""
        from customers.models import CorporateProfile, IndividualProfile, Interaction, Need

        def moved(user_id):
            return self.new_manager.get(user_id, user_id)

        return ((IndividualProfile, {}), (CorporateProfile, {}),
                (Interaction, {"staff_id": moved}), (Need, {"recorded_by_id": moved}))

    def _rebound_rows(self, model, lo: int, hi: int, overrides: dict) -> list[dict]:
        """Copies of `model`'s rows of customers `lo`..`hi`, in clear for `copy_rows`."""
        fields = [item.attname for item in model._meta.concrete_fields]
        rows = []
        for row in (model.objects.filter(customer_id__gte=lo, customer_id__lte=hi)
                    .order_by("pk").values(*fields)):
            copied = _plain_values(model, row)
            copied["customer_id"] = self.new_id[row["customer_id"]]
            for column, change in overrides.items():
                copied[column] = change(row[column])
            rows.append(copied)
        return rows

    # The rest, set-based ------------------------------------------------------------------

    def _chunk_sql(self, lo: int, hi: int) -> list[str]:
        *_with_encrypted_values, _relationship, event, permission = copied_tables()
        mapped = "JOIN bench_map m ON m.old_id = c.{column}"

        def by_rm(column: str) -> str:
            return f" LEFT JOIN bench_rm r ON r.old_rm = c.{column}"

        def within(column: str) -> str:
            return f"WHERE c.{column} BETWEEN {int(lo)} AND {int(hi)}"

        return [
            _insert_select(event, {"customer_id": "m.new_id"}, mapped.format(column="customer_id"),
                           within("customer_id")),
            _insert_select(permission, {
                "content_object_id": "m.new_id", "user_id": "COALESCE(r.new_rm, c.user_id)",
            }, mapped.format(column="content_object_id") + by_rm("user_id"), within("content_object_id")),
        ]

    def _relationships_sql(self) -> str:
        relationship = copied_tables()[6]
        return _insert_select(relationship, {"from_customer_id": "m.new_id", "to_customer_id": "m2.new_id"},
                              "JOIN bench_map m ON m.old_id = c.from_customer_id "
                              "JOIN bench_map m2 ON m2.old_id = c.to_customer_id")


def clone_customers(*, target: int, managers: dict[str, list[int]],
                    progress: Callable[[str], None] = _print) -> float:
    """Copy the generated customers, round after round, until there are `target` customers.

    `managers` maps branch codes to their RMs' user ids (copy k moves each customer to the
    k-th next RM of its branch). Return the copying rate in customers per second.
    Raise ValueError if the copies would not fit the copy number ranges.
    """
    from customers.models import Customer

    base_ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    if not base_ids:
        return 0.0
    check_identities(target - len(base_ids))
    total = len(base_ids)
    round_number = 0
    started = time.perf_counter()
    while total < target:
        round_number += 1
        size = min(len(base_ids), target - total)
        round_started = time.perf_counter()
        _Round(round_number=round_number, base_ids=base_ids, size=size, managers=managers).run()
        total += size
        progress(f"  copy {round_number}: {total:,}/{target:,} customers "
                 f"({size / (time.perf_counter() - round_started):,.0f} customers/s)")
    copied = total - len(base_ids)
    return copied / (time.perf_counter() - started) if copied else 0.0
