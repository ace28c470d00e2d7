"""CSV import of customers and holdings: upload, dry run, apply.

An import is an `ImportJob` and goes through three steps:

1. `import_job_create` checks the permission (IMPORT), the size (at most 50 MB), the encoding
   (UTF-8; a byte-order mark is tolerated) and the header, stores the file encrypted (it is
   customer data) and queues the dry run.
2. `import_job_validate`, the dry run, reads every row and writes nothing but the job: errors
   by row number and column (never the offending value), references repeated inside the file,
   rows that look like existing customers (warnings: same ID number, phone or e-mail, or a
   similar name with the same date of birth), and how many rows would create, update or leave
   a record as it is.
3. `import_job_apply` writes the file in batches of 1,000 rows, one transaction per batch:
   set-based upserts (INSERT ... ON CONFLICT (external_reference) DO UPDATE) of the records,
   their profiles, the relationship managers' book permissions and the history, the AUM of
   the customers whose holdings changed, one audit event per batch (ids and field names), and
   the job's progress. A fixed number of queries per batch, whatever its size.

Policy
    An import is applied only after a dry run with no errors. A corrected file is uploaded
    again; a partly applied core-banking extract would be harder to reason about than a
    refused one. Warnings do not block. Rows that become invalid between the dry run and the
    apply (another import or a user changed the data meanwhile) are skipped and listed with
    their errors, and the rest is applied.

Idempotence and resuming
    Records are matched by `external_reference`. A row whose values equal the stored ones is
    not written at all, so applying the same file twice creates and changes nothing. Progress
    (`rows_processed`) is committed with each batch, so an interrupted apply (a worker lost, a
    database restart) continues from the first row not yet applied when it runs again.

Blank cells leave the stored value as it is (an import never erases data); a column missing
from the header is the same as a blank column. Row numbers count the header as row 1, so row
N is line N of the file as a spreadsheet shows it.

Customers file (columns in any order; `external_reference` and `kind` are required):
see `CUSTOMER_COLUMNS`. Holdings file (`customer_reference` and `holding_reference`
required): see `HOLDING_COLUMNS`. Both are shown on the upload page.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from compliance import access
from compliance.audit import audit_record
from compliance.fields import Ciphertext
from compliance.normalise import normalise_date
from crm.models import Branch, StaffProfile
from crm.roles import Role, user_roles
from customers import permissions
from customers.duplicates import EXACT_REASONS, DuplicateProbe, duplicate_matches
from customers.models import (
    CORPORATE_SEGMENTS,
    RETAIL_PRODUCTS,
    RETAIL_SEGMENTS,
    CorporateProfile,
    Customer,
    CustomerEvent,
    CustomerEventKind,
    CustomerKind,
    CustomerStatus,
    CustomerUserObjectPermission,
    Gender,
    Holding,
    HoldingStatus,
    ImportJob,
    ImportKind,
    ImportStatus,
    IndividualProfile,
    ProductType,
    band_floor,
)
from customers.services import _refresh_search_name, customers_refresh_aum, next_customer_numbers

MAX_FILE_BYTES = 50 * 1024 * 1024
BATCH_SIZE = 1000
MAX_STORED_PROBLEMS = 1000  # rows_failed keeps the full count
JOB_OBJECT_TYPE = "customers.importjob"
EARLIEST_DATE = datetime.date(1900, 1, 1)


@dataclass(frozen=True)
class Column:
    """One column of an import file."""

    name: str
    description: Promise
    required: bool = False


CUSTOMER_COLUMNS: tuple[Column, ...] = (
    Column("external_reference", _("Core banking reference of the customer (at most 64 characters). "
                                   "A row with a known reference updates that customer."), required=True),
    Column("kind", _("individual or corporate. A customer's kind cannot change."), required=True),
    Column("display_name", _("Name shown in lists; defaults to family and given name, or the legal name.")),
    Column("given_name", _("Individuals: given name. Required for a new customer.")),
    Column("family_name", _("Individuals: family name. Required for a new customer.")),
    Column("local_name", _("Individuals: name in Chinese characters.")),
    Column("gender", _("Individuals: female, male, other or undisclosed.")),
    Column("date_of_birth", _("Individuals: date of birth, YYYY-MM-DD.")),
    Column("occupation", _("Individuals: occupation.")),
    Column("annual_income", _("Individuals: annual income in the bank's currency, e.g. 250000.00.")),
    Column("legal_name", _("Corporates: registered name. Required for a new customer.")),
    Column("industry", _("Corporates: industry. Required for a new customer.")),
    Column("employees", _("Corporates: number of employees, a whole number.")),
    Column("annual_revenue", _("Corporates: annual revenue in the bank's currency.")),
    Column("countries", _("Corporates: countries of operation, ISO two-letter codes separated by "
                          "semicolons, e.g. CN;HK.")),
    Column("branch_code", _("Home branch code; defaults to the branch chosen for the import.")),
    Column("rm_employee_number", _("Employee number of the relationship manager; they get access "
                                   "to the customer.")),
    Column("id_number", _("ID card or business registration number.")),
    Column("phone", _("Phone number; without +country code it is read as a number of the bank's country.")),
    Column("email", _("E-mail address.")),
    Column("address", _("Postal address.")),
    Column("status", _("prospect, active, dormant or closed; a new customer is active by default.")),
    Column("since", _("Customer since, YYYY-MM-DD; defaults to the day of the import.")),
)

HOLDING_COLUMNS: tuple[Column, ...] = (
    Column("customer_reference", _("Core banking reference of the customer holding the product."),
           required=True),
    Column("holding_reference", _("Core banking reference of the holding (at most 64 characters). "
                                  "A row with a known reference updates that holding."), required=True),
    Column("product_type", format_lazy(_("One of: {choices}. Required for a new holding."),
                                       choices=", ".join(ProductType.values))),
    Column("product_name", _("Product name. Required for a new holding.")),
    Column("account_number", _("Account number, digits (spaces and hyphens are ignored).")),
    Column("balance", _("Balance, e.g. 100000.00 (negative for loans). Required for a new holding.")),
    Column("currency", _("ISO currency code; defaults to the bank's currency.")),
    Column("status", _("active, matured, closed or in_arrears; a new holding is active by default.")),
    Column("opened_on", _("Date opened, YYYY-MM-DD. Required for a new holding.")),
    Column("matures_on", _("Maturity date, YYYY-MM-DD.")),
)

COLUMNS = {ImportKind.CUSTOMERS: CUSTOMER_COLUMNS, ImportKind.HOLDINGS: HOLDING_COLUMNS}

# Row-level problems: stored as a code plus the English message; pages translate by code.
MESSAGES: dict[str, Promise] = {
    "required": _("This column is required."),
    "required_new": _("Required for a new record."),
    "too_long": _("The value is too long."),
    "too_many_cells": _("The row has more cells than the header."),
    "invalid": _("This value is not valid."),
    "invalid_choice": _("Not one of the allowed values."),
    "invalid_date": _("Enter a date as YYYY-MM-DD."),
    "date_in_future": _("The date is in the future."),
    "date_too_early": _("The date is before 1900."),
    "matures_before_opened": _("The maturity date is before the opening date."),
    "invalid_amount": _("Enter an amount such as 1234.56, with at most two decimals."),
    "amount_too_large": _("The amount is too large."),
    "negative_amount": _("The amount cannot be negative."),
    "invalid_integer": _("Enter a whole number."),
    "invalid_id_number": _("Enter a valid ID number."),
    "invalid_phone": _("Enter a valid phone number."),
    "invalid_email": _("Enter a valid e-mail address."),
    "invalid_account_number": _("Enter an account number made of digits."),
    "invalid_country": _("Enter two-letter country codes separated by semicolons."),
    "invalid_currency": _("Enter a three-letter currency code."),
    "unknown_branch": _("Unknown branch code."),
    "no_branch": _("Give a branch code, or choose a default branch for the import."),
    "branch_not_allowed": _("You may import only your branch's customers."),
    "unknown_manager": _("No active relationship manager has this employee number."),
    "duplicate_reference": _("Another row of this file has the same reference."),
    "kind_changed": _("A customer's kind cannot change."),
    "wrong_kind_column": _("This column does not apply to this kind of customer."),
    "merged_customer": _("This customer was merged into another record."),
    "reference_unavailable": _("This reference is not available to you."),
    "unknown_customer": _("No customer you may import for has this reference."),
    "holding_other_customer": _("This holding belongs to another customer."),
    "product_not_retail": _("This product is not offered to individual customers."),
    # Warnings
    "possible_duplicate": _("Possible duplicate of an existing customer."),
    "same_id_in_file": _("Another row of this file has the same ID number."),
}

INDIVIDUAL_COLUMNS = ("given_name", "family_name", "local_name", "gender", "date_of_birth", "occupation",
                      "annual_income")
CORPORATE_COLUMNS = ("legal_name", "industry", "employees", "annual_revenue", "countries")
# Model field -> file column, for problems found by model validation.
COLUMN_OF_FIELD = {"home_branch": "branch_code", "relationship_manager": "rm_employee_number",
                   "countries_of_operation": "countries", "external_reference": "external_reference"}

CUSTOMER_KINDS = frozenset(CustomerKind.values)
CUSTOMER_STATUSES = frozenset(CustomerStatus.values)
GENDERS = frozenset(Gender.values)
PRODUCT_TYPES = frozenset(ProductType.values)
HOLDING_STATUSES = frozenset(HoldingStatus.values)
CUSTOMER_INDEXED = (("id_number", "id_number_index"), ("phone", "phone_index"), ("email", "email_index"))

CUSTOMER_UPDATE_FIELDS = [
    "display_name", "search_name", "status", "home_branch", "relationship_manager", "since", "id_number",
    "id_number_index", "phone", "phone_index", "email", "email_index", "address", "updated_at",
]
INDIVIDUAL_UPDATE_FIELDS = [
    "given_name", "family_name", "local_name", "gender", "date_of_birth", "date_of_birth_index",
    "occupation", "annual_income", "income_band",
]
CORPORATE_UPDATE_FIELDS = [
    "legal_name", "industry", "employees", "annual_revenue", "revenue_band", "countries_of_operation",
]
HOLDING_UPDATE_FIELDS = [
    "product_type", "product_name", "account_number", "account_number_index", "account_last4", "balance",
    "currency", "status", "opened_on", "matures_on", "updated_at",
]


class ImportJobStateError(Exception):
    """The job is not in a state that allows the requested step (the message says why)."""


# ---------------------------------------------------------------------------------------------
# Who may import, and which jobs they see
# ---------------------------------------------------------------------------------------------


def _is_unrestricted(actor) -> bool:
    """Head-office roles and service accounts that see every customer import for any branch."""
    return permissions.has_customer_permission(actor, permissions.VIEW)


def may_import(actor) -> bool:
    """Whether `actor` may upload and apply imports (IMPORT, and a branch unless head office)."""
    if not permissions.has_customer_permission(actor, permissions.IMPORT):
        return False
    return _is_unrestricted(actor) or permissions.user_branch_id(actor) is not None


def _check_may_import(actor) -> None:
    if not may_import(actor):
        raise PermissionDenied(_gettext("You may not import customers or holdings."))


def import_job_list(*, actor) -> QuerySet:
    """Import jobs `actor` may see, newest first: their own; their branch's for a branch
    manager; all for head-office importers. None without the IMPORT permission."""
    jobs = ImportJob.objects.defer("content").select_related("created_by", "home_branch").order_by(
        "-created_at", "-pk"
    )
    if not may_import(actor):
        return jobs.none()
    if _is_unrestricted(actor):
        return jobs
    condition = Q(created_by=actor)
    branch_id = permissions.user_branch_id(actor)
    if branch_id and Role.BRANCH_MANAGER.value in user_roles(actor):
        condition |= Q(home_branch_id=branch_id)
    return jobs.filter(condition)


def import_job_get(*, actor, pk: int) -> ImportJob:
    """The job `pk` if `actor` may see it; Http404 otherwise (same for missing and not yours)."""
    try:
        return import_job_list(actor=actor).get(pk=pk)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# ---------------------------------------------------------------------------------------------
# Reading the file
# ---------------------------------------------------------------------------------------------


def _decode(content: bytes | str) -> str:
    if isinstance(content, bytes):
        if len(content) > MAX_FILE_BYTES:
            raise ValidationError({"content": _gettext("The file is larger than 50 MB.")})
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError({"content": _gettext(
                "The file is not UTF-8 text. Save it as \"CSV UTF-8\" and upload it again.")}) from None
    else:
        if len(content.encode("utf-8")) > MAX_FILE_BYTES:
            raise ValidationError({"content": _gettext("The file is larger than 50 MB.")})
        text = content.removeprefix("\ufeff")
    if "\x00" in text:
        raise ValidationError({"content": _gettext("The file is not a CSV text file.")})
    return text


def _header(reader) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationError({"content": _gettext("The file is empty.")}) from None
    return [name.strip().lower() for name in header]


def _check_header(header: list[str], kind: str) -> None:
    known = {column.name for column in COLUMNS[kind]}
    unknown = [str(position) for position, name in enumerate(header, start=1) if name not in known]
    if unknown:
        # Positions, not the names: a file without a header would put customer data here.
        raise ValidationError({"content": _gettext(
            "The header has unknown column names at positions %(positions)s. Columns are separated by "
            "commas and named as listed below.") % {"positions": ", ".join(unknown[:20])}})
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ValidationError({"content": _gettext("These columns appear more than once: %(names)s.")
                               % {"names": ", ".join(repeated)}})
    missing = [column.name for column in COLUMNS[kind] if column.required and column.name not in header]
    if missing:
        raise ValidationError({"content": _gettext("The header lacks the required columns: %(names)s.")
                               % {"names": ", ".join(missing)}})


def _is_blank(record: list[str]) -> bool:
    return not any(cell.strip() for cell in record)


def _count_rows(text: str, kind: str) -> int:
    """Check the header and every record's CSV syntax; return the number of data rows."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        _check_header(_header(reader), kind)
        return sum(1 for record in reader if not _is_blank(record))
    except csv.Error:
        raise ValidationError({"content": _gettext(
            "The file is not a valid CSV file (near row %(row)s).") % {"row": reader.line_num}}) from None


@dataclass
class _Record:
    number: int
    cells: dict[str, str]
    too_many_cells: bool


def _records(text: str, *, skip: int = 0) -> Iterator[_Record]:
    """The data rows after the first `skip` ones, numbered as a spreadsheet numbers them."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = _header(reader)
    seen = 0
    for number, record in enumerate(reader, start=2):
        if _is_blank(record):
            continue
        seen += 1
        if seen <= skip:
            continue
        cells = {
            name: (record[index].strip() if index < len(record) else "") for index, name in enumerate(header)
        }
        yield _Record(number=number, cells=cells, too_many_cells=len(record) > len(header))


def _batches(records: Iterator[_Record], size: int) -> Iterator[list[_Record]]:
    while batch := list(itertools.islice(records, size)):
        yield batch


def _job_text(job_id: int) -> str:
    return ImportJob.objects.only("content").get(pk=job_id).content


# ---------------------------------------------------------------------------------------------
# Cell parsing
# ---------------------------------------------------------------------------------------------


class _Invalid(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _parse_date(text: str, *, today: datetime.date, past_only: bool = False) -> datetime.date:
    try:
        value = datetime.date.fromisoformat(normalise_date(text))
    except ValueError:
        raise _Invalid("invalid_date") from None
    if value < EARLIEST_DATE:
        raise _Invalid("date_too_early")
    if past_only and value > today:
        raise _Invalid("date_in_future")
    return value


def _parse_amount(text: str, *, max_digits: int, negative: bool = False) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").replace(" ", ""))
        if not value.is_finite():
            raise _Invalid("invalid_amount")
        quantised = value.quantize(Decimal("0.01"))
    except InvalidOperation:
        raise _Invalid("invalid_amount") from None
    if quantised != value:
        raise _Invalid("invalid_amount")
    if quantised < 0 and not negative:
        raise _Invalid("negative_amount")
    if len(quantised.as_tuple().digits) > max_digits:
        raise _Invalid("amount_too_large")
    return quantised


def _parse_integer(text: str) -> int:
    if not text.isascii() or not text.isdigit() or int(text) > 2_147_483_647:
        raise _Invalid("invalid_integer")
    return int(text)


def _parse_choice(text: str, choices: frozenset[str]) -> str:
    value = text.lower()
    if value not in choices:
        raise _Invalid("invalid_choice")
    return value


_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


def _parse_countries(text: str) -> list[str]:
    codes = [part for part in re.split(r"[;,\s]+", text) if part]
    if not codes or any(not _COUNTRY.match(code) for code in codes):
        raise _Invalid("invalid_country")
    return list(dict.fromkeys(code.upper() for code in codes))


def _index_of(model, index_name: str, value) -> str:
    """The blind index the model's own field computes for `value` (ValueError if invalid)."""
    return model._meta.get_field(index_name).compute(value)


def _set_indexed(context: _Context, instance, name: str, value, index_name: str, index: str) -> None:
    """Assign a sensitive value whose blind index was computed while parsing.

    When writing, the value is encrypted here and stored as a token with the index beside it,
    so saving neither encrypts again nor normalises the value a second time (BlindIndexField
    keeps an assigned index when its source is an unread token). A dry run assigns plaintext.
    """
    if context.dry_run:
        setattr(instance, name, value)
        return
    setattr(instance, name, Ciphertext(instance._meta.get_field(name).encrypt_value(value)))
    setattr(instance, index_name, index)


@dataclass
class _Row:
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
        except _Invalid as invalid:
            self.error(column, invalid.code)
            return None


@dataclass
class _Outcome:
    row: _Row
    action: str  # "create", "update", "unchanged" or "failed"
    record: Any = None  # the Customer or Holding to write
    profile: Any = None
    changed: list[str] = field(default_factory=list)
    previous_manager_id: int | None = None
    customer_id: int | None = None  # holdings: the customer whose AUM changes


@dataclass
class _Context:
    """What a dry run or an apply knows across batches."""

    job_id: int
    kind: str
    actor: Any
    dry_run: bool
    default_branch_id: int | None
    unrestricted: bool
    actor_branch_id: int | None
    branches: dict[str, int]
    today: datetime.date
    managers: dict[str, int | None] = field(default_factory=dict)
    references: dict[str, int] = field(default_factory=dict)
    id_numbers: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, job: ImportJob, *, actor, dry_run: bool) -> _Context:
        branches = {}
        if job.kind == ImportKind.CUSTOMERS:
            active = Branch.objects.filter(is_active=True).values_list("pk", "code")
            branches = {code.upper(): pk for pk, code in active}
        return cls(
            job_id=job.pk, kind=job.kind, actor=actor, dry_run=dry_run, default_branch_id=job.home_branch_id,
            unrestricted=_is_unrestricted(actor), actor_branch_id=permissions.user_branch_id(actor),
            branches=branches, today=timezone.localdate(),
        )

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


def _model_problems(row: _Row, instance, exclude: list[str]) -> None:
    """Model validation of what the row set; problems by column, without the model's message
    (Django's messages may quote the value)."""
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as invalid:
        for name in invalid.message_dict:
            row.error(COLUMN_OF_FIELD.get(name, name), "invalid")


# ---------------------------------------------------------------------------------------------
# Customers
# ---------------------------------------------------------------------------------------------


def _parse_customer_row(context: _Context, record: _Record) -> _Row:
    row = _Row(number=record.number, cells=record.cells)
    cells = record.cells
    if record.too_many_cells:
        row.error("", "too_many_cells")
    row.reference = row.text("external_reference", 64)
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
    if display_name := row.text("display_name", 200):
        values["display_name"] = display_name
    if (status := row.parse("status", _parse_choice, CUSTOMER_STATUSES)) is not None:
        values["status"] = status
    if (since := row.parse("since", _parse_date, today=context.today, past_only=True)) is not None:
        values["since"] = since
    for column, index_name in CUSTOMER_INDEXED:
        value = row.text(column, 200)
        if not value:
            continue
        try:
            row.indexes[index_name] = _index_of(Customer, index_name, value)
        except ValueError:
            row.error(column, f"invalid_{column}")
            continue
        values[column] = value
    if address := row.text("address", 500):
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
        for column, limit in (("given_name", 100), ("family_name", 100), ("local_name", 100),
                              ("occupation", 120)):
            if value := row.text(column, limit):
                profile[column] = value
        if (gender := row.parse("gender", _parse_choice, GENDERS)) is not None:
            profile["gender"] = gender
        born = row.parse("date_of_birth", _parse_date, today=context.today, past_only=True)
        if born is not None:
            profile["date_of_birth"] = born
            row.indexes["date_of_birth_index"] = _index_of(IndividualProfile, "date_of_birth_index", born)
        if (income := row.parse("annual_income", _parse_amount, max_digits=18)) is not None:
            profile["annual_income"] = income
    elif kind == CustomerKind.CORPORATE:
        for column, limit in (("legal_name", 200), ("industry", 80)):
            if value := row.text(column, limit):
                profile[column] = value
        if (employees := row.parse("employees", _parse_integer)) is not None:
            profile["employees"] = employees
        if (revenue := row.parse("annual_revenue", _parse_amount, max_digits=20)) is not None:
            profile["annual_revenue"] = revenue
        if (countries := row.parse("countries", _parse_countries)) is not None:
            profile["countries_of_operation"] = countries

    id_number_index = row.indexes.get("id_number_index")
    if id_number_index and context.id_numbers.setdefault(id_number_index, row.number) != row.number:
        row.warnings.append({"field": "id_number", "code": "same_id_in_file"})
    return row


def _check_new_customer(context: _Context, row: _Row) -> None:
    kind = row.values.get("kind")
    if kind is None:
        return
    if "home_branch_id" not in row.values and not row.has_error("branch_code"):
        if context.default_branch_id is None:
            row.error("branch_code", "no_branch")
        else:
            row.values["home_branch_id"] = context.default_branch_id
    branch_id = row.values.get("home_branch_id")
    if branch_id is not None and not context.unrestricted and branch_id != context.actor_branch_id:
        row.error("branch_code", "branch_not_allowed")
    individual = kind == CustomerKind.INDIVIDUAL
    for column in ("given_name", "family_name") if individual else ("legal_name", "industry"):
        if column not in row.profile and not row.has_error(column):
            row.error(column, "required_new")


def _check_existing_customer(context: _Context, row: _Row, customer: Customer, visible: set[int]) -> None:
    if customer.merged_into_id is not None:
        row.error("external_reference", "merged_customer")
        return
    if customer.pk not in visible:
        row.error("external_reference", "reference_unavailable")
        return
    if row.values.get("kind") and row.values["kind"] != customer.kind:
        row.error("kind", "kind_changed")
    if not context.unrestricted:
        branch_id = row.values.get("home_branch_id", customer.home_branch_id)
        if customer.home_branch_id != context.actor_branch_id or branch_id != context.actor_branch_id:
            row.error("branch_code", "branch_not_allowed")


CUSTOMER_SIMPLE = ("display_name", "status", "since", "address")


def _plan_new_customer(context: _Context, row: _Row) -> _Outcome:
    values = row.values
    kind = values["kind"]
    customer = Customer(
        kind=kind, external_reference=row.reference,
        segment=RETAIL_SEGMENTS[0] if kind == CustomerKind.INDIVIDUAL else CORPORATE_SEGMENTS[0],
        status=values.get("status", CustomerStatus.ACTIVE), since=values.get("since", context.today),
        home_branch_id=values["home_branch_id"], display_name=values.get("display_name", ""),
        relationship_manager_id=values.get("relationship_manager_id"),
    )
    for column, index_name in CUSTOMER_INDEXED:
        if column in values:
            _set_indexed(context, customer, column, values[column], index_name, row.indexes[index_name])
    if "address" in values:
        customer.address = values["address"]
    if kind == CustomerKind.INDIVIDUAL:
        plain = {name: value for name, value in row.profile.items() if name != "date_of_birth"}
        profile = IndividualProfile(**plain)
        if "date_of_birth" in row.profile:
            _set_indexed(context, profile, "date_of_birth", row.profile["date_of_birth"],
                         "date_of_birth_index", row.indexes["date_of_birth_index"])
        profile.income_band = band_floor(profile.annual_income)
        default_name = f"{profile.family_name} {profile.given_name}".strip()
    else:
        profile = CorporateProfile(**row.profile)
        profile.revenue_band = band_floor(profile.annual_revenue)
        default_name = profile.legal_name
    customer.display_name = customer.display_name or default_name
    _refresh_search_name(customer, profile)
    _model_problems(row, customer, ["number", "home_branch", "relationship_manager", "segment_rule",
                                    "merged_into", "id_number", "phone", "email", "address"])
    _model_problems(row, profile, ["customer", "date_of_birth", "annual_income", "annual_revenue"])
    if not row.ok:
        return _Outcome(row=row, action="failed")
    return _Outcome(row=row, action="create", record=customer, profile=profile,
                    changed=sorted(set(values) - {"kind", "manager_number", "relationship_manager_id",
                                                  "home_branch_id"} | set(row.profile)))


def _plan_customer_update(context: _Context, row: _Row, customer: Customer) -> _Outcome:
    values = row.values
    changed: list[str] = []
    for name in CUSTOMER_SIMPLE:
        # Reading `address` decrypts it; the others are plain columns.
        if name in values and getattr(customer, name) != values[name]:
            setattr(customer, name, values[name])
            changed.append(name)
    for column, index_name in CUSTOMER_INDEXED:
        # Compared through the blind index: equal spellings of the same number are no change,
        # and nothing stored is decrypted.
        if column in values and getattr(customer, index_name) != row.indexes[index_name]:
            _set_indexed(context, customer, column, values[column], index_name, row.indexes[index_name])
            changed.append(column)
    if "home_branch_id" in values and customer.home_branch_id != values["home_branch_id"]:
        customer.home_branch_id = values["home_branch_id"]
        changed.append("home_branch")
    previous_manager_id = customer.relationship_manager_id
    manager_id = values.get("relationship_manager_id")
    if manager_id is not None and manager_id != previous_manager_id:
        customer.relationship_manager_id = manager_id
        changed.append("relationship_manager")

    if customer.kind == CustomerKind.INDIVIDUAL:
        profile = getattr(customer, "individual", None) or IndividualProfile(customer=customer)
        plain = ("given_name", "family_name", "local_name", "gender", "occupation")
    else:
        profile = getattr(customer, "corporate", None) or CorporateProfile(customer=customer)
        plain = ("legal_name", "industry", "employees", "countries_of_operation")
    profile_changed = [
        name for name in plain if name in row.profile and getattr(profile, name) != row.profile[name]
    ]
    for name in profile_changed:
        setattr(profile, name, row.profile[name])
    if "date_of_birth" in row.profile and profile.date_of_birth_index != row.indexes["date_of_birth_index"]:
        _set_indexed(context, profile, "date_of_birth", row.profile["date_of_birth"], "date_of_birth_index",
                     row.indexes["date_of_birth_index"])
        profile_changed.append("date_of_birth")
    for name, band in (("annual_income", "income_band"), ("annual_revenue", "revenue_band")):
        if name in row.profile and getattr(profile, name) != row.profile[name]:
            setattr(profile, name, row.profile[name])
            setattr(profile, band, band_floor(row.profile[name]))
            profile_changed.append(name)
    if not changed and not profile_changed:
        return _Outcome(row=row, action="unchanged", record=customer)
    _refresh_search_name(customer, profile)
    # Validate what the row changed, minus what the parser already checked more strictly
    # (identifiers through their normalisers, amounts and dates) and the foreign keys.
    checked = set(changed) - {"home_branch", "relationship_manager", "id_number", "phone", "email"}
    _model_problems(row, customer, [each.name for each in Customer._meta.fields if each.name not in checked])
    checked = set(profile_changed) - {"date_of_birth", "annual_income", "annual_revenue"}
    _model_problems(row, profile, [each.name for each in profile._meta.fields if each.name not in checked])
    if not row.ok:
        return _Outcome(row=row, action="failed")
    return _Outcome(row=row, action="update", record=customer, profile=profile,
                    changed=sorted(changed + profile_changed), previous_manager_id=previous_manager_id)


def _resolve_customers(context: _Context, records: list[_Record]) -> list[_Outcome]:
    rows = [_parse_customer_row(context, record) for record in records]
    context.load_managers(row.values["manager_number"] for row in rows)
    references = [row.reference for row in rows if row.reference]
    existing = {
        customer.external_reference: customer
        for customer in Customer.objects.filter(external_reference__in=references).select_related(
            "individual", "corporate"
        )
    } if references else {}
    visible = context.visible_customer_ids(customer.pk for customer in existing.values())
    outcomes = []
    for row in rows:
        number = row.values.pop("manager_number")
        if number:
            manager_id = context.managers.get(number)
            if manager_id is None:
                row.error("rm_employee_number", "unknown_manager")
            else:
                row.values["relationship_manager_id"] = manager_id
        customer = existing.get(row.reference) if row.reference else None
        if customer is None:
            _check_new_customer(context, row)
        else:
            _check_existing_customer(context, row, customer, visible)
        if not row.ok:
            outcomes.append(_Outcome(row=row, action="failed"))
        elif customer is None:
            outcomes.append(_plan_new_customer(context, row))
        else:
            outcomes.append(_plan_customer_update(context, row, customer))
    return outcomes


def _flag_possible_duplicates(context: _Context, outcomes: list[_Outcome]) -> None:
    """Dry run: warn about rows that look like customers the importer can see."""
    probes = []
    by_row = {}
    for outcome in outcomes:
        if outcome.action not in ("create", "update"):
            continue
        row = outcome.row
        customer = outcome.record
        date_of_birth_index = row.indexes.get("date_of_birth_index", "")
        individual = customer.kind == CustomerKind.INDIVIDUAL
        if not date_of_birth_index and outcome.action == "update" and individual:
            date_of_birth_index = outcome.profile.date_of_birth_index or ""
        probes.append(DuplicateProbe(
            key=row.number, id_number_index=row.indexes.get("id_number_index", ""),
            phone_index=row.indexes.get("phone_index", ""), email_index=row.indexes.get("email_index", ""),
            date_of_birth_index=date_of_birth_index,
            search_name=customer.search_name if individual else "",
            exclude_id=customer.pk,
        ))
        by_row[row.number] = row
    if not probes:
        return
    for key, matches in duplicate_matches(actor=context.actor, probes=probes).items():
        for match in matches:
            column = match.reasons[0] if match.reasons[0] in EXACT_REASONS else "display_name"
            by_row[key].warnings.append({
                "field": column, "code": "possible_duplicate", "customer": match.customer_number,
                "reasons": list(match.reasons),
            })


def _grant_book_pairs(pairs: list[tuple[int, int]]) -> int:
    """View and PII permissions for (user id, customer id) pairs, in one statement.

    customers.permissions.grant_book_permissions takes one user; an import batch names many
    relationship managers, and one statement per manager would grow with the batch.
    """
    rows = [
        CustomerUserObjectPermission(
            user_id=user_id, permission_id=permissions.permission_id(codename), content_object_id=customer_id
        )
        for user_id, customer_id in pairs
        for codename in permissions.BOOK_PERMISSIONS
    ]
    return len(CustomerUserObjectPermission.objects.bulk_create(rows, ignore_conflicts=True)) if rows else 0


def _revoke_book_pairs(pairs: list[tuple[int, int]]) -> int:
    if not pairs:
        return 0
    table = CustomerUserObjectPermission._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""DELETE FROM {table} p
                USING unnest(%s::integer[], %s::bigint[]) AS x(user_id, customer_id)
                WHERE p.user_id = x.user_id AND p.content_object_id = x.customer_id
                  AND p.permission_id = ANY(%s)""",  # noqa: S608 - the table name is our own
            [[user_id for user_id, _c in pairs], [customer_id for _u, customer_id in pairs],
             [permissions.permission_id(codename) for codename in permissions.BOOK_PERMISSIONS]],
        )
        return cursor.rowcount


def _write_customers(context: _Context, outcomes: list[_Outcome]) -> dict:
    creates = [outcome for outcome in outcomes if outcome.action == "create"]
    updates = [outcome for outcome in outcomes if outcome.action == "update"]
    for outcome, number in zip(creates, next_customer_numbers(len(creates)) if creates else [], strict=True):
        outcome.record.number = number
    writing = creates + updates
    if not writing:
        return {"created": [], "updated": [], "fields": []}
    # One upsert on the core-banking reference: a record another import created since this
    # batch read the table is updated rather than duplicated.
    Customer.objects.bulk_create(
        [outcome.record for outcome in writing], update_conflicts=True,
        unique_fields=["external_reference"], update_fields=CUSTOMER_UPDATE_FIELDS,
    )
    for kind, model, update_fields in (
        (CustomerKind.INDIVIDUAL, IndividualProfile, INDIVIDUAL_UPDATE_FIELDS),
        (CustomerKind.CORPORATE, CorporateProfile, CORPORATE_UPDATE_FIELDS),
    ):
        profiles = []
        for outcome in writing:
            if outcome.record.kind == kind:
                outcome.profile.customer_id = outcome.record.pk
                profiles.append(outcome.profile)
        if profiles:
            model.objects.bulk_create(profiles, update_conflicts=True, unique_fields=["customer"],
                                      update_fields=update_fields)

    grants, revokes = [], []
    now = timezone.now()
    events = []
    for outcome in creates:
        customer = outcome.record
        if customer.relationship_manager_id:
            grants.append((customer.relationship_manager_id, customer.pk))
        events.append(CustomerEvent(customer_id=customer.pk, kind=CustomerEventKind.IMPORTED,
                                    actor=context.actor, occurred_at=now, data={"import": context.job_id}))
    for outcome in updates:
        customer = outcome.record
        events.append(CustomerEvent(
            customer_id=customer.pk, kind=CustomerEventKind.UPDATED, actor=context.actor, occurred_at=now,
            data={"fields": outcome.changed, "import": context.job_id},
        ))
        if "relationship_manager" in outcome.changed:
            if outcome.previous_manager_id:
                revokes.append((outcome.previous_manager_id, customer.pk))
            grants.append((customer.relationship_manager_id, customer.pk))
            events.append(CustomerEvent(
                customer_id=customer.pk, kind=CustomerEventKind.REASSIGNED, actor=context.actor,
                occurred_at=now,
                data={"from": outcome.previous_manager_id, "to": customer.relationship_manager_id,
                      "import": context.job_id},
            ))
    _revoke_book_pairs(revokes)
    _grant_book_pairs(grants)
    CustomerEvent.objects.bulk_create(events)
    return {
        "created": [outcome.record.pk for outcome in creates],
        "updated": [outcome.record.pk for outcome in updates],
        "fields": sorted({name for outcome in writing for name in outcome.changed}),
        "permissions_granted": len(grants),
        "permissions_revoked": len(revokes),
    }


# ---------------------------------------------------------------------------------------------
# Holdings
# ---------------------------------------------------------------------------------------------


def _parse_holding_row(context: _Context, record: _Record) -> _Row:
    row = _Row(number=record.number, cells=record.cells)
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
    if (product_type := row.parse("product_type", _parse_choice, PRODUCT_TYPES)) is not None:
        values["product_type"] = product_type
    if product_name := row.text("product_name", 120):
        values["product_name"] = product_name
    if account_number := row.text("account_number", 64):
        try:
            row.indexes["account_number_index"] = _index_of(Holding, "account_number_index", account_number)
            values["account_number"] = account_number
        except ValueError:
            row.error("account_number", "invalid_account_number")
    if (balance := row.parse("balance", _parse_amount, max_digits=20, negative=True)) is not None:
        values["balance"] = balance
    if currency := cells.get("currency"):
        if re.fullmatch(r"[A-Za-z]{3}", currency):
            values["currency"] = currency.upper()
        else:
            row.error("currency", "invalid_currency")
    if (status := row.parse("status", _parse_choice, HOLDING_STATUSES)) is not None:
        values["status"] = status
    if (opened := row.parse("opened_on", _parse_date, today=context.today, past_only=True)) is not None:
        values["opened_on"] = opened
    if (matures := row.parse("matures_on", _parse_date, today=context.today)) is not None:
        values["matures_on"] = matures
    if opened and matures and matures < opened:
        row.error("matures_on", "matures_before_opened")
    return row


def _resolve_holding_customers(context: _Context, references: list[str]) -> dict[str, tuple[int, str]]:
    """{customer reference: (id, kind)} for the references the actor may import for.

    A reference of a merged-away record resolves to the record it was merged into (core
    banking keeps sending the old reference).
    """
    if not references:
        return {}
    found = {
        reference: (pk, kind, merged_into_id)
        for reference, pk, kind, merged_into_id in Customer.objects.filter(
            external_reference__in=references
        ).values_list("external_reference", "pk", "kind", "merged_into_id")
    }
    survivors: dict[int, tuple[int, str, int | None]] = {}
    pending = {merged_into_id for _pk, _kind, merged_into_id in found.values() if merged_into_id}
    for _depth in range(10):  # merges are refused on merged records, so chains stay short
        if not pending:
            break
        rows = Customer.objects.filter(pk__in=pending).values_list("pk", "kind", "merged_into_id")
        survivors.update({pk: (pk, kind, merged_into_id) for pk, kind, merged_into_id in rows})
        pending = {merged_into_id for _pk, _kind, merged_into_id in survivors.values()
                   if merged_into_id and merged_into_id not in survivors}
    resolved = {}
    for reference, (pk, kind, merged_into_id) in found.items():
        while merged_into_id and merged_into_id in survivors:
            pk, kind, merged_into_id = survivors[merged_into_id]
        if not merged_into_id:
            resolved[reference] = (pk, kind)
    visible = context.visible_customer_ids(pk for pk, _kind in resolved.values())
    return {reference: value for reference, value in resolved.items() if value[0] in visible}


def _resolve_holdings(context: _Context, records: list[_Record]) -> list[_Outcome]:
    rows = [_parse_holding_row(context, record) for record in records]
    customers = _resolve_holding_customers(
        context, [row.values["customer_reference"] for row in rows if row.values["customer_reference"]]
    )
    references = [row.reference for row in rows if row.reference]
    existing = {
        holding.external_reference: holding
        for holding in Holding.objects.filter(external_reference__in=references)
    } if references else {}
    outcomes = []
    for row in rows:
        customer_reference = row.values["customer_reference"]
        customer = customers.get(customer_reference) if customer_reference else None
        if customer is None and customer_reference:
            row.error("customer_reference", "unknown_customer")
        holding = existing.get(row.reference) if row.reference else None
        values = row.profile
        if customer is not None:
            customer_id, kind = customer
            if holding is not None and holding.customer_id != customer_id:
                row.error("holding_reference", "holding_other_customer")
            product_type = values.get("product_type", holding.product_type if holding else None)
            if kind == CustomerKind.INDIVIDUAL and product_type and product_type not in RETAIL_PRODUCTS:
                row.error("product_type", "product_not_retail")
        if holding is None:
            for column in ("product_type", "product_name", "balance", "opened_on"):
                if column not in values and not row.has_error(column):
                    row.error(column, "required_new")
        if not row.ok:
            outcomes.append(_Outcome(row=row, action="failed"))
            continue
        outcomes.append(_plan_holding(context, row, customer[0], holding))
    return outcomes


def _plan_holding(context: _Context, row: _Row, customer_id: int, holding: Holding | None) -> _Outcome:
    values = row.profile
    if holding is None:
        holding = Holding(customer_id=customer_id, external_reference=row.reference,
                          currency=settings.BANK_CURRENCY, status=HoldingStatus.ACTIVE)
        changed = sorted(values)
        for name, value in values.items():
            if name == "account_number":
                _set_indexed(context, holding, name, value, "account_number_index",
                             row.indexes["account_number_index"])
            else:
                setattr(holding, name, value)
        action = "create"
    else:
        changed = []
        for name, value in values.items():
            if name == "account_number":
                if holding.account_number_index != row.indexes["account_number_index"]:
                    _set_indexed(context, holding, name, value, "account_number_index",
                                 row.indexes["account_number_index"])
                    changed.append(name)
            elif getattr(holding, name) != value:
                setattr(holding, name, value)
                changed.append(name)
        if not changed:
            return _Outcome(row=row, action="unchanged", record=holding, customer_id=customer_id)
        action = "update"
    if "account_number" in values:
        digits = "".join(character for character in values["account_number"] if character.isdigit())
        holding.account_last4 = digits[-4:]
    _model_problems(row, holding, [each.name for each in Holding._meta.fields
                                   if each.name not in changed or each.name == "account_number"])
    if not row.ok:
        return _Outcome(row=row, action="failed")
    return _Outcome(row=row, action=action, record=holding, changed=changed, customer_id=customer_id)


def _write_holdings(context: _Context, outcomes: list[_Outcome]) -> dict:
    writing = [outcome for outcome in outcomes if outcome.action in ("create", "update")]
    if not writing:
        return {"created": [], "updated": [], "fields": []}
    Holding.objects.bulk_create(
        [outcome.record for outcome in writing], update_conflicts=True,
        unique_fields=["external_reference"], update_fields=HOLDING_UPDATE_FIELDS,
    )
    customer_ids = sorted({outcome.customer_id for outcome in writing})
    customers_refresh_aum(customer_ids=customer_ids)
    return {
        "created": [outcome.record.pk for outcome in writing if outcome.action == "create"],
        "updated": [outcome.record.pk for outcome in writing if outcome.action == "update"],
        "fields": sorted({name for outcome in writing for name in outcome.changed}),
        "customers": customer_ids,
    }


# ---------------------------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------------------------


def _process_batch(context: _Context, records: list[_Record]) -> tuple[list[_Outcome], dict | None]:
    """Check (and, unless a dry run, write) one batch; return the outcomes and what was written."""
    if context.kind == ImportKind.CUSTOMERS:
        outcomes = _resolve_customers(context, records)
        if context.dry_run:
            _flag_possible_duplicates(context, outcomes)
            return outcomes, None
        return outcomes, _write_customers(context, outcomes)
    outcomes = _resolve_holdings(context, records)
    if context.dry_run:
        return outcomes, None
    return outcomes, _write_holdings(context, outcomes)


def _problems(outcomes: list[_Outcome]) -> list[dict]:
    """The rows' errors and warnings as stored on the job: codes and English messages, no values."""
    entries = []
    with translation.override(None):
        for outcome in outcomes:
            row = outcome.row
            for column, code in row.errors:
                entries.append({"row": row.number, "field": column, "code": code,
                                "message": str(MESSAGES[code]), "severity": "error"})
            if outcome.action == "failed":
                continue
            for warning in row.warnings:
                entries.append({"row": row.number, "severity": "warning",
                                "message": str(MESSAGES[warning["code"]]), **warning})
    return entries


def _counts(outcomes: list[_Outcome]) -> dict[str, int]:
    counts = {"create": 0, "update": 0, "unchanged": 0, "failed": 0}
    for outcome in outcomes:
        counts[outcome.action] += 1
    return counts


def _merge_problems(stored: list[dict], new: list[dict]) -> list[dict]:
    return (stored + new)[:MAX_STORED_PROBLEMS]


# ---------------------------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def import_job_create(*, actor, kind: str, file_name: str, content: bytes | str,
                      home_branch: Branch | None = None) -> ImportJob:
    """Store an uploaded CSV file as a new import job and queue its dry run.

    `home_branch` is the branch of new customers whose row names none; a branch-bound
    importer (a branch manager) may only choose their own branch, which is also the default.
    Raise PermissionDenied without the IMPORT permission, ValidationError (on "content",
    "kind" or "home_branch") for a file over 50 MB, not UTF-8, not CSV, with a header that
    lacks a required column or names an unknown one, or without data rows.
    """
    _check_may_import(actor)
    if kind not in ImportKind.values:
        raise ValidationError({"kind": _gettext("Choose customers or holdings.")})
    if not _is_unrestricted(actor):
        branch_id = permissions.user_branch_id(actor)
        if home_branch is not None and home_branch.pk != branch_id:
            raise ValidationError({"home_branch": _gettext("You may import only for your own branch.")})
        if home_branch is None:
            home_branch = Branch.objects.get(pk=branch_id)
    if home_branch is not None and not home_branch.is_active:
        raise ValidationError({"home_branch": _gettext("This branch is closed.")})
    text = _decode(content)
    rows = _count_rows(text, kind)
    if rows == 0:
        raise ValidationError({"content": _gettext("The file has a header but no rows.")})
    job = ImportJob(
        kind=kind, file_name=os.path.basename(file_name or "")[:200] or "upload.csv", content=text,
        rows_total=rows, home_branch=home_branch, created_by=actor,
    )
    job.full_clean(exclude=["content"])
    job.save()
    audit_record(actor=actor, action="import.created", object_type=JOB_OBJECT_TYPE, object_id=job.pk,
                 extra={"kind": kind, "rows": rows})
    job_id = job.pk

    def queue() -> None:
        from customers.import_tasks import validate_import

        try:
            validate_import.delay(job_id)
        except Exception as exc:  # the broker is unreachable: say so on the job, not with a 500
            import_job_interrupted(job_id=job_id, reason=(
                f"Checking could not be queued ({type(exc).__name__}). Upload the file again later."))

    transaction.on_commit(queue)
    return job


def _locked_job(job_id: int) -> ImportJob:
    return ImportJob.objects.select_for_update(of=("self",)).defer("content").get(pk=job_id)


JOB_PROGRESS_FIELDS = [
    "status", "rows_total", "rows_processed", "rows_created", "rows_updated", "rows_failed", "errors",
    "failure_reason", "finished_at",
]


def import_job_validate(*, job_id: int) -> ImportJob:
    """The dry run: check every row of a waiting job and record what applying it would do.

    Writes only the job: progress after each batch, then status VALIDATED with `rows_failed`
    (rows with errors), `rows_created` / `rows_updated` (rows that would create or change a
    record), and `errors` (errors and warnings by row and column, at most 1,000). A job past
    this step is returned as it is, so running the task twice is harmless; a job found
    VALIDATING (a worker died) is checked again from the start.
    Raise ImportJob.DoesNotExist for an unknown id.
    """
    with transaction.atomic():
        job = _locked_job(job_id)
        if job.status not in (ImportStatus.PENDING, ImportStatus.VALIDATING):
            return job
        job.status = ImportStatus.VALIDATING
        job.rows_processed = job.rows_created = job.rows_updated = job.rows_failed = 0
        job.errors = []
        job.failure_reason = ""
        job.save(update_fields=JOB_PROGRESS_FIELDS)
    actor = get_user_model().objects.get(pk=job.created_by_id)
    context = _Context.build(job, actor=actor, dry_run=True)
    totals = {"create": 0, "update": 0, "unchanged": 0, "failed": 0}
    problems: list[dict] = []
    processed = 0
    for batch in _batches(_records(_job_text(job_id)), BATCH_SIZE):
        outcomes, _written = _process_batch(context, batch)
        for action, count in _counts(outcomes).items():
            totals[action] += count
        problems = _merge_problems(problems, _problems(outcomes))
        processed += len(batch)
        ImportJob.objects.filter(pk=job_id, status=ImportStatus.VALIDATING).update(rows_processed=processed)
    with transaction.atomic():
        job = _locked_job(job_id)
        if job.status != ImportStatus.VALIDATING:
            return job
        job.status = ImportStatus.VALIDATED
        job.rows_total = processed
        job.rows_processed = 0
        job.rows_created = totals["create"]
        job.rows_updated = totals["update"]
        job.rows_failed = totals["failed"]
        job.errors = problems
        job.save(update_fields=JOB_PROGRESS_FIELDS)
    return job


def _start_applying(job: ImportJob) -> None:
    if job.rows_failed:
        raise ImportJobStateError(_gettext(
            "The dry run found errors: correct the file and upload it again."))
    job.status = ImportStatus.APPLYING
    job.rows_processed = job.rows_created = job.rows_updated = job.rows_failed = 0
    job.failure_reason = ""
    job.errors = [entry for entry in job.errors if entry.get("severity") == "warning"]
    job.save(update_fields=JOB_PROGRESS_FIELDS)


def _check_may_apply(actor, job: ImportJob) -> None:
    _check_may_import(actor)
    if not import_job_list(actor=actor).filter(pk=job.pk).exists():
        raise PermissionDenied(_gettext("You may not apply this import."))


@transaction.atomic
def import_job_request_apply(*, actor, job: ImportJob) -> ImportJob:
    """Queue the apply of a job whose dry run found no errors, or resume an interrupted one.

    Raise PermissionDenied if `actor` may not import or see the job; ImportJobStateError if
    the dry run is not finished, found errors, or the job is already running or applied.
    """
    job = _locked_job(job.pk)
    _check_may_apply(actor, job)
    if job.status == ImportStatus.VALIDATED:
        _start_applying(job)
    elif job.status == ImportStatus.APPLYING and job.failure_reason:
        job.failure_reason = ""
        job.save(update_fields=["failure_reason"])
    elif job.status == ImportStatus.APPLYING:
        raise ImportJobStateError(_gettext("This import is already running."))
    elif job.status == ImportStatus.APPLIED:
        raise ImportJobStateError(_gettext("This import has already been applied."))
    else:
        raise ImportJobStateError(_gettext("The dry run has not finished yet."))
    job_id, actor_id = job.pk, actor.pk

    def queue() -> None:
        from customers.import_tasks import apply_import

        try:
            apply_import.delay(job_id, actor_id)
        except Exception as exc:  # the broker is unreachable: the job stays resumable
            import_job_interrupted(job_id=job_id, reason=(
                f"Importing could not be queued ({type(exc).__name__}). Try again later."))

    transaction.on_commit(queue)
    return job


def import_job_apply(*, job_id: int, actor_id: int, batch_size: int | None = None) -> ImportJob:
    """Apply a checked import in batches of `batch_size` rows (BATCH_SIZE), one transaction each.

    Accepts a VALIDATED job whose dry run found no errors, and an APPLYING one, which
    continues from `rows_processed` (an interrupted run); an APPLIED job is returned as it is.
    Each batch upserts by external reference, skips unchanged rows, grants book permissions,
    writes history and one `import.batch_applied` audit event, refreshes AUM for holdings,
    and commits the job's progress with the data. The last step marks the job APPLIED and
    records `import.applied` with counts only.
    Raise ImportJob.DoesNotExist for an unknown id, PermissionDenied if `actor_id` may not
    import or see the job, ImportJobStateError if the job is not ready to apply.
    """
    actor = get_user_model().objects.get(pk=actor_id)
    with transaction.atomic():
        job = _locked_job(job_id)
        if job.status == ImportStatus.APPLIED:
            return job
        _check_may_apply(actor, job)
        if job.status == ImportStatus.VALIDATED:
            _start_applying(job)
        elif job.status != ImportStatus.APPLYING:
            raise ImportJobStateError(_gettext("The dry run has not finished yet."))
        elif job.failure_reason:
            job.failure_reason = ""
            job.save(update_fields=["failure_reason"])
    batch_size = batch_size or BATCH_SIZE
    context = _Context.build(job, actor=actor, dry_run=False)
    text = _job_text(job_id)
    position = job.rows_processed
    records = _records(text, skip=position)
    while True:
        with transaction.atomic():
            job = _locked_job(job_id)
            if job.status != ImportStatus.APPLYING:
                return job
            if job.rows_processed != position:
                # Another worker applied batches meanwhile: continue after them.
                position = job.rows_processed
                records = _records(text, skip=position)
            batch = list(itertools.islice(records, batch_size))
            if not batch:
                return _finish(job, actor)
            outcomes, written = _process_batch(context, batch)
            counts = _counts(outcomes)
            position += len(batch)
            job.rows_processed = position
            job.rows_created += counts["create"]
            job.rows_updated += counts["update"]
            job.rows_failed += counts["failed"]
            failures = [entry for entry in _problems(outcomes) if entry["severity"] == "error"]
            if failures:
                job.errors = _merge_problems(job.errors, failures)
            if written["created"] or written["updated"]:
                audit_record(
                    actor=actor, action="import.batch_applied", object_type=JOB_OBJECT_TYPE, object_id=job.pk,
                    fields=written["fields"],
                    extra={"rows": [batch[0].number, batch[-1].number], "kind": job.kind,
                           **{key: value for key, value in written.items() if key != "fields"}},
                )
            job.save(update_fields=JOB_PROGRESS_FIELDS)


def _finish(job: ImportJob, actor) -> ImportJob:
    job.status = ImportStatus.APPLIED
    job.finished_at = timezone.now()
    job.save(update_fields=JOB_PROGRESS_FIELDS)
    audit_record(
        actor=actor, action="import.applied", object_type=JOB_OBJECT_TYPE, object_id=job.pk,
        extra={"kind": job.kind, "rows": job.rows_total, "created": job.rows_created,
               "updated": job.rows_updated, "failed": job.rows_failed},
    )
    return job


def import_job_interrupted(*, job_id: int, reason: str) -> None:
    """Record why a task could not go on. A job being checked fails (upload it again); a job
    being applied keeps its progress and can be resumed; others only get the reason."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update(of=("self",)).defer("content").filter(pk=job_id).first()
        if job is None:
            return
        job.failure_reason = reason[:300]
        if job.status in (ImportStatus.PENDING, ImportStatus.VALIDATING):
            job.status = ImportStatus.FAILED
            job.finished_at = timezone.now()
        job.save(update_fields=["failure_reason", "status", "finished_at"])


def problem_message(entry: dict) -> str:
    """The stored problem's message in the active language (stored messages are English)."""
    message = MESSAGES.get(entry.get("code", ""))
    return str(message) if message is not None else entry.get("message", "")


__all__ = [
    "BATCH_SIZE",
    "COLUMNS",
    "CUSTOMER_COLUMNS",
    "HOLDING_COLUMNS",
    "MAX_FILE_BYTES",
    "MESSAGES",
    "ImportJobStateError",
    "import_job_apply",
    "import_job_create",
    "import_job_get",
    "import_job_interrupted",
    "import_job_list",
    "import_job_request_apply",
    "import_job_validate",
    "may_import",
    "problem_message",
]
