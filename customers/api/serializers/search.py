"""Searching customers with the term in the body."""

from __future__ import annotations

from rest_framework import serializers

from customers.api.serializers.common import StrictInputSerializer


class CustomerSearchInputSerializer(StrictInputSerializer):
    """A search term sent in the body, so an exact phone, e-mail or ID never appears in a URL."""

    q = serializers.CharField(max_length=200)
