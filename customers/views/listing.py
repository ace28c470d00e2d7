"""The customer list: filters, sort, keyset pages, and the quick search.

The list, the search and the CSV export share one filter pipeline (`customer_filter`): the
query string is validated by CustomerListForm, applied by CustomerFilterSet on the customers
the user may see, and a phone, e-mail or ID number searched for never reaches a URL (it is
kept encrypted in the session under a random token).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import F, Func, IntegerField, QuerySet, Subquery
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from compliance.access import RecordView
from crm.pagination import EMPTY_PAGE, cursor_param, keyset_paginate
from crm.roles import Role, user_roles
from crm.selectors import staff_in_branch
from customers import permissions, selectors
from customers.filtersets import CustomerFilterSet
from customers.forms import DEFAULT_PAGE_SIZE, CustomerListForm, QuickSearchForm, branch_choices
from customers.forms.list_views import ListViewRenameForm, ListViewSaveForm
from customers.models import LIST_VIEW_FILTERS
from customers.permissions import CustomerAction
from customers.views.common import portal_page

RESULTS_TARGET = "customer-results"
# The user's last filters, restored when they come back to the list without any. Only these
# parameters are kept, and a search term only when it is a name: an exact phone, e-mail or ID
# number never goes into the session in clear (nor into a URL).
LAST_FILTERS_SESSION_KEY = "customer_list_filters"
KEPT_FILTERS = ("kind", "segment", "status", "home_branch", "relationship_manager", "not_contacted_days",
                "holding", "open_needs", "size", "sort", "q")
# Matches are counted exactly up to this many; past it the list says "more than".
COUNT_LIMIT = 1000

# Columns the list reads (with the masks shown in place of sensitive values); the rest
# (other encrypted tokens, JSON, the RM's password hash) would only widen the rows the
# database sorts and sends.
LIST_COLUMNS = (
    "number", "kind", "status", "display_name", "segment", "since", "last_contact_at", "record_key",
    "phone", "phone_mask",
    "relationship_manager_id", "home_branch__code", "home_branch__name",
    "relationship_manager__username", "relationship_manager__first_name", "relationship_manager__last_name",
)

SORTABLE = {"number": ("number", "-number"), "name": ("name", "-name"),
            "segment": ("segment", "segment"), "last_contact": ("-last_contact", "last_contact"),
            "since": ("since", "-since")}


# ---------------------------------------------------------------------------------------------
# Search terms kept out of URLs
# ---------------------------------------------------------------------------------------------


def _store_search(request, term: str) -> str:
    """Keep `term` encrypted in the session under a random token and return the token."""
    return selectors.SEARCH_TERMS.store(request.session, term)


def _stored_search(request, token: str) -> str | None:
    return selectors.SEARCH_TERMS.read(request.session, token)


def identifier_in_url(request) -> HttpResponseRedirect | None:
    """Refuse a phone, e-mail, ID or card number sent as `?q=` (a bookmark, a typed address, a
    script): the search is not run, the user is told to use the search box, and is sent back
    to the same list without the term. None when the URL carries no such term."""
    if not any(selectors.is_identifier(term.strip()) for term in request.GET.getlist("q")):
        return None
    messages.error(request, _(
        "Search for a phone number, e-mail or ID number with the search box: such terms are never "
        "sent in a web address. That search was not run."
    ))
    query = request.GET.copy()
    for name in ("q", "after", "before"):
        query.pop(name, None)
    target = reverse("customer-list")
    return HttpResponseRedirect(f"{target}?{query.urlencode()}" if query else target)


# ---------------------------------------------------------------------------------------------
# The filter pipeline
# ---------------------------------------------------------------------------------------------


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

    @property
    def active_count(self) -> int:
        """How many of the filter panel's criteria are in effect (the search box aside)."""
        return len([name for name in self.used() if name != "q"])


def _filter_scope(user) -> list[int] | None:
    """Branches the user may filter by: None for all (head-office roles), else their own."""
    if permissions.is_head_office(user):
        return None
    branch_id = permissions.user_branch_id(user)
    return [branch_id] if branch_id else []


def _branches(user, scope: list[int] | None) -> list:
    """The branches to offer: the user's own one is already loaded with their profile."""
    profile = getattr(user, "staff_profile", None)
    if scope is not None and profile is not None and scope == [profile.branch_id]:
        return [profile.branch] if profile.branch.is_active else []
    return list(branch_choices(scope))


def _default_sort(user) -> str:
    """Name order for a book: a few thousand rows, sorted in memory. Customer-number order for
    a branch or the whole bank: the unique index on number gives the first page without
    sorting every visible customer (hundreds of thousands of them)."""
    if permissions.is_head_office(user) or (user_roles(user) & permissions.BRANCH_ROLES):
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


def list_form(user, data: QueryDict) -> CustomerListForm:
    """The list's filter form bound to `data`, with the branches and relationship managers
    `user` may filter by."""
    scope = _filter_scope(user)
    return CustomerListForm(
        data, branches=_branches(user, scope), managers=list(_manager_choices(data, scope, user))
    )


def customer_filter(request) -> CustomerFilter:
    """Validate the list's query string and apply it through CustomerFilterSet."""
    user = request.user
    form = list_form(user, request.GET)
    valid = form.is_valid()
    cleaned = form.cleaned_data if valid else {}
    term, hidden, expired = (cleaned.get("q") or "").strip(), False, False
    if cleaned.get("search"):
        stored = _stored_search(request, cleaned["search"])
        if stored is None:
            expired = True
        else:
            term, hidden = stored, True
    sort = cleaned.get("sort") or ("" if term else _default_sort(user))
    size = cleaned.get("size") or DEFAULT_PAGE_SIZE
    if not valid or expired:
        return CustomerFilter(form, None, term, hidden, sort, size, expired_search=expired)
    filter_data = QueryDict(mutable=True)
    for name in ("kind", "home_branch", "relationship_manager", "not_contacted_days", "holding"):
        if cleaned.get(name) not in (None, ""):
            filter_data[name] = str(cleaned[name])
    if cleaned.get("open_needs") is not None:
        filter_data["open_needs"] = "true" if cleaned["open_needs"] else "false"
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


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------


def kept_filters(found: CustomerFilter, params: QueryDict) -> QueryDict:
    """The list parameters worth restoring later: the filters, sort and page size, and a
    name search (never an exact-lookup term, nor the token of one, nor a page cursor)."""
    kept = QueryDict(mutable=True)
    for name in KEPT_FILTERS:
        values = [value for value in params.getlist(name) if value]
        if name == "q" and (found.term_hidden or any(selectors.is_identifier(value) for value in values)):
            continue
        if values:
            kept.setlist(name, values)
    return kept


# ---------------------------------------------------------------------------------------------
# Saved views
# ---------------------------------------------------------------------------------------------


def view_filters(form: CustomerListForm) -> tuple[dict, bool]:
    """The filters of a valid list `form` as a saved view keeps them (models.LIST_VIEW_FILTERS),
    and whether an exact search was left out: a view keeps a name search only."""
    cleaned = form.cleaned_data
    filters, left_out = {}, bool(cleaned.get("search"))
    for name in LIST_VIEW_FILTERS:
        value = cleaned.get(name)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", []):
            continue
        if name == "q" and selectors.is_exact_search(value):
            left_out = True
            continue
        filters[name] = sorted(value) if isinstance(value, list) else value
    return filters, left_out


def view_query(filters: dict) -> QueryDict:
    """The list's query string for a saved view's `filters` (the list form judges the values)."""
    query = QueryDict(mutable=True)
    for name in LIST_VIEW_FILTERS:  # the list form's order, whatever order the stored JSON keeps
        if name not in filters:
            continue
        value = filters[name]
        if isinstance(value, bool):
            query[name] = "true" if value else "false"
        elif isinstance(value, list):
            query.setlist(name, [str(item) for item in value])
        else:
            query[name] = str(value)
    return query


def saved_views_panel(request, found: CustomerFilter) -> dict:
    """What the list shows of the user's saved views: each with whether it is the one in
    effect, and the form that saves the current filters as a new one."""
    current, left_out = view_filters(found.form) if found.queryset is not None else (None, False)
    query = view_query(current).urlencode() if current is not None else ""
    return {
        "views": [{"view": view, "current": view.filters == current,
                   "rename_form": ListViewRenameForm.for_view(view)}
                  for view in selectors.list_view_list(actor=request.user)],
        "savable": current is not None,
        "left_out": left_out or found.term_hidden,
        "query": query,
        "save_form": ListViewSaveForm(prefix="save", initial={
            "query": query, "return_to": "list", "left_out": left_out or found.term_hidden}),
    }


def _bounded_count(queryset: QuerySet) -> Subquery:
    """How many rows `queryset` has, counting no further than COUNT_LIMIT + 1, as a scalar
    subquery: PostgreSQL evaluates it once for the page's own query (an InitPlan), so the
    count costs no round trip and at most COUNT_LIMIT + 1 index entries at any bank size."""
    bounded = queryset.order_by().values("pk")[: COUNT_LIMIT + 1]
    counted = (queryset.model.objects.filter(pk__in=bounded).order_by()
               .annotate(matching=Func(F("pk"), function="COUNT", output_field=IntegerField()))
               .values("matching"))
    return Subquery(counted, output_field=IntegerField())


@dataclass(frozen=True)
class ResultCount:
    value: int

    @property
    def more(self) -> bool:
        return self.value > COUNT_LIMIT

    @property
    def limit(self) -> int:
        return COUNT_LIMIT


@portal_page(list_views=True)
@require_GET
def customer_list(request):
    """The customers the user may see, filtered, sorted and paged by keyset.

    Coming back without any parameter restores the user's last filters (kept in the
    session); `?clear=1` forgets them.
    """
    refused = identifier_in_url(request)
    if refused is not None:
        return refused
    htmx = getattr(request, "htmx", None)
    if "clear" in request.GET:
        request.session.pop(LAST_FILTERS_SESSION_KEY, None)
        return redirect("customer-list")
    if not request.GET and not htmx:
        last = request.session.get(LAST_FILTERS_SESSION_KEY)
        if last:
            return HttpResponseRedirect(f"{reverse('customer-list')}?{last}")
    found = customer_filter(request)
    page = EMPTY_PAGE
    rows = []
    count = None
    if found.queryset is not None:
        after, before = cursor_param(request.GET, "after"), cursor_param(request.GET, "before")
        counted = found.queryset.only(*LIST_COLUMNS).annotate(matching=_bounded_count(found.queryset))
        page = keyset_paginate(counted, size=found.size, after=after, before=before)
        if page.rows:
            count = ResultCount(page.rows[0].matching)
        elif after is None and before is None:
            count = ResultCount(0)
        views = RecordView.for_objects(request.user, page.rows)
        rows = [{"customer": view.obj, "phone": view.field("phone")} for view in views]
        kept = kept_filters(found, request.GET).urlencode()
        if request.session.get(LAST_FILTERS_SESSION_KEY, "") != kept:
            request.session[LAST_FILTERS_SESSION_KEY] = kept
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
        "count": count,
        "sort_links": sort_links,
        "search_form": QuickSearchForm(initial={"q": found.term}),
        "may_export": permissions.allows(request.user, CustomerAction.EXPORT),
        "may_manage_books": permissions.allows(request.user, CustomerAction.MANAGE_BOOKS),
        "export_query": export_query.urlencode(),
        "results_target": RESULTS_TARGET,
        "saved_views": saved_views_panel(request, found),
    }
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
    query = {"search": _store_search(request, term)} if selectors.is_identifier(term) else {"q": term}
    return HttpResponseRedirect(f"{reverse('customer-list')}?{urlencode(query)}")
