"""One FilterSet for customers, shared by the browser list and the API.

Filters only on columns that are in clear and indexed; sensitive values are never filter
criteria here (exact lookups by phone, e-mail or ID number go through `q`, which uses the
blind indexes). The queryset it receives is already restricted to what the user may see.
"""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.filters import IdFilter, IntegerFilter
from customers.models import (
    Customer,
    CustomerKind,
    CustomerStatus,
    Holding,
    HoldingStatus,
    Need,
    NeedStatus,
    ProductType,
    Segment,
)
from customers.selectors import NAME_PREFIX_ORDERING, customer_match, is_name_prefix_match

# About ten years: any older contact counts as none; a larger number would overflow a date.
MAX_NOT_CONTACTED_DAYS = 3650

ORDERING = {
    "name": ("display_name", "pk"),
    "-name": ("-display_name", "-pk"),
    "number": ("number",),
    "-number": ("-number",),
    "last_contact": ("last_contact_at", "pk"),
    "-last_contact": ("-last_contact_at", "-pk"),
    "since": ("since", "pk"),
    "-since": ("-since", "-pk"),
    "segment": ("segment", "display_name", "pk"),
}
# The orderings a cursor can page through: each on columns that are never null, ending in a
# unique one (the API's lists); the last contact may be null and the segment is not unique.
CURSOR_ORDERING = {
    name: ORDERING[name] for name in ("name", "-name", "number", "-number", "since", "-since")
}


class CustomerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="filter_search",
        help_text=_("Name, customer number, or an exact phone, e-mail or ID number."),
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=CustomerKind.choices)
    segment = django_filters.MultipleChoiceFilter(label=_("Segment"), choices=Segment.choices)
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=CustomerStatus.choices)
    home_branch = IdFilter(label=_("Branch"), field_name="home_branch_id")
    relationship_manager = IdFilter(label=_("Relationship manager"), field_name="relationship_manager_id")
    not_contacted_days = IntegerFilter(
        label=_("Not contacted for (days)"), method="filter_not_contacted",
        min_value=0, max_value=MAX_NOT_CONTACTED_DAYS,
    )
    contacted_since = django_filters.DateFilter(
        label=_("Contacted since"), field_name="last_contact_at", lookup_expr="date__gte"
    )
    holding = django_filters.ChoiceFilter(
        label=_("Holds product"), choices=ProductType.choices, method="filter_holding"
    )
    open_needs = django_filters.BooleanFilter(
        label=_("Has open needs"), method="filter_open_needs",
        help_text=_("Customers with a need still open or in progress (or, if false, none)."),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort"), method="filter_sort",
        choices=[(key, key) for key in ORDERING], empty_label=None,
    )

    class Meta:
        model = Customer
        fields = ["q", "kind", "segment", "status", "home_branch", "relationship_manager"]

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor

    def filter_search(self, queryset, name, value):
        if not value.strip():
            return queryset
        # The queryset is already restricted to what the actor may see.
        return customer_match(queryset, value)

    def filter_not_contacted(self, queryset, name, value):
        cutoff = timezone.now() - datetime.timedelta(days=int(value))
        return queryset.filter(Q(last_contact_at__lt=cutoff) | Q(last_contact_at__isnull=True))

    def filter_holding(self, queryset, name, value):
        return queryset.filter(
            Exists(Holding.objects.filter(customer=OuterRef("pk"), product_type=value,
                                          status=HoldingStatus.ACTIVE))
        )

    def filter_open_needs(self, queryset, name, value):
        if value is None:
            return queryset
        open_need = Exists(Need.objects.filter(
            customer=OuterRef("pk"), status__in=[NeedStatus.OPEN, NeedStatus.IN_PROGRESS]))
        return queryset.filter(open_need if value else ~open_need)

    def filter_sort(self, queryset, name, value):
        if value in NAME_PREFIX_ORDERING and is_name_prefix_match(queryset):
            return queryset.order_by(*NAME_PREFIX_ORDERING[value])
        return queryset.order_by(*ORDERING.get(value, ORDERING["name"]))


class CustomerCursorFilterSet(CustomerFilterSet):
    """The same filters for the API, whose cursor pages offer only CURSOR_ORDERING."""

    sort = django_filters.ChoiceFilter(
        label=_("Sort"), method="filter_sort",
        choices=[(key, key) for key in CURSOR_ORDERING], empty_label=None,
    )
