"""Saved list views: a user's named filters of the customer list."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from customers.models.holdings import ProductType
from customers.models.party import CustomerKind, CustomerStatus, Segment

LIST_VIEW_NAME_MAX_LENGTH = 60
LIST_VIEWS_PER_USER = 30
LIST_VIEW_SEARCH_MAX_LENGTH = 200
_SORT = re.compile(r"^-?[a-z_]{1,20}$")


def _one_of(choices):
    allowed = {value for value, _label in choices}
    return lambda value: isinstance(value, str) and value in allowed


def _many_of(choices):
    allowed = {value for value, _label in choices}
    return lambda value: (isinstance(value, list) and 0 < len(value) <= len(allowed)
                          and all(isinstance(item, str) and item in allowed for item in value))


def _positive_int(limit: int):
    return lambda value: isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= limit


# The customer list's own filters a view may keep, and what each value must look like. The
# list form checks the rest when the view is applied (a branch may have closed since).
# `q` is a name search only: services refuse an exact phone, e-mail, ID or card number, which
# the list keeps out of URLs and sessions in clear, and so out of saved views too.
LIST_VIEW_FILTERS = {
    "kind": _one_of(CustomerKind.choices),
    "segment": _many_of(Segment.choices),
    "status": _many_of(CustomerStatus.choices),
    "home_branch": _positive_int(2**31 - 1),
    "relationship_manager": _positive_int(2**31 - 1),
    "not_contacted_days": _positive_int(3650),
    "holding": _one_of(ProductType.choices),
    "open_needs": lambda value: isinstance(value, bool),
    "sort": lambda value: isinstance(value, str) and bool(_SORT.match(value)),
    "size": _positive_int(200),
    "q": lambda value: isinstance(value, str) and 0 < len(value.strip()) <= LIST_VIEW_SEARCH_MAX_LENGTH,
}


def validate_list_view_filters(value) -> None:
    """Raise ValidationError unless `value` is a dict of the list's filters with values of the
    right shape (names of the offending filters in the message, never their values)."""
    if not isinstance(value, dict):
        raise ValidationError(_("The filters must be an object."), code="not_an_object")
    unknown = sorted(set(value) - set(LIST_VIEW_FILTERS))
    if unknown:
        raise ValidationError(_("Unknown filters: %(names)s."), code="unknown_filters",
                              params={"names": ", ".join(unknown)})
    wrong = sorted(name for name, item in value.items() if not LIST_VIEW_FILTERS[name](item))
    if wrong:
        raise ValidationError(_("Filters with a value that is not valid: %(names)s."), code="invalid_filters",
                              params={"names": ", ".join(wrong)})


class SavedListView(models.Model):
    """Filters of the customer list that a user saved under a name, to apply again later.

    A view belongs to one user; nobody else sees or changes it (customers.permissions:
    `list_views_restrict`). Its name is unique for its owner whatever the letter case.
    `filters` holds the list form's own fields (LIST_VIEW_FILTERS), never an exact-lookup
    search term.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("owner"))
    name = models.CharField(_("name"), max_length=LIST_VIEW_NAME_MAX_LENGTH)
    filters = models.JSONField(_("filters"), default=dict, blank=True,
                               validators=[validate_list_view_filters])
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("saved list view")
        verbose_name_plural = _("saved list views")
        constraints = [
            models.UniqueConstraint(
                models.F("owner"), Lower("name"), name="customers_savedlistview_owner_name_uniq",
                violation_error_message=_("You already have a view with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name
