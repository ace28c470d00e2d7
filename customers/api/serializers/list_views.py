"""Saved list views in the API: a name and the customer list's filters, the caller's own."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from customers.models import SavedListView

FILTERS_HELP = _(
    "The customer list's filters by name: kind, segment (list), status (list), home_branch, "
    "relationship_manager, not_contacted_days, holding, open_needs (true or false), sort, size and "
    "q (a name search only, never an exact phone, e-mail, ID, card or customer number)."
)


class ListViewInputSerializer(serializers.Serializer):
    # Names are checked by the service (tidied, not empty, at most 60 characters, unique for
    # the caller), so the API and the browser give the same messages.
    name = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=1000)
    filters = serializers.DictField(required=False, help_text=FILTERS_HELP)


class ListViewOutputSerializer(serializers.ModelSerializer):
    filters = serializers.DictField(help_text=FILTERS_HELP)

    class Meta:
        model = SavedListView
        fields = ["id", "name", "filters", "created_at", "updated_at"]
