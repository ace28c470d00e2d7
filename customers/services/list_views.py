"""Saved list views: a user names the customer list's filters to apply them again later.

A view is its owner's alone: every service here finds it through the policy
(`permissions.list_views_restrict`), so a view of someone else's is absent (Http404), the
same as one that does not exist. Views hold no customer data (filters, and a name search at
most), so their changes are not audit events.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.http import Http404
from django.utils.translation import gettext as _

from customers import permissions, selectors
from customers.models import LIST_VIEW_NAME_MAX_LENGTH, LIST_VIEWS_PER_USER, SavedListView


def _clean_name(name) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise ValidationError({"name": _("Enter a name for the view.")})
    if len(name) > LIST_VIEW_NAME_MAX_LENGTH:
        raise ValidationError({"name": _("Keep the name to at most %(limit)d characters.")
                               % {"limit": LIST_VIEW_NAME_MAX_LENGTH}})
    return name


def _clean_filters(filters) -> dict:
    if not isinstance(filters, dict):
        raise ValidationError({"filters": _("The filters must be an object.")})
    filters = {name: value for name, value in filters.items() if value not in (None, "", [])}
    if isinstance(filters.get("q"), str):
        filters["q"] = filters["q"].strip()
        if selectors.is_exact_search(filters["q"]):
            raise ValidationError({"filters": _(
                "A view keeps a name search only, never an exact phone, e-mail, ID, card or customer "
                "number.")})
    return filters


def _owned(actor, list_view: SavedListView) -> SavedListView:
    """`list_view` as stored, locked, if it is `actor`'s; Http404 otherwise."""
    found = (permissions.list_views_restrict(SavedListView.objects.all(), actor)
             .select_for_update().filter(pk=list_view.pk).first())
    if found is None:
        raise Http404
    return found


def _refuse_taken(actor, name: str, *, keep: int | None = None) -> None:
    # Both sides lower-cased by the database, as the unique constraint compares them.
    taken = SavedListView.objects.filter(owner_id=actor.pk).annotate(lowered=Lower("name")).filter(
        lowered=Lower(Value(name)))
    if keep is not None:
        taken = taken.exclude(pk=keep)
    if taken.exists():
        raise ValidationError({"name": _("You already have a view named “%(name)s”.") % {"name": name}})


def _save(actor, list_view: SavedListView, *, update_fields: list[str] | None = None) -> SavedListView:
    # The name's uniqueness is checked above, as a field error; the constraint stays the guard.
    list_view.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            list_view.save(update_fields=update_fields)
    except IntegrityError:  # a concurrent save took the name first
        raise ValidationError({"name": _("You already have a view named “%(name)s”.")
                               % {"name": list_view.name}}) from None
    selectors.forget_list_views(actor)
    return list_view


@transaction.atomic
def list_view_create(*, actor, name: str, filters: dict) -> SavedListView:
    """Save `filters` (the customer list's fields, models.LIST_VIEW_FILTERS) as `actor`'s view `name`.

    Raise ValidationError for an empty or too long name, a name the actor already uses (in any
    letter case), filters of the wrong shape or with an exact-lookup search term, or once the
    actor has LIST_VIEWS_PER_USER views; PermissionDenied if the actor may not see customers.
    """
    permissions.check(actor, permissions.CustomerAction.VIEW)
    name, filters = _clean_name(name), _clean_filters(filters)
    if SavedListView.objects.filter(owner_id=actor.pk).count() >= LIST_VIEWS_PER_USER:
        raise ValidationError({"name": _("You have %(limit)d saved views, the most there may be; delete one "
                                         "first.") % {"limit": LIST_VIEWS_PER_USER}})
    _refuse_taken(actor, name)
    return _save(actor, SavedListView(owner=actor, name=name, filters=filters))


@transaction.atomic
def list_view_update(*, actor, list_view: SavedListView, name: str | None = None,
                     filters: dict | None = None) -> SavedListView:
    """Rename `actor`'s view and/or replace its filters (None leaves either as it is), in one
    transaction. Raise Http404 if the view is not theirs, ValidationError as list_view_create
    does for the name and the filters (nothing is changed then)."""
    found = _owned(actor, list_view)
    changed = []
    if name is not None:
        found.name = _clean_name(name)
        _refuse_taken(actor, found.name, keep=found.pk)
        changed.append("name")
    if filters is not None:
        found.filters = _clean_filters(filters)
        changed.append("filters")
    if not changed:
        return found
    return _save(actor, found, update_fields=[*changed, "updated_at"])


def list_view_rename(*, actor, list_view: SavedListView, name: str) -> SavedListView:
    """Give `actor`'s view another name (see list_view_update)."""
    return list_view_update(actor=actor, list_view=list_view, name=name)


def list_view_update_filters(*, actor, list_view: SavedListView, filters: dict) -> SavedListView:
    """Replace the filters of `actor`'s view (see list_view_update)."""
    return list_view_update(actor=actor, list_view=list_view, filters=filters)


@transaction.atomic
def list_view_delete(*, actor, list_view: SavedListView) -> None:
    """Delete `actor`'s view. Raise Http404 if it is not theirs."""
    found = _owned(actor, list_view)
    found.delete()
    selectors.forget_list_views(actor)
