"""Pieces every customers API serializer shares.

Output: every sensitive value goes through compliance.access.RecordView, built for a whole
page at once (`RecordDisplays.for_records`). A sensitive field is its value when the caller
may see it in clear and its mask otherwise; `masked_fields` names the ones masked. What is
clear for whom is the trust layer's rule (customers.trust), never decided here.

Input: every field is validated with field-level errors (phone, e-mail and ID numbers must
normalise as the blind indexes need; dates, decimals, choices; branch and relationship
manager must exist); the services then validate the model as a whole.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from compliance.access import DisplayValue, RecordView
from compliance.normalise import normalise
from crm.models import Branch
from crm.roles import Role


class RecordDisplays:
    """Sensitive values of a page of records (customers, holdings, needs...) as one user may
    see them.

    Built once per page (one RecordView call for all rows); each value is read, masked or
    noted for the audit at most once however many fields refer to it.
    """

    def __init__(self, views: Iterable[RecordView]):
        self._views = {view.obj.pk: view for view in views}
        self._values: dict[tuple[int, str], DisplayValue] = {}

    @classmethod
    def for_records(cls, user, records: Iterable[models.Model]) -> RecordDisplays:
        return cls(RecordView.for_objects(user, records))

    for_customers = for_records

    def view(self, pk: int) -> RecordView:
        return self._views[pk]

    def get(self, pk: int, name: str) -> DisplayValue:
        key = (pk, name)
        if key not in self._values:
            self._values[key] = self._views[pk].field(name)
        return self._values[key]

    def output(self, pk: int, name: str) -> str | None:
        """The value as the API shows it: clear text, masked text, or None when empty or
        unreadable (the stored value cannot be decrypted; `unreadable` names those)."""
        shown = self.get(pk, name)
        if shown.unreadable or (not shown.masked and shown.value is None):
            return None
        return shown.text

    def masked(self, pk: int, names: Iterable[str]) -> list[str]:
        return [name for name in names if self.get(pk, name).masked]

    def unreadable(self, pk: int, names: Iterable[str]) -> list[str]:
        return [name for name in names if self.get(pk, name).unreadable]


SENSITIVE_HELP = _(
    "The value in clear if you may see it, otherwise masked (see masked_fields); null when "
    "empty, or when the stored value cannot be decrypted (see unreadable_fields)."
)
MASKED_FIELDS_HELP = _("The sensitive fields of this object shown masked rather than in clear.")
UNREADABLE_FIELDS_HELP = _(
    "The sensitive fields of this object whose stored value cannot be decrypted (damaged or "
    "moved in the database): shown as null, reported to operations. Usually empty."
)


@extend_schema_field({"type": "string", "nullable": True, "readOnly": True})
class SensitiveValueField(serializers.Field):
    """A customer's sensitive field read through the page's RecordDisplays (context "displays").

    Works on the customer and on its profiles, whose primary key is the customer's.
    """

    def __init__(self, *, sensitive: str, **kwargs):
        self.sensitive = sensitive
        kwargs.update(source="*", read_only=True)
        kwargs.setdefault("help_text", SENSITIVE_HELP)
        super().__init__(**kwargs)

    def to_representation(self, instance):
        return self.context["displays"].output(instance.pk, self.sensitive)


class MaskedFieldsField(serializers.ListField):
    """Names of the object's sensitive fields shown masked."""

    def __init__(self, **kwargs):
        kwargs.update(child=serializers.CharField(), read_only=True, source="*",
                      help_text=MASKED_FIELDS_HELP)
        super().__init__(**kwargs)


class BranchSummaryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class StaffSummaryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


INVALID_MESSAGES = {
    "phone": _("Enter a valid phone number."),
    "email": _("Enter a valid e-mail address."),
    "national_id": _("Enter a valid ID number."),
    "account_number": _("Enter an account number made of digits."),
}


def model_max_length(model: type[models.Model], name: str) -> int | None:
    """The `max_length` of `model`'s field `name`: the one limit every surface applies (the
    model validates it in full_clean(); forms and serializers repeat it to answer early)."""
    return model._meta.get_field(name).max_length


class StrictInputSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a misspelt or read-only field is an error, not
    ignored, and a JSON number, boolean, list or object where text is expected (DRF's
    CharField would turn 1e400 into "inf")."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("This field cannot be set here.")] for name in unknown}
                )
            not_text = {
                name: [_("Enter text, not a number or another JSON type.")]
                for name, field in self.fields.items()
                if isinstance(field, serializers.CharField) and not field.read_only
                and data.get(name) is not None and not isinstance(data.get(name), str)
            }
            if not_text:
                raise serializers.ValidationError(not_text)
        return super().to_internal_value(data)


class StrictInputSchema(OpenApiSerializerExtension):
    """Says in the OpenAPI document what StrictInputSerializer does: no other field is taken."""

    target_class = StrictInputSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["additionalProperties"] = False
        note = str(_("A field not listed here is refused with 400 and a field error."))
        schema["description"] = f"{schema['description']}\n\n{note}" if schema.get("description") else note
        return schema


class NormalisedField(serializers.CharField):
    """Text that must normalise for `kind` (compliance.normalise); stored in normalised form,
    so the value and its blind index always agree. Blank becomes None."""

    def __init__(self, *, kind: str, **kwargs):
        self.kind = kind
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("max_length", 320)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        if not text.strip():
            return None
        try:
            return normalise(text, self.kind)
        except ValueError:
            raise serializers.ValidationError(
                INVALID_MESSAGES[self.kind], code=f"invalid_{self.kind}"
            ) from None


class OptionalTextField(serializers.CharField):
    """Optional free text; blank and null become None (the encrypted columns are nullable)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        return text or None


def not_in_future(value: datetime.date) -> datetime.date:
    if value > timezone.localdate():
        raise serializers.ValidationError(_("The date cannot be in the future."))
    return value


def plausible_birth_date(value: datetime.date) -> datetime.date:
    not_in_future(value)
    if value < datetime.date(1900, 1, 1):
        raise serializers.ValidationError(_("Enter a date of birth after 1900."))
    return value


@extend_schema_field(OpenApiTypes.INT)
class ActiveRelationshipManagerField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return get_user_model().objects.filter(
            is_active=True, groups__name=Role.RELATIONSHIP_MANAGER.value
        ).distinct()


@extend_schema_field(OpenApiTypes.INT)
class ActiveBranchField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Branch.objects.filter(is_active=True)
