"""Reads of saved list views, restricted to the actor's own (customers.permissions)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.http import Http404

from customers import permissions
from customers.models import SavedListView
from customers.selectors.actor import LIST_VIEWS_LOADED
from customers.selectors.customers import CUSTOMER_NUMBER, is_identifier


def is_exact_search(term: str) -> bool:
    """Whether the list treats `term` as an exact lookup (a phone, e-mail, ID, card or customer
    number) rather than a name search. Saved views keep only name searches: the exact ones
    find one customer and, but for the customer number, are personal data."""
    term = term.strip()
    return bool(CUSTOMER_NUMBER.match(term)) or is_identifier(term)


def list_view_list(*, actor) -> QuerySet | list[SavedListView]:
    """`actor`'s saved list views in name order (letter case aside).

    When the request loaded them with the actor already (`actor_load(..., list_views=True)`),
    they are the ones read then (a list, no further query); otherwise an unevaluated queryset.
    """
    loaded = getattr(actor, "__dict__", {}).get(LIST_VIEWS_LOADED)
    if loaded is not None:
        return loaded
    return permissions.list_views_restrict(SavedListView.objects.all(), actor).order_by(Lower("name"), "pk")


def list_view_get(*, actor, pk) -> SavedListView:
    """`actor`'s saved view `pk`. Raise Http404 when there is none: the same for a view that
    does not exist and one that belongs to someone else."""
    try:
        return permissions.list_views_restrict(SavedListView.objects.all(), actor).get(pk=int(pk))
    except (SavedListView.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def forget_list_views(actor) -> None:
    """Drop the views loaded for the request (after a write to them)."""
    getattr(actor, "__dict__", {}).pop(LIST_VIEWS_LOADED, None)
