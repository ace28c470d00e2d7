"""The import file's shape: its columns, the row problems it may report, and its header.

Columns may come in any order; a column missing from the header is the same as a blank one.
Row-level problems are stored as a code and the English message, and pages translate by
code (`problem_message`), so a stored job reads in the language of whoever opens it.
"""

from __future__ import annotations

import csv
import datetime
import difflib
import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from customers.models import (
    CustomerKind,
    CustomerStatus,
    Gender,
    HoldingStatus,
    ImportKind,
    ProductType,
)

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
    "not_a_real_date": _("This date does not exist: check the day and the month."),
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
    # One answer for a reference the importer may not use, whoever holds it: never whether
    # that record exists for them, is in a branch they cannot import for, or was merged away.
    "reference_unavailable": _("This reference cannot be used in this import."),
    "unknown_customer": _("No customer you may import for has this reference."),
    "holding_other_customer": _("This holding reference cannot be used for this customer."),
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



class ImportJobStateError(Exception):
    """The job is not in a state that allows the requested step (the message says why)."""


def decode_content(content: bytes | str) -> str:
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


def read_header(reader) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationError({"content": _gettext("The file is empty.")}) from None
    return [name.strip().lower() for name in header]


# A header cell is repeated back (pages escape it) only when it could be a column name: one
# word of printable ASCII without digits or "@". In a file without a header row the first
# row is a customer's data, and a full or Chinese name, a phone, an ID number, a date or an
# e-mail address is never shown again: those are named by position only.
HEADER_NAME = re.compile(r"[!-?A-~]{1,40}", flags=re.ASCII)
NOT_A_NAME = re.compile(r"[0-9@]")
MAX_UNKNOWN_SHOWN = 20


def could_be_column_name(name) -> bool:
    """Whether `name` may be repeated back as a column name (see HEADER_NAME above)."""
    return isinstance(name, str) and bool(HEADER_NAME.fullmatch(name)) and not NOT_A_NAME.search(name)


def _unknown_column(position: int, name: str, known: set[str]) -> str:
    if not could_be_column_name(name):
        return _gettext("column %(position)s") % {"position": position}
    close = difflib.get_close_matches(name, sorted(known), n=1)
    if close:
        return _gettext("“%(name)s” (column %(position)s, did you mean %(known)s?)") % {
            "name": name, "position": position, "known": close[0]}
    return _gettext("“%(name)s” (column %(position)s)") % {"name": name, "position": position}


def check_header(header: list[str], kind: str) -> None:
    known = {column.name for column in COLUMNS[kind]}
    unknown = [_unknown_column(position, name, known)
               for position, name in enumerate(header, start=1) if name not in known]
    if unknown:
        raise ValidationError({"content": _gettext(
            "The header has unknown columns: %(columns)s. Columns are separated by commas and named as "
            "listed below.") % {"columns": "; ".join(unknown[:MAX_UNKNOWN_SHOWN])}})
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ValidationError({"content": _gettext("These columns appear more than once: %(names)s.")
                               % {"names": ", ".join(repeated)}})
    missing = [column.name for column in COLUMNS[kind] if column.required and column.name not in header]
    if missing:
        raise ValidationError({"content": _gettext("The header lacks the required columns: %(names)s.")
                               % {"names": ", ".join(missing)}})


def is_blank(record: list[str]) -> bool:
    return not any(cell.strip() for cell in record)


def count_rows(text: str, kind: str) -> int:
    """Check the header and every record's CSV syntax; return the number of data rows."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        check_header(read_header(reader), kind)
        return sum(1 for record in reader if not is_blank(record))
    except csv.Error:
        raise ValidationError({"content": _gettext(
            "The file is not a valid CSV file (near row %(row)s).") % {"row": reader.line_num}}) from None


def problem_message(entry: dict) -> str:
    """The stored problem's message in the active language (stored messages are English)."""
    message = MESSAGES.get(entry.get("code", ""))
    return str(message) if message is not None else entry.get("message", "")
