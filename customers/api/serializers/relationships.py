"""Relationships between customers, seen from the customer in the URL."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.models import RelationshipKind

ANOTHER_CUSTOMER = _("Another customer")


class RelatedCustomerOutputSerializer(serializers.Serializer):
    """The customer at the other end; id and number are null when the caller may not see it."""

    id = serializers.IntegerField(allow_null=True)
    number = serializers.CharField(allow_null=True)
    display_name = serializers.CharField()


class RelationshipOutputSerializer(serializers.Serializer):
    """A relationship seen from the customer in the URL.

    `outgoing`: this customer is `kind` of the related one (a director of the company);
    `incoming`: the related customer is `kind` of this one.
    """

    id = serializers.IntegerField()
    direction = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=RelationshipKind.choices)
    role = serializers.CharField()
    share_percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    related_customer = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=["outgoing", "incoming"]))
    def get_direction(self, relationship) -> str:
        return "outgoing" if relationship.from_customer_id == self.context["customer_id"] else "incoming"

    @extend_schema_field(RelatedCustomerOutputSerializer())
    def get_related_customer(self, relationship) -> dict:
        other = (
            relationship.to_customer
            if relationship.from_customer_id == self.context["customer_id"]
            else relationship.from_customer
        )
        if other.pk in self.context["visible_ids"]:
            return {"id": other.pk, "number": other.number, "display_name": other.display_name}
        return {"id": None, "number": None, "display_name": str(ANOTHER_CUSTOMER)}
