"""Browser pages for customers: the list and search, the 360° page and its actions, books,
and the CSV export.

Views parse input, call a selector or a service, and render. Every customer is fetched
through `customers.selectors` (restricted to what the user may see, 404 otherwise) and every
sensitive value is read through `compliance.access.RecordView`, so masking and the
`pii.revealed` audit are the policy's, not the page's.
"""

from __future__ import annotations

import csv
import datetime
import functools
import math
import operator
import secrets
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from itertools import islice

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponseRedirect, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from compliance import access
from compliance.access import RecordView
from compliance.audit import audit_pii_reveals_record, audit_record, audit_request_context, note_pii_revealed
from compliance.crypto import DecryptionError, decrypt, encrypt
from crm.roles import Role, has_role, user_roles
from customers import permissions, segmentation, selectors, services
from customers.filtersets import CustomerFilterSet
from customers.forms import (
    DEFAULT_PAGE_SIZE,
    BookReassignForm,
    CustomerEditForm,
    CustomerListForm,
    DelegationForm,
    InteractionLogForm,
    NeedRecordForm,
    QuickSearchForm,
    ReassignForm,
    RevealForm,
    SegmentOverrideForm,
    branch_choices,
    sensitive_fields_for,
    staff_in_branch,
)
from customers.models import (
    HOUSEHOLD_KINDS,
    SEGMENT_RANK,
    BookDelegation,
    CorporateProfile,
    Customer,
    CustomerEvent,
    CustomerEventKind,
    CustomerStatus,
    IndividualProfile,
    Interaction,
    NeedStatus,
    ProductType,
    Relationship,
    RevealGrant,
    Segment,
)

TIMELINE_PAGE_SIZE = 20
HISTORY_LIMIT = 50
HOLDINGS_LIMIT = 200
NEEDS_LIMIT = 50
GRAPH_LIMIT = 16
EXPORT_LIMIT = 50_000
EXPORT_BATCH = 1000
SEARCH_SESSION_KEY = "customer_searches"
SEARCH_ENCRYPTION_CONTEXT = "customers.session.search_term"
SEARCHES_KEPT = 10
RESULTS_TARGET = "customer-results"
INTERACTION_OBJECT = "customers.interaction"
HOLDING_OBJECT = "customers.holding"
NEED_OBJECT = "customers.need"
CUSTOMER_OBJECT = services.OBJECT_TYPE


# ---------------------------------------------------------------------------------------------
# Who may do what on these pages
# ---------------------------------------------------------------------------------------------


def portal_page(view):
    """Customer pages are for members of staff; machine identities use the API with tokens."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        roles = user_roles(request.user)
        if roles and roles <= {Role.SERVICE_ACCOUNT.value}:
            raise PermissionDenied(_("Service accounts use the API, not the portal."))
        return view(request, *args, **kwargs)

    return wrapper


def _same_branch(user, customer) -> bool:
    return customer.home_branch_id is not None and customer.home_branch_id == permissions.user_branch_id(user)


def may_act(user) -> bool:
    """Log interactions and record needs: front-line roles (compliance only reads)."""
    return has_role(user, Role.RELATIONSHIP_MANAGER, Role.BRANCH_MANAGER, Role.BRANCH_STAFF)


def may_edit(user, customer, view: RecordView) -> bool:
    """Change details: the change permission, and either full sight of the record (the RM,
    a delegate) or being the manager of the customer's branch (who edits what they see)."""
    if not permissions.has_customer_permission(user, permissions.CHANGE):
        return False
    if _every_field_clear(view, customer):
        return True
    return has_role(user, Role.BRANCH_MANAGER) and _same_branch(user, customer)


def may_reassign(user, customer) -> bool:
    """The same rule customers.services applies, asked before showing the form."""
    if not permissions.has_customer_permission(user, permissions.REASSIGN):
        return False
    return permissions.has_customer_permission(user, permissions.VIEW) or _same_branch(user, customer)


def may_override_segment(user, customer) -> bool:
    return has_role(user, Role.BRANCH_MANAGER) and _same_branch(user, customer)


def may_manage_books(user) -> bool:
    return permissions.has_customer_permission(user, permissions.REASSIGN) and bool(
        permissions.user_branch_id(user)
    )


def _every_field_clear(view: RecordView, customer) -> bool:
    """Account numbers, interaction summaries and need notes follow RecordView.sees_all."""
    return view.sees_all


def _errors_of(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"__all__": error.messages}


def _add_errors(form, error: ValidationError) -> None:
    for name, errors in _errors_of(error).items():
        for message in errors:
            form.add_error(name if name in form.fields else None, message)


def _get_customer(request, pk: int):
    return selectors.customer_get(actor=request.user, pk=pk)


# ---------------------------------------------------------------------------------------------
# Keyset pagination: no COUNT(*), no OFFSET; the cursor is a primary key, never a value
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeysetPage:
    rows: list
    next_after: int | None  # pass as ?after= for the next page
    previous_before: int | None  # pass as ?before= for the previous page


def _order_keys(queryset: QuerySet) -> list[tuple[str, bool]]:
    keys = [(str(name).lstrip("-"), str(name).startswith("-")) for name in queryset.query.order_by]
    if not {name for name, _desc in keys} & {"pk", "id", "number"}:
        keys.append(("pk", False))
    return keys


def _order_by(keys: list[tuple[str, bool]]) -> list[str]:
    return [f"-{name}" if desc else name for name, desc in keys]


def _nullable(model, name: str) -> bool:
    try:
        return model._meta.get_field(name).null
    except FieldDoesNotExist:
        return False  # "pk" and annotations such as the search similarity


def _after(model, keys: list[tuple[str, bool]], values: tuple) -> Q | None:
    """Rows strictly after `values` in the order `keys` (PostgreSQL: NULLs sort last
    ascending, first descending). None when no row can follow."""
    terms = []
    equal = Q()
    for (name, desc), value in zip(keys, values, strict=True):
        if value is None:
            after = Q(**{f"{name}__isnull": False}) if desc else None
            same = Q(**{f"{name}__isnull": True})
        else:
            after = Q(**{f"{name}__lt" if desc else f"{name}__gt": value})
            if not desc and _nullable(model, name):
                after |= Q(**{f"{name}__isnull": True})
            same = Q(**{name: value})
        if after is not None:
            terms.append(equal & after)
        equal &= same
    return functools.reduce(operator.or_, terms) if terms else None


def keyset_paginate(queryset: QuerySet, *, size: int, after: int | None = None,
                    before: int | None = None) -> KeysetPage:
    """One page of an ordered queryset, after or before the row with primary key `after` /
    `before`. Two queries at most (the cursor row's sort values, then the page); a cursor
    row that is no longer in the queryset gives the first page."""
    keys = _order_keys(queryset)
    names = [name for name, _desc in keys]
    ordered = queryset.order_by(*_order_by(keys))
    cursor, backwards = (before, True) if before is not None else (after, False)
    boundary = ordered.filter(pk=cursor).values_list(*names).first() if cursor is not None else None
    if boundary is not None and backwards:
        flipped = [(name, not desc) for name, desc in keys]
        condition = _after(queryset.model, flipped, boundary)
        rows = [] if condition is None else list(
            queryset.filter(condition).order_by(*_order_by(flipped))[: size + 1]
        )
        if rows:
            more = len(rows) > size
            rows = list(reversed(rows[:size]))
            return KeysetPage(rows, next_after=rows[-1].pk, previous_before=rows[0].pk if more else None)
    elif boundary is not None:
        condition = _after(queryset.model, keys, boundary)
        rows = [] if condition is None else list(ordered.filter(condition)[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        return KeysetPage(rows, next_after=rows[-1].pk if more else None,
                          previous_before=rows[0].pk if rows else None)
    rows = list(ordered[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(rows, next_after=rows[-1].pk if more else None, previous_before=None)


def _cursor(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else None


# ---------------------------------------------------------------------------------------------
# The list, search and export share one filter pipeline
# ---------------------------------------------------------------------------------------------


def _is_identifier(term: str) -> bool:
    """An exact phone, e-mail or ID number: kept out of URLs (a customer number is not)."""
    if selectors.CUSTOMER_NUMBER.match(term):
        return False
    return bool(
        selectors.EMAIL.match(term)
        or selectors.PHONE.match(term)
        or (selectors.ID_NUMBER.match(term) and any(character.isdigit() for character in term))
    )


def _store_search(request, term: str) -> str:
    """Keep `term` encrypted in the session under a random token and return the token."""
    token = secrets.token_urlsafe(12)
    stored = dict(request.session.get(SEARCH_SESSION_KEY, {}))
    stored[token] = encrypt(term, context=SEARCH_ENCRYPTION_CONTEXT)
    request.session[SEARCH_SESSION_KEY] = dict(list(stored.items())[-SEARCHES_KEPT:])
    return token


def _stored_search(request, token: str) -> str | None:
    sealed = request.session.get(SEARCH_SESSION_KEY, {}).get(token)
    if not sealed:
        return None
    try:
        return decrypt(sealed, context=SEARCH_ENCRYPTION_CONTEXT)
    except (DecryptionError, ValueError):
        return None


@dataclass
class CustomerFilter:
    form: CustomerListForm
    queryset: QuerySet | None  # None when the filters are invalid
    term: str  # the search term in effect ("" for none)
    term_hidden: bool  # the term came from the session, not the URL
    sort: str
    size: int
    expired_search: bool = False

    def used(self) -> list[str]:
        """Names (never values) of the filters in effect, for the audit trail."""
        if not self.form.is_valid():
            return []
        names = [
            name for name, value in self.form.cleaned_data.items()
            if name not in {"sort", "size", "q", "search"} and value not in (None, "", [])
        ]
        return sorted([*names, "q"] if self.term else names)


def _filter_scope(user) -> list[int] | None:
    """Branches the user may filter by: None for all (head-office roles), else their own."""
    if permissions.has_customer_permission(user, permissions.VIEW):
        return None
    branch_id = permissions.user_branch_id(user)
    return [branch_id] if branch_id else []


def _default_sort(user) -> str:
    """Name order for a book: a few thousand rows, sorted in memory. Customer-number order for
    a branch or the whole bank: the unique index on number gives the first page without
    sorting every visible customer (hundreds of thousands of them)."""
    if permissions.has_customer_permission(user, permissions.VIEW) or (
        user_roles(user) & permissions.BRANCH_ROLES
    ):
        return "number"
    return "name"


def _manager_choices(data, scope: list[int] | None, user):
    branch = data.get("home_branch", "")
    if branch.isdigit() and (scope is None or int(branch) in scope):
        return staff_in_branch(int(branch), Role.RELATIONSHIP_MANAGER)
    own = permissions.user_branch_id(user)
    if own:
        return staff_in_branch(own, Role.RELATIONSHIP_MANAGER)
    chosen = data.get("relationship_manager", "")
    if chosen.isdigit() and scope is None:
        # Head office without a branch chosen: offer the one already in the filter.
        return get_user_model().objects.filter(pk=int(chosen), groups__name=Role.RELATIONSHIP_MANAGER)
    return get_user_model().objects.none()


def customer_filter(request) -> CustomerFilter:
    """Validate the list's query string and apply it through CustomerFilterSet."""
    user = request.user
    data = request.GET
    scope = _filter_scope(user)
    form = CustomerListForm(
        data, branches=list(branch_choices(scope)), managers=list(_manager_choices(data, scope, user))
    )
    valid = form.is_valid()
    cleaned = form.cleaned_data if valid else {}
    term, hidden, expired = (cleaned.get("q") or "").strip(), False, False
    if cleaned.get("search"):
        stored = _stored_search(request, cleaned["search"])
        if stored is None:
            expired = True
        else:
            term, hidden = stored, True
    default_sort = _default_sort(user)
    sort = cleaned.get("sort") or ("" if term else default_sort)
    size = cleaned.get("size") or DEFAULT_PAGE_SIZE
    if not valid or expired:
        return CustomerFilter(form, None, term, hidden, sort, size, expired_search=expired)
    filter_data = QueryDict(mutable=True)
    for name in ("kind", "home_branch", "relationship_manager", "not_contacted_days", "holding"):
        if cleaned.get(name) not in (None, ""):
            filter_data[name] = str(cleaned[name])
    for name in ("segment", "status"):
        filter_data.setlist(name, cleaned.get(name) or [])
    if term:
        filter_data["q"] = term
    if sort:
        # Without an explicit sort a search keeps its best-match-first order.
        filter_data["sort"] = sort
    filterset = CustomerFilterSet(filter_data, queryset=selectors.customer_list(actor=user), actor=user)
    if not filterset.is_valid():
        for name, errors in filterset.errors.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
        return CustomerFilter(form, None, term, hidden, sort, size)
    return CustomerFilter(form, filterset.qs, term, hidden, sort, size)


# Columns the list and the export read; the rest (other encrypted tokens, JSON, the RM's
# password hash) would only widen the rows the database sorts and sends.
LIST_COLUMNS = (
    "number", "kind", "status", "display_name", "segment", "since", "last_contact_at", "phone",
    "relationship_manager_id", "home_branch__code", "home_branch__name",
    "relationship_manager__username", "relationship_manager__first_name", "relationship_manager__last_name",
)
EXPORT_ONLY = (*LIST_COLUMNS, "email", "aum")

SORTABLE = {"number": ("number", "-number"), "name": ("name", "-name"),
            "segment": ("segment", "segment"), "last_contact": ("-last_contact", "last_contact"),
            "since": ("since", "-since")}


@portal_page
@require_GET
def customer_list(request):
    """The customers the user may see, filtered, sorted and paged by keyset."""
    found = customer_filter(request)
    page = KeysetPage([], None, None)
    rows = []
    if found.queryset is not None:
        page = keyset_paginate(found.queryset.only(*LIST_COLUMNS), size=found.size,
                               after=_cursor(request, "after"),
                               before=_cursor(request, "before"))
        views = RecordView.for_objects(request.user, page.rows)
        rows = [{"customer": view.obj, "phone": view.field("phone")} for view in views]
    if found.expired_search:
        messages.warning(request, _("That search has expired. Search again."))
    sort_links = {
        column: {"value": second if found.sort == first else first, "active": found.sort in (first, second)}
        for column, (first, second) in SORTABLE.items()
    }
    export_query = request.GET.copy()
    for name in ("after", "before", "size"):
        export_query.pop(name, None)
    context = {
        "filter": found,
        "form": found.form,
        "rows": rows,
        "page": page,
        "sort_links": sort_links,
        "search_form": QuickSearchForm(initial={"q": found.term}),
        "may_export": permissions.has_customer_permission(request.user, permissions.EXPORT),
        "may_manage_books": may_manage_books(request.user),
        "export_query": export_query.urlencode(),
        "results_target": RESULTS_TARGET,
    }
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == RESULTS_TARGET and not htmx.history_restore_request:
        response = render(request, "customers/_list_results.html", context)
    else:
        response = render(request, "customers/list.html", context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@portal_page
@require_POST
def customer_search(request):
    """The quick-search box. Posts so that a phone, e-mail or ID number never reaches a URL:
    such a term is kept encrypted in the session and the list gets an opaque token."""
    form = QuickSearchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter something to search for."))
        return redirect("customer-list")
    term = form.cleaned_data["q"]
    query = {"search": _store_search(request, term)} if _is_identifier(term) else {"q": term}
    return HttpResponseRedirect(f"{reverse('customer-list')}?{urlencode(query)}")


# ---------------------------------------------------------------------------------------------
# CSV export
# ---------------------------------------------------------------------------------------------

EXPORT_COLUMNS = ["number", "name", "kind", "segment", "status", "branch", "relationship_manager",
                  "last_contact", "phone", "email", "aum"]
EXPORT_HEADERS = [gettext_lazy("Customer number"), gettext_lazy("Name"), gettext_lazy("Kind"),
                  gettext_lazy("Segment"), gettext_lazy("Status"), gettext_lazy("Branch"),
                  gettext_lazy("Relationship manager"), gettext_lazy("Last contact"),
                  gettext_lazy("Phone"), gettext_lazy("E-mail"), gettext_lazy("Assets under management")]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # A cell starting like a formula is run by spreadsheet programs (CSV injection).
    return f"'{text}" if text.startswith(FORMULA_START) else text


def _export_cells(view: RecordView) -> list[str]:
    customer = view.obj
    manager = customer.relationship_manager
    last_contact = ""
    if customer.last_contact_at:
        last_contact = timezone.localtime(customer.last_contact_at).date().isoformat()
    return [_cell(value) for value in (
        customer.number, customer.display_name, customer.get_kind_display(), customer.get_segment_display(),
        customer.get_status_display(), customer.home_branch.code,
        (manager.get_full_name() or manager.get_username()) if manager else "", last_contact,
        view.field("phone").text, view.field("email").text, view.field("aum").text,
    )]


def _export_stream(*, user, queryset: QuerySet, request_meta: dict):
    """CSV lines in batches: each batch masked by one RecordView call, and its clear reads
    written as one `pii.revealed` event (the request's own audit context is gone by the time
    a streamed body is produced)."""
    writer = csv.writer(_Echo())
    yield "\ufeff"  # spreadsheet programs read UTF-8 (Chinese names) only with the mark
    yield writer.writerow([str(header) for header in EXPORT_HEADERS])
    rows = queryset.iterator(chunk_size=EXPORT_BATCH)
    while batch := list(islice(rows, EXPORT_BATCH)):
        with audit_request_context(**request_meta) as context:
            lines = [writer.writerow(_export_cells(view)) for view in RecordView.for_objects(user, batch)]
            audit_pii_reveals_record(actor=user, context=context)
        yield "".join(lines)


@portal_page
@require_GET
def customer_export(request):
    """The current list as CSV (same filters and order), at most EXPORT_LIMIT rows, audited."""
    if not permissions.has_customer_permission(request.user, permissions.EXPORT):
        raise PermissionDenied(_("You may not export customer lists."))
    found = customer_filter(request)
    back = f"{reverse('customer-list')}?{request.GET.urlencode()}"
    if found.queryset is None:
        messages.error(request, _("Correct the filters before exporting."))
        return HttpResponseRedirect(back)
    rows = found.queryset.order_by()[: EXPORT_LIMIT + 1].count()
    if rows > EXPORT_LIMIT:
        messages.error(request, _(
            "The list has more than %(limit)s customers. Narrow the filters to export at most %(limit)s."
        ) % {"limit": f"{EXPORT_LIMIT:,}"})
        return HttpResponseRedirect(back)
    audit_record(
        actor=request.user, action="export.created", object_type=CUSTOMER_OBJECT, fields=EXPORT_COLUMNS,
        extra={"rows": rows, "filters": found.used()},
    )
    keys = _order_keys(found.queryset)
    ordered = found.queryset.only(*EXPORT_ONLY).order_by(*_order_by(keys))
    request_meta = {
        # The same address resolution as compliance.middleware.AuditContextMiddleware.
        "ip_address": get_client_ip_address(request),
        "user_agent": request.headers.get("User-Agent", ""),
        "request_id": getattr(request, "request_id", ""),
    }
    response = StreamingHttpResponse(
        _export_stream(user=request.user, queryset=ordered, request_meta=request_meta),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="customers-{timezone.localdate():%Y%m%d}.csv"'
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------------------------------------
# The 360° page
# ---------------------------------------------------------------------------------------------

# Which sensitive field a segmentation metric's figure comes from.
METRIC_FIELDS = {"aum": "aum", "income": "annual_income", "revenue": "annual_revenue"}


def compact_amount(value) -> str:
    """7200000 -> "7.2M", 6000000 -> "6M", 250000 -> "250K"."""
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    for threshold, suffix in ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "K")):
        if abs(amount) >= threshold:
            scaled = (amount / threshold).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            return f"{format(scaled.normalize(), 'f')}{suffix}"
    return format(amount.normalize(), "f")


def _metric_text(metric, value) -> str:
    if value is None or value == "":
        return ""
    if metric is not None and metric.value_kind in (segmentation.AMOUNT, segmentation.BAND):
        return compact_amount(value)
    return str(value)


def segment_explanation(customer, view: RecordView) -> dict:
    """Why the customer is in their segment ("Private banking since 2026-03-01: AUM 7.2M ≥ 6M"),
    from customers.segmentation, with each figure masked unless the viewer sees its field in
    clear. An override's reason may describe the customer's finances: it is shown only to a
    viewer who sees AUM in clear."""
    explanation = segmentation.segment_explanation(customer)
    conditions = []
    for condition in explanation["conditions"]:
        metric = segmentation.METRICS.get(condition.get("metric"))
        if metric is None:
            continue
        if metric.value_kind == segmentation.PRODUCT:
            product = condition.get("value")
            label = ProductType(product).label if product in ProductType.values else product
            conditions.append({"label": metric.label, "value": label, "masked": False, "operator": "",
                               "threshold": ""})
            continue
        field = METRIC_FIELDS.get(metric.name)
        masked = field is not None and not view.is_clear(field)
        if field is not None and not masked:
            note_pii_revealed(object_type=CUSTOMER_OBJECT, object_id=customer.pk, fields=[field])
        conditions.append({
            "label": metric.label,
            "value": "******" if masked else _metric_text(metric, condition.get("figure")),
            "masked": masked,
            "operator": segmentation.OP_SYMBOLS.get(condition.get("op"), condition.get("op", "")),
            "threshold": _metric_text(metric, condition.get("value")),
        })
    override = explanation["override"]
    reason_clear = view.is_clear("aum")
    return {
        "label": explanation["segment_label"] or customer.get_segment_display(),
        "since": explanation["since"],
        "conditions": conditions,
        "rule_version": explanation["version"],
        "is_default_rule": explanation["version"] is not None and not conditions,
        "override": override and {
            "expires_on": override["expires_on"],
            "reason": override["reason"] if reason_clear else "****",
            "reason_masked": not reason_clear,
        },
    }


def _amount(shown) -> dict:
    """A money DisplayValue with digit grouping when in clear."""
    if shown.masked or shown.value is None:
        return {"text": shown.text, "masked": shown.masked}
    return {"text": f"{Decimal(shown.value):,.2f}", "masked": False}


def _field_row(label, value) -> dict:
    return {"label": label, "text": "" if value in (None, "") else str(value), "masked": False}


def _sensitive_row(view: RecordView, name: str) -> dict:
    spec = access.sensitive_fields(type(view.obj))[name]
    shown = view.field(name)
    row = _amount(shown) if spec.mask_kind == "amount" else {"text": shown.text, "masked": shown.masked}
    return {"label": spec.label, **row}


def profile_rows(customer, view: RecordView) -> tuple[list[dict], list[dict]]:
    """(contact rows, profile rows) with sensitive values through the RecordView."""
    contact = [_sensitive_row(view, name) for name in ("id_number", "phone", "email", "address")]
    if customer.is_individual:
        profile = customer.individual
        rows = [
            _field_row(_("Given name"), profile.given_name),
            _field_row(_("Family name"), profile.family_name),
            _field_row(_("Name in Chinese"), profile.local_name),
            _field_row(_("Gender"), profile.get_gender_display()),
            _sensitive_row(view, "date_of_birth"),
            _field_row(_("Occupation"), profile.occupation),
            _field_row(_("Employer"), profile.employer),
            _sensitive_row(view, "annual_income"),
            _field_row(_("Preferred language"), profile.get_preferred_language_display()),
            _field_row(_("Preferred channel"), profile.get_preferred_channel_display()),
            _field_row(_("Credit rating"), profile.credit_rating),
            _field_row(_("Risk tolerance"), profile.get_risk_tolerance_display()),
        ]
    else:
        profile = customer.corporate
        rows = [
            _field_row(_("Legal name"), profile.legal_name),
            _field_row(_("Industry"), profile.industry),
            _field_row(_("Employees"), profile.employees),
            _sensitive_row(view, "annual_revenue"),
            _field_row(_("Countries of operation"), ", ".join(profile.countries_of_operation)),
            _field_row(_("Parent group"), profile.parent_group),
            _field_row(_("Credit rating"), profile.credit_rating),
        ]
    return contact, rows


def holding_rows(customer, view: RecordView, every_clear: bool) -> list[dict]:
    aum_clear = view.is_clear("aum")
    rows = []
    holdings = customer.holdings.order_by("status", "product_type", "opened_on", "pk")[:HOLDINGS_LIMIT]
    for holding in holdings:
        if every_clear and holding.account_number:
            account, account_masked = holding.account_number, False
            note_pii_revealed(object_type=HOLDING_OBJECT, object_id=holding.pk, fields=["account_number"])
        else:
            account = f"****{holding.account_last4}" if holding.account_last4 else ""
            account_masked = bool(account)
        rows.append({
            "holding": holding,
            "account": account,
            "account_masked": account_masked,
            "balance": f"{holding.balance:,.2f}" if aum_clear else "******",
            "balance_masked": not aum_clear,
        })
    if aum_clear and rows:
        note_pii_revealed(object_type=CUSTOMER_OBJECT, object_id=customer.pk, fields=["aum"])
    return rows


def need_rows(customer, every_clear: bool) -> list[dict]:
    rows = []
    for need in customer.needs.select_related("recorded_by").order_by("-recorded_at", "-pk")[:NEEDS_LIMIT]:
        note, masked = "", False
        if need.note:
            if every_clear:
                note = need.note
                note_pii_revealed(object_type=NEED_OBJECT, object_id=need.pk, fields=["note"])
            else:
                note, masked = "****", True
        rows.append({"need": need, "note": note, "note_masked": masked,
                     "is_open": need.status in (NeedStatus.OPEN, NeedStatus.IN_PROGRESS)})
    return rows


def timeline(customer, *, every_clear: bool, before: int | None = None) -> dict:
    """A page of the interaction timeline, newest first, with the cursor for "load more"."""
    queryset = Interaction.objects.filter(customer=customer).select_related("staff").order_by(
        "-occurred_at", "-pk"
    )
    page = keyset_paginate(queryset, size=TIMELINE_PAGE_SIZE, after=before)
    items = []
    for interaction in page.rows:
        if every_clear:
            summary, masked = interaction.summary, False
            note_pii_revealed(object_type=INTERACTION_OBJECT, object_id=interaction.pk, fields=["summary"])
        else:
            summary, masked = "****", True
        author = interaction.staff
        items.append({
            "interaction": interaction,
            "summary": summary,
            "masked": masked,
            "author": (author.get_full_name() or author.get_username()) if author else interaction.system,
        })
    return {"items": items, "more": page.next_after}


def _user_names(ids) -> dict[int, str]:
    ids = {value for value in ids if isinstance(value, int)}
    if not ids:
        return {}
    return {
        user.pk: user.get_full_name() or user.get_username()
        for user in get_user_model().objects.filter(pk__in=ids).only("pk", "first_name", "last_name",
                                                                    "username")
    }


def _segment_label(code) -> str:
    try:
        return str(Segment(code).label)
    except ValueError:
        return str(code)


def _status_label(code) -> str:
    try:
        return str(CustomerStatus(code).label)
    except ValueError:
        return str(code)


def _field_labels(names) -> str:
    labels = []
    for name in names or []:
        label = name
        for model in (Customer, IndividualProfile, CorporateProfile):
            try:
                label = str(model._meta.get_field(name).verbose_name)
                break
            except FieldDoesNotExist:
                continue
        labels.append(label)
    return ", ".join(labels)


def history_sentence(event: CustomerEvent, names: dict[int, str]) -> str:
    """A CustomerEvent (ids and codes) as a sentence a member of staff reads."""
    data = event.data or {}
    actor = names.get(event.actor_id) or _("the system")
    kind = event.kind
    if kind == CustomerEventKind.CREATED:
        return _("%(actor)s created the customer record.") % {"actor": actor}
    if kind == CustomerEventKind.UPDATED:
        fields = _field_labels(data.get("fields")) or _("the details")
        return _("%(actor)s updated %(fields)s.") % {"actor": actor, "fields": fields}
    if kind == CustomerEventKind.SEGMENT_OVERRIDDEN:
        action = data.get("action", "set")
        if action == "ended":
            return _("%(actor)s ended the manual segment.") % {"actor": actor}
        if action == "expired":
            return _("The manual segment expired.")
        sentence = _("%(actor)s set the segment to %(segment)s by hand") % {
            "actor": actor, "segment": _segment_label(data.get("to") or data.get("segment"))}
        if data.get("expires_on"):
            sentence += " " + _("until %(date)s") % {"date": data["expires_on"]}
        return sentence + "."
    if kind == CustomerEventKind.SEGMENT_CHANGED:
        previous, new = data.get("from"), data.get("to")
        if previous in SEGMENT_RANK and new in SEGMENT_RANK:
            template = (_("Moved up to %(segment)s (from %(previous)s).")
                        if SEGMENT_RANK[new] > SEGMENT_RANK[previous]
                        else _("Moved down to %(segment)s (from %(previous)s)."))
            sentence = template % {"segment": _segment_label(new), "previous": _segment_label(previous)}
            if data.get("version"):
                sentence += " " + _("(rules v%(version)s)") % {"version": data["version"]}
            return sentence
        return _("Segment changed to %(segment)s.") % {"segment": _segment_label(new)}
    if kind == CustomerEventKind.REASSIGNED:
        previous = names.get(data.get("from")) if data.get("from") else None
        new = names.get(data.get("to")) or _("nobody")
        if previous:
            return _("%(actor)s reassigned the customer from %(previous)s to %(new)s.") % {
                "actor": actor, "previous": previous, "new": new}
        return _("%(actor)s assigned the customer to %(new)s.") % {"actor": actor, "new": new}
    if kind == CustomerEventKind.STATUS_CHANGED:
        return _("Status changed from %(previous)s to %(new)s.") % {
            "previous": _status_label(data.get("from")), "new": _status_label(data.get("to"))}
    if kind == CustomerEventKind.MERGED:
        return _("%(actor)s merged a duplicate record into this one.") % {"actor": actor}
    if kind == CustomerEventKind.UNMERGED:
        return _("%(actor)s reversed a merge.") % {"actor": actor}
    if kind == CustomerEventKind.IMPORTED:
        return _("Imported from a file by %(actor)s.") % {"actor": actor}
    return str(event.get_kind_display())


def history(customer) -> list[dict]:
    events = list(customer.history.order_by("-occurred_at", "-pk")[:HISTORY_LIMIT])
    ids = {event.actor_id for event in events}
    for event in events:
        if event.kind == CustomerEventKind.REASSIGNED:
            ids.update({(event.data or {}).get("from"), (event.data or {}).get("to")})
    names = _user_names(ids)
    return [{"event": event, "sentence": history_sentence(event, names)} for event in events]


GRAPH_WIDTH, GRAPH_HEIGHT = 480, 340


def relationship_graph(customer, relationships: list[Relationship], visible: set[int]) -> dict:
    """Nodes and edges of the customer's relationships for an inline SVG, laid out on a
    circle around the customer. A related customer the viewer may not see is a nameless
    "another customer" node, without a link."""
    others: dict[int, object] = {}
    for relationship in relationships:
        outgoing = relationship.from_customer_id == customer.pk
        other = relationship.to_customer if outgoing else relationship.from_customer
        others.setdefault(other.pk, other)
    cx, cy = GRAPH_WIDTH / 2, GRAPH_HEIGHT / 2
    radius = 150
    positions = {customer.pk: (cx, cy)}
    nodes = [{"x": cx, "y": cy, "label": customer.display_name[:28], "href": None, "centre": True,
              "hidden": False}]
    for index, (other_id, other) in enumerate(others.items()):
        angle = -math.pi / 2 + 2 * math.pi * index / max(len(others), 1)
        x, y = round(cx + radius * math.cos(angle), 1), round(cy + radius * 0.8 * math.sin(angle), 1)
        positions[other_id] = (x, y)
        shown = other_id in visible
        nodes.append({
            "x": x, "y": y, "centre": False, "hidden": not shown,
            "label": other.display_name[:28] if shown else _("another customer"),
            "href": reverse("customer-detail", args=[other_id]) if shown else None,
        })
    edges = {}
    for relationship in relationships:
        key = (relationship.from_customer_id, relationship.to_customer_id)
        edges.setdefault(key, []).append(str(relationship.get_kind_display()))
    edge_list = []
    for (source, target), labels in edges.items():
        (x1, y1), (x2, y2) = positions[source], positions[target]
        length = math.hypot(x2 - x1, y2 - y1) or 1
        # Stop the arrow short of the target node so the arrowhead stays visible.
        x2s, y2s = x2 - (x2 - x1) * 14 / length, y2 - (y2 - y1) * 14 / length
        # The label sits nearer the related customer than the centre, where edges crowd.
        (ox, oy) = (x2, y2) if source == customer.pk else (x1, y1)
        edge_list.append({
            "x1": x1, "y1": y1, "x2": round(x2s, 1), "y2": round(y2s, 1),
            "lx": round(cx + (ox - cx) * 0.5, 1), "ly": round(cy + (oy - cy) * 0.5 - 4, 1),
            "label": ", ".join(labels),
        })
    return {"nodes": nodes, "edges": edge_list, "width": GRAPH_WIDTH, "height": GRAPH_HEIGHT}


def _relationship_rows(customer, relationships, visible: set[int]) -> list[dict]:
    rows = []
    for relationship in relationships:
        outgoing = relationship.from_customer_id == customer.pk
        other = relationship.to_customer if outgoing else relationship.from_customer
        shown = other.pk in visible
        rows.append({
            "kind": relationship.get_kind_display(),
            "outgoing": outgoing,
            "role": relationship.role,
            "share_percent": relationship.share_percent,
            "other_name": other.display_name if shown else _("another customer"),
            "other_href": reverse("customer-detail", args=[other.pk]) if shown else None,
        })
    return rows


def household_totals(customer, relationships, views_by_pk: dict[int, RecordView]) -> dict:
    """Total AUM of the household members (spouse, household member) and the customer, counting
    only the members whose AUM the viewer sees in clear."""
    members = {customer.pk}
    for relationship in relationships:
        if relationship.kind in HOUSEHOLD_KINDS:
            members.update({relationship.from_customer_id, relationship.to_customer_id})
    total, counted = Decimal("0"), 0
    for member in sorted(members):
        view = views_by_pk.get(member)
        if view is not None and view.is_clear("aum"):
            total += view.field("aum").value or Decimal("0")
            counted += 1
    return {"members": len(members), "counted": counted, "total": total, "is_household": len(members) > 1}


def _detail_context(request, customer, *, forms: dict | None = None, before: int | None = None) -> dict:
    user = request.user
    relationships = list(
        Relationship.objects.filter(Q(from_customer=customer) | Q(to_customer=customer))
        .select_related("from_customer", "to_customer")
        .order_by("kind", "pk")[: GRAPH_LIMIT * 2]
    )
    other_ids = {rel.from_customer_id for rel in relationships}
    other_ids |= {rel.to_customer_id for rel in relationships}
    other_ids.discard(customer.pk)
    visible = set(
        selectors.customer_list(actor=user).filter(pk__in=other_ids).values_list("pk", flat=True)
    ) if other_ids else set()
    visible_others = {}
    for relationship in relationships:
        for other in (relationship.from_customer, relationship.to_customer):
            if other.pk in visible:
                visible_others[other.pk] = other
    views = RecordView.for_objects(user, [customer, *visible_others.values()])
    view = views[0]
    views_by_pk = {item.obj.pk: item for item in views}
    every_clear = _every_field_clear(view, customer)
    contact, profile = profile_rows(customer, view)
    may_reveal = access.may_reveal(user, customer)
    grants = list(
        RevealGrant.objects.filter(user=user, customer=customer, expires_at__gt=timezone.now())
        .order_by("expires_at")
    ) if may_reveal else []
    forms = forms or {}
    merged_into_visible = bool(customer.merged_into_id) and selectors.customer_list(actor=user).filter(
        pk=customer.merged_into_id).exists()
    context = {
        "customer": customer,
        "merged_into_visible": merged_into_visible,
        "view": view,
        "every_clear": every_clear,
        "aum": _amount(view.field("aum")),
        "segment": segment_explanation(customer, view),
        "contact_rows": contact,
        "profile_rows": profile,
        "holdings": holding_rows(customer, view, every_clear),
        "needs": need_rows(customer, every_clear),
        "relationships": _relationship_rows(customer, relationships, visible),
        "graph": relationship_graph(customer, relationships, visible) if relationships else None,
        "household": household_totals(customer, relationships, views_by_pk),
        "timeline": timeline(customer, every_clear=every_clear, before=before),
        "history": history(customer),
        "grants": [{"grant": grant, "labels": _field_labels_sensitive(grant.fields)} for grant in grants],
        "may_act": may_act(user),
        "may_reveal": may_reveal,
        "may_edit": may_edit(user, customer, view),
        "may_reassign": may_reassign(user, customer),
        "may_override_segment": may_override_segment(user, customer),
    }
    if context["may_act"]:
        context["interaction_form"] = forms.get("interaction_form") or InteractionLogForm()
        context["need_form"] = forms.get("need_form") or NeedRecordForm(kind=customer.kind)
    if may_reveal:
        context["reveal_form"] = forms.get("reveal_form") or RevealForm(kind=customer.kind)
    if context["may_reassign"]:
        context["reassign_form"] = forms.get("reassign_form") or ReassignForm(
            branch_id=customer.home_branch_id,
            initial={"relationship_manager": customer.relationship_manager_id},
        )
    if context["may_override_segment"]:
        context["override_form"] = forms.get("override_form") or SegmentOverrideForm(kind=customer.kind)
    return context


def _field_labels_sensitive(names) -> str:
    specs = access.sensitive_fields(Customer)
    return ", ".join(str(specs[name].label) for name in names if name in specs)


def _render_detail(request, customer, *, forms: dict | None = None, status: int = 200):
    context = _detail_context(request, customer, forms=forms, before=_cursor(request, "interactions_before"))
    return render(request, "customers/detail.html", context, status=status)


@portal_page
@require_GET
def customer_detail(request, pk: int):
    """The customer 360° page."""
    customer = _get_customer(request, pk)
    return _render_detail(request, customer)


@portal_page
@require_GET
def customer_interactions(request, pk: int):
    """More of the timeline (htmx "load more"); without htmx, the 360° page at that point."""
    customer = _get_customer(request, pk)
    before = _cursor(request, "before")
    htmx = getattr(request, "htmx", None)
    if not htmx:
        query = f"?{urlencode({'interactions_before': before})}" if before else ""
        return HttpResponseRedirect(f"{reverse('customer-detail', args=[pk])}{query}#timeline")
    view = RecordView.for_object(request.user, customer)
    context = {
        "customer": customer,
        "timeline": timeline(customer, every_clear=_every_field_clear(view, customer), before=before),
    }
    return render(request, "customers/_timeline_items.html", context)


# ---------------------------------------------------------------------------------------------
# Actions on the 360° page
# ---------------------------------------------------------------------------------------------


def _quick_action_response(request, customer, *, interaction_form=None, need_form=None,
                           refreshed: str = ""):
    """htmx answer for the quick actions: the panel (fresh or with errors) and, after a
    success, the refreshed timeline or needs list swapped out of band."""
    view = RecordView.for_object(request.user, customer)
    every_clear = _every_field_clear(view, customer)
    context = {
        "customer": customer,
        "may_act": True,
        "interaction_form": interaction_form or InteractionLogForm(),
        "need_form": need_form or NeedRecordForm(kind=customer.kind),
        "refreshed": refreshed,
    }
    if refreshed == "timeline":
        context["timeline"] = timeline(customer, every_clear=every_clear)
    if refreshed == "needs":
        context["needs"] = need_rows(customer, every_clear)
    return render(request, "customers/_quick_actions_response.html", context)


@portal_page
@require_POST
def customer_interaction_log(request, pk: int):
    customer = _get_customer(request, pk)
    if not may_act(request.user):
        raise PermissionDenied(_("You may not log interactions."))
    form = InteractionLogForm(request.POST)
    if form.is_valid():
        try:
            services.interaction_log(
                actor=request.user, customer=customer, channel=form.cleaned_data["channel"],
                interaction_type=form.cleaned_data["interaction_type"], summary=form.cleaned_data["summary"],
                occurred_at=form.cleaned_data["occurred_at"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if getattr(request, "htmx", None):
                messages.success(request, _("Interaction logged."))
                return _quick_action_response(request, customer, refreshed="timeline")
            messages.success(request, _("Interaction logged."))
            return HttpResponseRedirect(f"{reverse('customer-detail', args=[pk])}#timeline")
    if getattr(request, "htmx", None):
        return _quick_action_response(request, customer, interaction_form=form)
    return _render_detail(request, customer, forms={"interaction_form": form})


@portal_page
@require_POST
def customer_need_record(request, pk: int):
    customer = _get_customer(request, pk)
    if not may_act(request.user):
        raise PermissionDenied(_("You may not record needs."))
    form = NeedRecordForm(request.POST, kind=customer.kind)
    if form.is_valid():
        try:
            services.need_record(actor=request.user, customer=customer,
                                 need_type=form.cleaned_data["need_type"], note=form.cleaned_data["note"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Need recorded."))
            if getattr(request, "htmx", None):
                return _quick_action_response(request, customer, refreshed="needs")
            return HttpResponseRedirect(f"{reverse('customer-detail', args=[pk])}#needs")
    if getattr(request, "htmx", None):
        return _quick_action_response(request, customer, need_form=form)
    return _render_detail(request, customer, forms={"need_form": form})


@portal_page
@require_POST
def customer_reveal(request, pk: int):
    """Show chosen sensitive fields in clear for a while, for a stated purpose."""
    customer = _get_customer(request, pk)
    if not access.may_reveal(request.user, customer):
        raise PermissionDenied(_("You may not reveal this customer's data."))
    form = RevealForm(request.POST, kind=customer.kind)
    if form.is_valid():
        try:
            grant = services.customer_reveal(
                actor=request.user, customer=customer, fields=form.cleaned_data["fields"],
                purpose=form.cleaned_data["purpose"], minutes=form.cleaned_data["minutes"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Shown in clear until %(time)s.") % {
                "time": timezone.localtime(grant.expires_at).strftime("%H:%M")})
            return redirect("customer-detail", pk=pk)
    return _render_detail(request, customer, forms={"reveal_form": form})


@portal_page
@require_POST
def customer_reassign(request, pk: int):
    customer = _get_customer(request, pk)
    if not may_reassign(request.user, customer):
        raise PermissionDenied(_("Only a branch manager may reassign customers."))
    form = ReassignForm(request.POST, branch_id=customer.home_branch_id)
    if form.is_valid():
        manager = form.cleaned_data["relationship_manager"]
        try:
            result = services.customer_reassign(
                actor=request.user, customer=customer, relationship_manager=manager
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if result.moved:
                messages.success(request, _("The customer now belongs to %(name)s's book.") % {
                    "name": manager.get_full_name() or manager.get_username()})
            else:
                messages.info(request, _("The customer was already in that book."))
            return redirect("customer-detail", pk=pk)
    return _render_detail(request, customer, forms={"reassign_form": form})


@portal_page
@require_POST
def customer_segment_override(request, pk: int):
    customer = _get_customer(request, pk)
    if not may_override_segment(request.user, customer):
        raise PermissionDenied(_("Only the branch manager may set a segment by hand."))
    form = SegmentOverrideForm(request.POST, kind=customer.kind)
    if form.is_valid():
        from customers.segmentation import segment_override_set

        try:
            segment_override_set(
                actor=request.user, customer=customer, segment=form.cleaned_data["segment"],
                reason=form.cleaned_data["reason"], expires_on=form.cleaned_data["expires_on"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Segment set by hand."))
            return redirect("customer-detail", pk=pk)
    return _render_detail(request, customer, forms={"override_form": form})


@portal_page
@require_http_methods(["GET", "POST"])
def customer_edit(request, pk: int):
    """Edit a customer's details. Sensitive fields the user sees masked are not offered."""
    customer = _get_customer(request, pk)
    view = RecordView.for_object(request.user, customer)
    if not may_edit(request.user, customer, view):
        raise PermissionDenied(_("You may not change this customer's details."))
    if request.method == "POST":
        form = CustomerEditForm(request.POST, customer=customer, view=view)
        if form.is_valid():
            fields, profile = form.changes()
            if not fields and not profile:
                messages.info(request, _("Nothing was changed."))
                return redirect("customer-detail", pk=pk)
            try:
                changed = services.customer_update(actor=request.user, customer=customer, fields=fields,
                                                   profile=profile)
            except ValidationError as error:
                form.add_service_errors(_errors_of(error))
            else:
                messages.success(request, _("Saved: %(fields)s.") % {"fields": _field_labels(changed)})
                return redirect("customer-detail", pk=pk)
    else:
        form = CustomerEditForm(customer=customer, view=view)
    hidden = [spec.label for spec in sensitive_fields_for(customer.kind)
              if spec.name not in view.clear and spec.name != "aum"]
    return render(request, "customers/edit.html",
                  {"customer": customer, "form": form, "hidden_fields": hidden})


# ---------------------------------------------------------------------------------------------
# Books: the branch manager's page
# ---------------------------------------------------------------------------------------------


def _books_context(request, *, forms: dict | None = None) -> dict:
    branch_id = permissions.user_branch_id(request.user)
    managers = list(staff_in_branch(branch_id, Role.RELATIONSHIP_MANAGER))
    sizes = dict(
        selectors.customer_queryset().filter(relationship_manager__in=managers)
        .values("relationship_manager").annotate(customers=Count("pk"))
        .values_list("relationship_manager", "customers")
    )
    unassigned = selectors.customer_queryset().filter(
        home_branch_id=branch_id, relationship_manager__isnull=True
    ).count()
    today = timezone.localdate()
    delegations = (
        BookDelegation.objects.filter(relationship_manager__staff_profile__branch_id=branch_id,
                                      revoked_at__isnull=True, ends_on__gte=today)
        .select_related("relationship_manager", "delegate")
        .order_by("starts_on", "pk")
    )
    forms = forms or {}
    return {
        "books": [{"manager": manager, "customers": sizes.get(manager.pk, 0)} for manager in managers],
        "unassigned": unassigned,
        "delegations": [{"delegation": item, "is_current": item.starts_on <= today} for item in delegations],
        "book_form": forms.get("book_form") or BookReassignForm(branch_id=branch_id),
        "delegation_form": forms.get("delegation_form") or DelegationForm(
            branch_id=branch_id, initial={"starts_on": today, "ends_on": today + datetime.timedelta(days=7)}
        ),
    }


def _require_books(request) -> None:
    if not may_manage_books(request.user):
        raise PermissionDenied(_("Only a branch manager may manage books."))


@portal_page
@require_GET
def customer_books(request):
    """The branch's relationship managers with their book sizes; move books and delegate."""
    _require_books(request)
    return render(request, "customers/books.html", _books_context(request))


@portal_page
@require_POST
def customer_book_reassign(request):
    _require_books(request)
    form = BookReassignForm(request.POST, branch_id=permissions.user_branch_id(request.user))
    if form.is_valid():
        source, target = form.cleaned_data["from_manager"], form.cleaned_data["to_manager"]
        try:
            result = services.book_reassign(actor=request.user, from_manager=source, to_manager=target)
        except ValidationError as error:
            _add_errors(form, error)
        except PermissionDenied:
            form.add_error(
                None, _("This book holds customers of another branch; ask head office to move it.")
            )
        else:
            messages.success(request, _("%(count)s customers moved to %(name)s.") % {
                "count": result.moved, "name": target.get_full_name() or target.get_username()})
            return redirect("customer-books")
    return render(request, "customers/books.html", _books_context(request, forms={"book_form": form}))


@portal_page
@require_POST
def customer_delegation_create(request):
    _require_books(request)
    form = DelegationForm(request.POST, branch_id=permissions.user_branch_id(request.user))
    if form.is_valid():
        try:
            services.delegation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Delegation created."))
            return redirect("customer-books")
    return render(request, "customers/books.html", _books_context(request, forms={"delegation_form": form}))


@portal_page
@require_POST
def customer_delegation_end(request, delegation_id: int):
    _require_books(request)
    delegation = BookDelegation.objects.filter(
        pk=delegation_id,
        relationship_manager__staff_profile__branch_id=permissions.user_branch_id(request.user),
    ).first()
    if delegation is None:
        raise Http404
    services.delegation_end(actor=request.user, delegation=delegation)
    messages.success(request, _("Delegation ended."))
    return redirect("customer-books")
