"""Reading an import file's rows and parsing each cell, without touching the database.

Row numbers count the header as row 1, so row N is line N of the file as a spreadsheet shows
it. A cell that cannot be parsed is recorded as a problem by column and code, never with its
value.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from compliance import access
from compliance.normalise import NotARealDate, normalise_date
from crm.models import Branch, StaffProfile
from crm.roles import Role
from customers import permissions
from customers.intake.columns import (
    CORPORATE_COLUMNS,
    CUSTOMER_INDEXED,
    CUSTOMER_KINDS,
    CUSTOMER_STATUSES,
    EARLIEST_DATE,
    GENDERS,
    HOLDING_STATUSES,
    INDIVIDUAL_COLUMNS,
    PRODUCT_TYPES,
    is_blank,
    read_header,
)
from customers.intake.selectors import is_unrestricted
from customers.models import (
    CorporateProfile,
    Customer,
    CustomerKind,
    Holding,
    ImportJob,
    ImportKind,
    IndividualProfile,
)


@dataclass
class Record:
    number: int
    cells: dict[str, str]
    too_many_cells: bool


def read_records(text: str, *, skip: int = 0) -> Iterator[Record]:
    """The data rows after the first `skip` ones, numbered as a spreadsheet numbers them."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = read_header(reader)
    seen = 0
    for number, record in enumerate(reader, start=2):
        if is_blank(record):
            continue
        seen += 1
        if seen <= skip:
            continue
        cells = {
            name: (record[index].strip() if index < len(record) else "") for index, name in enumerate(header)
        }
        yield Record(number=number, cells=cells, too_many_cells=len(record) > len(header))


def batches(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    while batch := list(itertools.islice(records, size)):
        yield batch


class InvalidCell(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def parse_date(text: str, *, today: datetime.date, past_only: bool = False) -> datetime.date:
    try:
        value = datetime.date.fromisoformat(normalise_date(text))
    except NotARealDate:
        raise InvalidCell("not_a_real_date") from None
    except ValueError:
        raise InvalidCell("invalid_date") from None
    if value < EARLIEST_DATE:
        raise InvalidCell("date_too_early")
    if past_only and value > today:
        raise InvalidCell("date_in_future")
    return value


def parse_amount(text: str, *, max_digits: int, negative: bool = False) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").replace(" ", ""))
        if not value.is_finite():
            raise InvalidCell("invalid_amount")
        quantised = value.quantize(Decimal("0.01"))
    except InvalidOperation:
        raise InvalidCell("invalid_amount") from None
    if quantised != value:
        raise InvalidCell("invalid_amount")
    if quantised < 0 and not negative:
        raise InvalidCell("negative_amount")
    if len(quantised.as_tuple().digits) > max_digits:
        raise InvalidCell("amount_too_large")
    return quantised


def parse_integer(text: str) -> int:
    if not text.isascii() or not text.isdigit() or int(text) > 2_147_483_647:
        raise InvalidCell("invalid_integer")
    return int(text)


def parse_choice(text: str, choices: frozenset[str]) -> str:
    value = text.lower()
    if value not in choices:
        raise InvalidCell("invalid_choice")
    return value


_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


def parse_countries(text: str) -> list[str]:
    codes = [part for part in re.split(r"[;,\s]+", text) if part]
    if not codes or any(not _COUNTRY.match(code) for code in codes):
        raise InvalidCell("invalid_country")
    return list(dict.fromkeys(code.upper() for code in codes))


def index_of(model, index_name: str, value) -> str:
    """The blind index the model's own field computes for `value` (ValueError if invalid)."""
    return model._meta.get_field(index_name).compute(value)


@dataclass
class Row:
    """One data row: its cells, the values parsed from them, and its problems."""

    number: int
    cells: dict[str, str]
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    profile: dict[str, Any] = field(default_factory=dict)
    indexes: dict[str, str] = field(default_factory=dict)
    reference: str = ""

    def error(self, column: str, code: str) -> None:
        if (column, code) not in self.errors:
            self.errors.append((column, code))

    def has_error(self, column: str) -> bool:
        return any(name == column for name, _code in self.errors)

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self, column: str, max_length: int) -> str:
        value = self.cells.get(column, "")
        if len(value) > max_length:
            self.error(column, "too_long")
            return ""
        return value

    def parse(self, column: str, parser, *args, **kwargs) -> Any:
        """The parsed cell, or None when blank or invalid (invalid is recorded)."""
        value = self.cells.get(column, "")
        if not value:
            return None
        try:
            return parser(value, *args, **kwargs)
        except InvalidCell as invalid:
            self.error(column, invalid.code)
            return None


@dataclass
class ImportContext:
    """What a dry run or an apply knows across batches."""

    job_id: int
    kind: str
    actor: Any
    dry_run: bool
    default_branch_id: int | None
    unrestricted: bool
    branches: dict[str, int]
    today: datetime.date
    managers: dict[str, int | None] = field(default_factory=dict)
    references: dict[str, int] = field(default_factory=dict)
    id_numbers: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, job: ImportJob, *, actor, dry_run: bool) -> ImportContext:
        branches = {}
        if job.kind == ImportKind.CUSTOMERS:
            active = Branch.objects.filter(is_active=True).values_list("pk", "code")
            branches = {code.upper(): pk for pk, code in active}
        return cls(
            job_id=job.pk, kind=job.kind, actor=actor, dry_run=dry_run, default_branch_id=job.home_branch_id,
            unrestricted=is_unrestricted(actor),
            branches=branches, today=timezone.localdate(),
        )

    def may_import_for(self, branch_id: int | None) -> bool:
        """Whether the policy lets the importer write a customer of `branch_id` (no query)."""
        return permissions.allows(self.actor, permissions.CustomerAction.IMPORT,
                                  Customer(home_branch_id=branch_id))

    def visible_customer_ids(self, ids: Iterable[int]) -> set[int]:
        ids = set(ids)
        if self.unrestricted or not ids:
            return ids
        visible = access.restrict(Customer.objects.filter(pk__in=ids), self.actor)
        return set(visible.values_list("pk", flat=True))

    def load_managers(self, numbers: Iterable[str]) -> None:
        missing = {number for number in numbers if number and number not in self.managers}
        if not missing:
            return
        found = dict(
            StaffProfile.objects.filter(
                employee_number__in=missing, user__is_active=True,
                user__groups__name=Role.RELATIONSHIP_MANAGER.value,
            ).values_list("employee_number", "user_id")
        )
        for number in missing:
            self.managers[number] = found.get(number)


def _limit(model, name: str) -> int:
    """The model's max_length for field `name`: the limit every surface shares."""
    return model._meta.get_field(name).max_length


def parse_customer_row(context: ImportContext, record: Record) -> Row:
    row = Row(number=record.number, cells=record.cells)
    cells = record.cells
    if record.too_many_cells:
        row.error("", "too_many_cells")
    row.reference = row.text("external_reference", _limit(Customer, "external_reference"))
    if not cells.get("external_reference"):
        row.error("external_reference", "required")
    elif row.reference and context.references.setdefault(row.reference, row.number) != row.number:
        row.error("external_reference", "duplicate_reference")
    kind = cells.get("kind", "").lower()
    if not kind:
        row.error("kind", "required")
    elif kind not in CUSTOMER_KINDS:
        row.error("kind", "invalid_choice")
    else:
        row.values["kind"] = kind
        for column in CORPORATE_COLUMNS if kind == CustomerKind.INDIVIDUAL else INDIVIDUAL_COLUMNS:
            if cells.get(column):
                row.error(column, "wrong_kind_column")

    values = row.values
    if display_name := row.text("display_name", _limit(Customer, "display_name")):
        values["display_name"] = display_name
    if (status := row.parse("status", parse_choice, CUSTOMER_STATUSES)) is not None:
        values["status"] = status
    if (since := row.parse("since", parse_date, today=context.today, past_only=True)) is not None:
        values["since"] = since
    for column, index_name in CUSTOMER_INDEXED:
        value = row.text(column, _limit(Customer, column))
        if not value:
            continue
        try:
            row.indexes[index_name] = index_of(Customer, index_name, value)
        except ValueError:
            row.error(column, f"invalid_{column}")
            continue
        values[column] = value
    if address := row.text("address", _limit(Customer, "address")):
        values["address"] = address
    if code := cells.get("branch_code"):
        branch_id = context.branches.get(code.upper())
        if branch_id is None:
            row.error("branch_code", "unknown_branch")
        else:
            values["home_branch_id"] = branch_id
    values["manager_number"] = row.text("rm_employee_number", 20)

    profile = row.profile
    if kind == CustomerKind.INDIVIDUAL:
        for column in ("given_name", "family_name", "local_name", "occupation"):
            if value := row.text(column, _limit(IndividualProfile, column)):
                profile[column] = value
        if (gender := row.parse("gender", parse_choice, GENDERS)) is not None:
            profile["gender"] = gender
        born = row.parse("date_of_birth", parse_date, today=context.today, past_only=True)
        if born is not None:
            profile["date_of_birth"] = born
            row.indexes["date_of_birth_index"] = index_of(IndividualProfile, "date_of_birth_index", born)
        if (income := row.parse("annual_income", parse_amount, max_digits=18)) is not None:
            profile["annual_income"] = income
    elif kind == CustomerKind.CORPORATE:
        for column in ("legal_name", "industry"):
            if value := row.text(column, _limit(CorporateProfile, column)):
                profile[column] = value
        if (employees := row.parse("employees", parse_integer)) is not None:
            profile["employees"] = employees
        if (revenue := row.parse("annual_revenue", parse_amount, max_digits=20)) is not None:
            profile["annual_revenue"] = revenue
        if (countries := row.parse("countries", parse_countries)) is not None:
            profile["countries_of_operation"] = countries

    id_number_index = row.indexes.get("id_number_index")
    if id_number_index and context.id_numbers.setdefault(id_number_index, row.number) != row.number:
        row.warnings.append({"field": "id_number", "code": "same_id_in_file"})
    return row


def parse_holding_row(context: ImportContext, record: Record) -> Row:
    row = Row(number=record.number, cells=record.cells)
    cells = record.cells
    if record.too_many_cells:
        row.error("", "too_many_cells")
    row.values["customer_reference"] = row.text("customer_reference", 64)
    if not cells.get("customer_reference"):
        row.error("customer_reference", "required")
    row.reference = row.text("holding_reference", 64)
    if not cells.get("holding_reference"):
        row.error("holding_reference", "required")
    elif row.reference and context.references.setdefault(row.reference, row.number) != row.number:
        row.error("holding_reference", "duplicate_reference")
    values = row.profile  # the holding's own values
    if (product_type := row.parse("product_type", parse_choice, PRODUCT_TYPES)) is not None:
        values["product_type"] = product_type
    if product_name := row.text("product_name", _limit(Holding, "product_name")):
        values["product_name"] = product_name
    if account_number := row.text("account_number", _limit(Holding, "account_number")):
        try:
            row.indexes["account_number_index"] = index_of(Holding, "account_number_index", account_number)
            values["account_number"] = account_number
        except ValueError:
            row.error("account_number", "invalid_account_number")
    if (balance := row.parse("balance", parse_amount, max_digits=20, negative=True)) is not None:
        values["balance"] = balance
    if currency := cells.get("currency"):
        if re.fullmatch(r"[A-Za-z]{3}", currency):
            values["currency"] = currency.upper()
        else:
            row.error("currency", "invalid_currency")
    if (status := row.parse("status", parse_choice, HOLDING_STATUSES)) is not None:
        values["status"] = status
    if (opened := row.parse("opened_on", parse_date, today=context.today, past_only=True)) is not None:
        values["opened_on"] = opened
    if (matures := row.parse("matures_on", parse_date, today=context.today)) is not None:
        values["matures_on"] = matures
    if opened and matures and matures < opened:
        row.error("matures_on", "matures_before_opened")
    return row
