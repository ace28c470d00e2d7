"""The plan of one batch: which rows create, update, leave alone or fail, and why.

A dry run and an apply plan the same way; only the apply writes what was planned. Access is
asked of the customers policy for each row (IMPORT on the customer, its new branch), with no
query per row: a batch loads what it needs in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from compliance.fields import BlindIndexField, Ciphertext, DerivedField, MaskHintField, set_mask_hints
from customers.intake.columns import COLUMN_OF_FIELD, CUSTOMER_INDEXED, MAX_STORED_PROBLEMS, MESSAGES
from customers.intake.duplicates import EXACT_REASONS, DuplicateProbe, duplicate_matches
from customers.intake.parsing import ImportContext, Record, Row, parse_customer_row, parse_holding_row
from customers.models import (
    CORPORATE_SEGMENTS,
    RETAIL_PRODUCTS,
    RETAIL_SEGMENTS,
    CorporateProfile,
    Customer,
    CustomerKind,
    CustomerStatus,
    Holding,
    HoldingStatus,
    IndividualProfile,
    band_floor,
)
from customers.services import refresh_search_name


def set_indexed(context: ImportContext, instance, name: str, value, index_name: str, index: str) -> None:
    """Assign a sensitive value whose blind index was computed while parsing.

    When writing, the value is encrypted here and stored as a token with the index and the
    mask hint beside it, so saving neither encrypts again nor normalises the value a second
    time (BlindIndexField and MaskHintField keep what is assigned when their source is an
    unread token). A dry run assigns plaintext.
    """
    if context.dry_run:
        setattr(instance, name, value)
        return
    setattr(instance, name, Ciphertext(instance._meta.get_field(name).encrypt_value(value, row=instance)))
    setattr(instance, index_name, index)
    set_mask_hints(instance, name, value)
    # Other clear hints derived from the value (a birthday's month and day) are set here too:
    # pre_save cannot derive them from a token.
    for hint in instance._meta.concrete_fields:
        if (isinstance(hint, DerivedField) and not isinstance(hint, BlindIndexField | MaskHintField)
                and hint.source == name):
            setattr(instance, hint.attname, hint.compute(value))


@dataclass
class Outcome:
    row: Row
    action: str  # "create", "update", "unchanged" or "failed"
    record: Any = None  # the Customer or Holding to write
    profile: Any = None
    changed: list[str] = field(default_factory=list)
    previous_manager_id: int | None = None
    customer_id: int | None = None  # holdings: the customer whose AUM changes


def model_problems(row: Row, instance, exclude: list[str]) -> None:
    """Model validation of what the row set; problems by column, without the model's message
    (Django's messages may quote the value)."""
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as invalid:
        for name in invalid.message_dict:
            row.error(COLUMN_OF_FIELD.get(name, name), "invalid")


def check_new_customer(context: ImportContext, row: Row) -> None:
    kind = row.values.get("kind")
    if kind is None:
        return
    if "home_branch_id" not in row.values and not row.has_error("branch_code"):
        if context.default_branch_id is None:
            row.error("branch_code", "no_branch")
        else:
            row.values["home_branch_id"] = context.default_branch_id
    branch_id = row.values.get("home_branch_id")
    if branch_id is not None and not context.may_import_for(branch_id):
        row.error("branch_code", "branch_not_allowed")
    individual = kind == CustomerKind.INDIVIDUAL
    for column in ("given_name", "family_name") if individual else ("legal_name", "industry"):
        if column not in row.profile and not row.has_error(column):
            row.error(column, "required_new")


def check_existing_customer(context: ImportContext, row: Row, customer: Customer, visible: set[int]) -> None:
    # Visibility first, and one answer for every record the importer may not import: one they
    # cannot see (whatever its state) reads exactly as one they see in a branch they may not
    # import for, so the answer never tells whether the record exists for them.
    if customer.pk not in visible or not context.may_import_for(customer.home_branch_id):
        row.error("external_reference", "reference_unavailable")
        return
    if customer.merged_into_id is not None:
        row.error("external_reference", "merged_customer")
        return
    if row.values.get("kind") and row.values["kind"] != customer.kind:
        row.error("kind", "kind_changed")
    branch_id = row.values.get("home_branch_id", customer.home_branch_id)
    if not context.may_import_for(branch_id):
        row.error("branch_code", "branch_not_allowed")


CUSTOMER_SIMPLE = ("display_name", "status", "since", "address")


def plan_new_customer(context: ImportContext, row: Row) -> Outcome:
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
            set_indexed(context, customer, column, values[column], index_name, row.indexes[index_name])
    if "address" in values:
        customer.address = values["address"]
    if kind == CustomerKind.INDIVIDUAL:
        plain = {name: value for name, value in row.profile.items() if name != "date_of_birth"}
        profile = IndividualProfile(**plain)
        if "date_of_birth" in row.profile:
            set_indexed(context, profile, "date_of_birth", row.profile["date_of_birth"],
                         "date_of_birth_index", row.indexes["date_of_birth_index"])
        profile.income_band = band_floor(profile.annual_income)
        default_name = f"{profile.family_name} {profile.given_name}".strip()
    else:
        profile = CorporateProfile(**row.profile)
        profile.revenue_band = band_floor(profile.annual_revenue)
        default_name = profile.legal_name
    customer.display_name = customer.display_name or default_name
    refresh_search_name(customer, profile)
    model_problems(row, customer, ["number", "home_branch", "relationship_manager", "segment_rule",
                                    "merged_into", "id_number", "phone", "email", "address"])
    model_problems(row, profile, ["customer", "date_of_birth", "annual_income", "annual_revenue"])
    if not row.ok:
        return Outcome(row=row, action="failed")
    return Outcome(row=row, action="create", record=customer, profile=profile,
                    changed=sorted(set(values) - {"kind", "manager_number", "relationship_manager_id",
                                                  "home_branch_id"} | set(row.profile)))


def plan_customer_update(context: ImportContext, row: Row, customer: Customer) -> Outcome:
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
            set_indexed(context, customer, column, values[column], index_name, row.indexes[index_name])
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
        set_indexed(context, profile, "date_of_birth", row.profile["date_of_birth"], "date_of_birth_index",
                     row.indexes["date_of_birth_index"])
        profile_changed.append("date_of_birth")
    for name, band in (("annual_income", "income_band"), ("annual_revenue", "revenue_band")):
        if name in row.profile and getattr(profile, name) != row.profile[name]:
            setattr(profile, name, row.profile[name])
            setattr(profile, band, band_floor(row.profile[name]))
            profile_changed.append(name)
    if not changed and not profile_changed:
        return Outcome(row=row, action="unchanged", record=customer)
    refresh_search_name(customer, profile)
    # Validate what the row changed, minus what the parser already checked more strictly
    # (identifiers through their normalisers, amounts and dates) and the foreign keys.
    checked = set(changed) - {"home_branch", "relationship_manager", "id_number", "phone", "email"}
    model_problems(row, customer, [each.name for each in Customer._meta.fields if each.name not in checked])
    checked = set(profile_changed) - {"date_of_birth", "annual_income", "annual_revenue"}
    model_problems(row, profile, [each.name for each in profile._meta.fields if each.name not in checked])
    if not row.ok:
        return Outcome(row=row, action="failed")
    return Outcome(row=row, action="update", record=customer, profile=profile,
                    changed=sorted(changed + profile_changed), previous_manager_id=previous_manager_id)


def resolve_customers(context: ImportContext, records: list[Record]) -> list[Outcome]:
    rows = [parse_customer_row(context, record) for record in records]
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
            check_new_customer(context, row)
        else:
            check_existing_customer(context, row, customer, visible)
        if not row.ok:
            outcomes.append(Outcome(row=row, action="failed"))
        elif customer is None:
            outcomes.append(plan_new_customer(context, row))
        else:
            outcomes.append(plan_customer_update(context, row, customer))
    return outcomes


def flag_possible_duplicates(context: ImportContext, outcomes: list[Outcome]) -> None:
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


def resolve_holding_customers(context: ImportContext, references: list[str]) -> dict[str, tuple[int, str]]:
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


def resolve_holdings(context: ImportContext, records: list[Record]) -> list[Outcome]:
    rows = [parse_holding_row(context, record) for record in records]
    customers = resolve_holding_customers(
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
            outcomes.append(Outcome(row=row, action="failed"))
            continue
        outcomes.append(plan_holding(context, row, customer[0], holding))
    return outcomes


def plan_holding(context: ImportContext, row: Row, customer_id: int, holding: Holding | None) -> Outcome:
    values = row.profile
    if holding is None:
        holding = Holding(customer_id=customer_id, external_reference=row.reference,
                          currency=settings.BANK_CURRENCY, status=HoldingStatus.ACTIVE)
        changed = sorted(values)
        for name, value in values.items():
            if name == "account_number":
                set_indexed(context, holding, name, value, "account_number_index",
                             row.indexes["account_number_index"])
            else:
                setattr(holding, name, value)
        action = "create"
    else:
        changed = []
        for name, value in values.items():
            if name == "account_number":
                if holding.account_number_index != row.indexes["account_number_index"]:
                    set_indexed(context, holding, name, value, "account_number_index",
                                 row.indexes["account_number_index"])
                    changed.append(name)
            elif getattr(holding, name) != value:
                setattr(holding, name, value)
                changed.append(name)
        if not changed:
            return Outcome(row=row, action="unchanged", record=holding, customer_id=customer_id)
        action = "update"
    model_problems(row, holding, [each.name for each in Holding._meta.fields
                                   if each.name not in changed or each.name == "account_number"])
    if not row.ok:
        return Outcome(row=row, action="failed")
    return Outcome(row=row, action=action, record=holding, changed=changed, customer_id=customer_id)


def problems_of(outcomes: list[Outcome]) -> list[dict]:
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


def counts_of(outcomes: list[Outcome]) -> dict[str, int]:
    counts = {"create": 0, "update": 0, "unchanged": 0, "failed": 0}
    for outcome in outcomes:
        counts[outcome.action] += 1
    return counts


def merge_problems(stored: list[dict], new: list[dict]) -> list[dict]:
    return (stored + new)[:MAX_STORED_PROBLEMS]
