"""Saved list views: the customer list's filters under a name, applied with one click.

The list shows the user's views and the forms that save, rename, refill and delete them
(customers/_saved_views.html); those forms post here. A form with bad input (no name, a name
too long or already used) is shown again with its error on the page of saved views. Every
view is fetched through `customers.selectors.list_view_get` (the user's own, 404 otherwise)
and changed through `customers.services`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from crm.forms import add_validation_errors
from customers import selectors, services
from customers.forms.list_views import (
    ListViewDeleteForm,
    ListViewFiltersForm,
    ListViewRenameForm,
    ListViewSaveForm,
)
from customers.models import LIST_VIEW_FILTERS, SavedListView
from customers.views.common import portal_page
from customers.views.listing import list_form, view_filters, view_query

# Applying a view drops the filters the list form refuses, then checks again: the choice of
# relationship manager depends on the branch, so dropping one can unsettle the other.
APPLY_ROUNDS = 3
EXACT_SEARCH_LEFT_OUT = gettext_lazy("The exact phone, e-mail, ID or customer number you searched for is "
                                     "not saved with the view.")


def _list_url(query: str = "") -> str:
    """The list at `query`, keeping only a saved view's own parameters (never an exact search)."""
    kept = view_query(_query_items(query))
    return f"{reverse('customer-list')}?{kept.urlencode()}" if kept else reverse("customer-list")


def _query_items(query: str) -> dict:
    data = QueryDict(query or "")
    items = {}
    for name in data:
        values = [value for value in data.getlist(name) if value]
        if not values:
            continue
        if name in ("segment", "status"):
            items[name] = values
        elif name == "q" and selectors.is_exact_search(values[-1]):
            continue
        else:
            items[name] = values[-1]
    return items


def _back(form) -> HttpResponseRedirect:
    if form.cleaned_data.get("return_to") == "manage":
        return redirect("customer-list-views")
    return HttpResponseRedirect(_list_url(form.cleaned_data.get("query") or ""))


def _filters_of(request, query: str) -> tuple[dict | None, bool]:
    """The saved-view filters for the list's `query` (None if the list form refuses them), and
    whether an exact search was left out of them."""
    form = list_form(request.user, QueryDict(query or ""))
    if not form.is_valid():
        return None, False
    return view_filters(form)


def _entries(views, *, failed: SavedListView | None = None, failed_form=None):
    return [
        {
            "view": view,
            "rename_form": (failed_form if failed is not None and view.pk == failed.pk
                            else ListViewRenameForm.for_view(view)),
        }
        for view in views
    ]


def _manage_page(request, *, save_form=None, failed=None, failed_form=None):
    # A form shown again with its error answers 200, as every form of the portal does: the
    # browser would log a 400 as an error of the page.
    views = list(selectors.list_view_list(actor=request.user))
    context = {
        "entries": _entries(views, failed=failed, failed_form=failed_form),
        "save_form": save_form,
    }
    return render(request, "customers/list_views.html", context)


@portal_page
@require_GET
def list_view_manage(request):
    """The user's saved views, each with its forms (rename, delete)."""
    return _manage_page(request)


@portal_page
@require_POST
def list_view_save(request):
    """Save the list's current filters (posted as its query string) under a new name."""
    form = ListViewSaveForm(request.POST, prefix="save")
    if form.is_valid():
        filters, left_out = _filters_of(request, form.cleaned_data["query"])
        if filters is None:
            form.add_error(None, _("The list's filters are not valid any more; apply them again first."))
        else:
            try:
                view = services.list_view_create(actor=request.user, name=form.cleaned_data["name"],
                                                 filters=filters)
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
                if left_out or form.cleaned_data["left_out"]:
                    messages.info(request, str(EXACT_SEARCH_LEFT_OUT))
                return HttpResponseRedirect(_list_url(form.cleaned_data["query"]))
    return _manage_page(request, save_form=form)


@portal_page
@require_GET
def list_view_apply(request, pk: int):
    """Show the list with the view's filters; those that no longer apply (a branch closed, a
    relationship manager moved) are left out, and a message says which."""
    view = selectors.list_view_get(actor=request.user, pk=pk)
    # The model validates what is saved; a row changed behind its back is shown, not a 500.
    stored = view.filters if isinstance(view.filters, dict) else {}
    dropped: list[str] = [] if isinstance(view.filters, dict) else [str(_("Filters"))]
    dropped += sorted(name for name in stored if name not in LIST_VIEW_FILTERS)
    query = view_query(stored)
    for _round in range(APPLY_ROUNDS):
        form = list_form(request.user, query)
        if form.is_valid():
            break
        for name in list(form.errors):
            if name in query:
                field = form.fields.get(name)
                dropped.append(str(capfirst(field.label or name)) if field is not None else name)
                query.pop(name)
    else:
        query = QueryDict(mutable=True)
    if dropped:
        messages.warning(request, _(
            "Some filters of the view “%(name)s” no longer apply and are left out: %(filters)s. Save the "
            "filters to the view again to keep the list as it is now.")
            % {"name": view.name, "filters": ", ".join(dict.fromkeys(dropped))})
    if not query:
        # No filter at all: the list, not the last filters it would otherwise restore.
        return HttpResponseRedirect(f"{reverse('customer-list')}?clear=1")
    return HttpResponseRedirect(f"{reverse('customer-list')}?{query.urlencode()}")


@portal_page
@require_POST
def list_view_rename(request, pk: int):
    view = selectors.list_view_get(actor=request.user, pk=pk)
    form = ListViewRenameForm.for_view(view, request.POST)
    if form.is_valid():
        try:
            renamed = services.list_view_rename(actor=request.user, list_view=view,
                                                name=form.cleaned_data["name"])
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("View renamed to “%(name)s”.") % {"name": renamed.name})
            return _back(form)
    return _manage_page(request, failed=view, failed_form=form)


@portal_page
@require_POST
def list_view_update_filters(request, pk: int):
    """Replace the view's filters with the list's current ones (posted as its query string)."""
    view = selectors.list_view_get(actor=request.user, pk=pk)
    form = ListViewFiltersForm(request.POST)
    filters, left_out = _filters_of(request, form.cleaned_data["query"]) if form.is_valid() else (None, False)
    if filters is not None:
        try:
            services.list_view_update_filters(actor=request.user, list_view=view, filters=filters)
        except ValidationError:
            pass
        else:
            messages.success(request, _("View “%(name)s” now keeps these filters.") % {"name": view.name})
            if left_out or form.cleaned_data["left_out"]:
                messages.info(request, str(EXACT_SEARCH_LEFT_OUT))
            return _back(form)
    messages.error(request, _("The list's filters are not valid any more; apply them again first."))
    return redirect("customer-list")


@portal_page
@require_POST
def list_view_delete(request, pk: int):
    view = selectors.list_view_get(actor=request.user, pk=pk)
    form = ListViewDeleteForm(request.POST)
    form.is_valid()
    services.list_view_delete(actor=request.user, list_view=view)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return _back(form)
