"""One FilterSet for the audit trail, shared by the browser page and the API.

Every filter is served by an index of `AuditEvent` (see its Meta). The customer filter also
finds `pii.revealed` events that list the customer among the records they showed.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance import labels
from compliance.audit import ACTION_PATTERN
from compliance.forms import AuditEventFilterForm
from compliance.models import AuditEvent
from compliance.selectors import CUSTOMER_OBJECT_TYPE, customer_events_q
from crm.filters import MAX_BIGINT, IntegerFilter


class CustomerNumberField(forms.CharField):
    """A customer number, cleaned to the customer's internal id (what events store)."""

    def clean(self, value):
        number = super().clean(value)
        if not number:
            return None
        found = labels.find_object(CUSTOMER_OBJECT_TYPE, number)
        if found is None:
            raise ValidationError(_("No customer has this number."), code="unknown_customer")
        return int(found)


class CustomerNumberFilter(django_filters.Filter):
    field_class = CustomerNumberField


def _start_of_day(day: datetime.date) -> datetime.datetime:
    # Dates are the bank's calendar days, not UTC ones.
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AuditEventFilterSet(django_filters.FilterSet):
    actor = django_filters.CharFilter(
        label=_("Actor (username)"), field_name="actor_username", max_length=150
    )
    customer = IntegerFilter(
        label=_("Customer id"), method="filter_customer", min_value=1, max_value=MAX_BIGINT
    )
    # Free text in the `<noun>.<verb>` shape rather than a fixed choice: apps record actions of
    # their own, and each must be searchable. The page suggests the known ones (AuditAction).
    action = django_filters.CharFilter(
        label=_("Action"),
        max_length=64,
        validators=[
            RegexValidator(ACTION_PATTERN, _("Enter an action such as customer.updated."))
        ],
        widget=forms.TextInput(attrs={"list": "audit-action-choices", "autocomplete": "off"}),
    )
    date_from = django_filters.DateFilter(
        label=_("From"), method="filter_date_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label=_("To"), method="filter_date_to", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEvent
        fields = ["actor", "customer", "action", "date_from", "date_to"]
        form = AuditEventFilterForm

    def filter_customer(self, queryset, name, value):
        return queryset.filter(customer_events_q(value))

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(occurred_at__gte=_start_of_day(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(occurred_at__lt=_start_of_day(value + datetime.timedelta(days=1)))

    def audit_extra(self, *, channel: str) -> dict:
        """What the `audit.searched` event records about this search: filter names and ids.

        Call after validation. The actor filter and dates are named but their values are
        not kept: the event says how the trail was searched, in ids only.
        """
        data = self.form.cleaned_data
        used = sorted(name for name in self.filters if data.get(name) not in (None, ""))
        extra: dict = {"channel": channel, "filters": used}
        if data.get("customer"):
            extra["customer_id"] = data["customer"]
        if data.get("action"):
            extra["action"] = data["action"]
        return extra


class AuditEventPageFilterSet(AuditEventFilterSet):
    """The browser page's filters: people search by customer number (the API by id)."""

    customer = CustomerNumberFilter(label=_("Customer number"), method="filter_customer", max_length=32)
