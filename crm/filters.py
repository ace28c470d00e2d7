"""Filter pieces every app's FilterSets share."""

from __future__ import annotations

import django_filters
from django import forms

# The largest value of a PostgreSQL bigint (every primary key): a larger id would fail in SQL.
MAX_BIGINT = 2**63 - 1


class IntegerFilter(django_filters.NumberFilter):
    """An exact integer (the stock NumberFilter accepts decimals and any size).

    Give it `min_value` and `max_value`: a value out of bounds is a field error (400 in the
    API, a form error on pages), never a database error.
    """

    field_class = forms.IntegerField


class IdFilter(IntegerFilter):
    """A primary key: a whole number from 1 to MAX_BIGINT."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_BIGINT)
        super().__init__(*args, **kwargs)


__all__ = ["MAX_BIGINT", "IdFilter", "IntegerFilter"]
