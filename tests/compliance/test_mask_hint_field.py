"""MaskHintField and the masks read without decryption, exercised without a database.

The sample model lives in a private app registry, as in test_fields.py.
"""

from __future__ import annotations

import datetime
import decimal

import pytest
from django.apps.registry import Apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from django.db.models import F

from compliance.crypto import generate_key
from compliance.fields import (
    Ciphertext,
    EncryptedDateField,
    EncryptedDecimalField,
    EncryptedField,
    EncryptedTextField,
    MaskHintField,
    mask_hint_for,
    set_mask_hints,
    stored_mask,
)

sample_apps = Apps(installed_apps=())


class HintedSample(models.Model):
    phone = EncryptedTextField(null=True, blank=True)
    phone_mask = MaskHintField(source="phone", kind="phone")
    email = EncryptedTextField(null=True, blank=True)
    email_mask = MaskHintField(source="email", kind="email")
    notes = EncryptedTextField(null=True, blank=True)
    born_on = EncryptedDateField(null=True, blank=True)
    income = EncryptedDecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    label = models.CharField(max_length=40, blank=True)

    class Meta:
        apps = sample_apps
        app_label = "compliance"
        managed = False

    def __str__(self) -> str:
        return f"Sample {self.pk}"


class HintedChild(models.Model):
    parent = models.ForeignKey(HintedSample, null=True, on_delete=models.CASCADE)

    class Meta:
        apps = sample_apps
        app_label = "compliance"
        managed = False

    def __str__(self) -> str:
        return f"Child {self.pk}"


@pytest.fixture(autouse=True)
def keys(settings):
    settings.FIELD_ENCRYPTION_KEYS = [f"k1:{generate_key()}"]
    settings.BLIND_INDEX_KEY = generate_key()
    return settings


def field(name: str) -> models.Field:
    return HintedSample._meta.get_field(name)


def load(**stored: object) -> HintedSample:
    """An instance as a query builds it: encrypted columns hold unread tokens."""
    names, values = [], []
    for item in HintedSample._meta.concrete_fields:
        names.append(item.attname)
        raw = 1 if item.primary_key else stored.get(item.attname)
        if isinstance(item, EncryptedField) and raw is not None:
            raw = Ciphertext(item.encrypt_value(raw))
        values.append(raw)
    return HintedSample.from_db("default", names, values)


def saved_hint(instance: models.Model, name: str, *, add: bool = False) -> object:
    item = field(name)
    return item.get_db_prep_save(item.pre_save(instance, add), connection)


class TestPreSave:
    @pytest.mark.parametrize(
        ("name", "value", "expected"),
        [
            ("phone_mask", "+86 138 0013 8000", "138****8000"),
            ("email_mask", "wei.zhang@example.cn", "w***@example.cn"),
        ],
    )
    def test_an_assigned_source_is_masked_on_save(self, name, value, expected):
        instance = HintedSample(**{field(name).source: value})

        assert saved_hint(instance, name, add=True) == expected
        assert getattr(instance, name) == expected

    def test_an_unread_source_keeps_the_stored_hint_without_decrypting(self, decryption_log):
        instance = load(phone="13800138000", phone_mask="stored")

        assert saved_hint(instance, "phone_mask") == "stored"
        assert decryption_log == []

    def test_a_read_source_is_masked_again(self):
        instance = load(phone="13800138000", phone_mask="stale")
        assert instance.phone == "13800138000"

        assert saved_hint(instance, "phone_mask") == "138****8000"

    def test_a_changed_source_is_masked_again(self):
        instance = load(phone="13800138000", phone_mask="138****8000")

        instance.phone = "+86 139 1234 5678"

        assert saved_hint(instance, "phone_mask") == "139****5678"

    @pytest.mark.parametrize("value", ["", None])
    def test_a_cleared_source_gives_an_empty_hint(self, value):
        instance = load(email="li@example.cn", email_mask="l***@example.cn")

        instance.email = value

        assert saved_hint(instance, "email_mask") == ""

    def test_the_hint_is_the_same_whichever_field_is_saved_first(self):
        instance = HintedSample(phone="13800138000")

        field("phone").pre_save(instance, True)

        assert saved_hint(instance, "phone_mask", add=True) == "138****8000"

    def test_an_expression_assigned_to_the_source_keeps_the_hint(self):
        instance = load(phone="13800138000", phone_mask="138****8000")

        instance.phone = F("email")

        assert saved_hint(instance, "phone_mask") == "138****8000"


class TestChecks:
    def test_the_sample_passes_its_checks_but_the_record_key(self):
        # The sample binds its values to their column only, as rows written before binding did.
        errors = {error.id for item in HintedSample._meta.fields for error in item.check()}
        assert errors == {"compliance.E006"}

    def test_a_missing_source_is_an_error(self):
        model = type("MissingHintSource", (models.Model,), {
            "__module__": __name__,
            "Meta": type("Meta", (), {"apps": Apps(installed_apps=()), "app_label": "compliance"}),
            "phone_mask": MaskHintField(source="phone", kind="phone"),
        })

        (error,) = model._meta.get_field("phone_mask").check()

        assert (error.id, error.msg) == (
            "compliance.E004", "MaskHintField source 'phone' is not a field of compliance.MissingHintSource."
        )


class TestHelpers:
    def test_mask_hint_for_names_the_hint_of_a_value_written_without_pre_save(self):
        assert mask_hint_for(HintedSample, "email", "li.na@example.com") == "l***@example.com"
        assert mask_hint_for(HintedSample, "phone", None) == ""

    def test_mask_hint_for_a_field_without_a_hint_is_a_lookup_error(self):
        with pytest.raises(LookupError, match=r"compliance\.HintedSample\.notes has 0 mask hint columns"):
            mask_hint_for(HintedSample, "notes", "x")

    def test_set_mask_hints_assigns_the_hints_of_a_token_written_directly(self, decryption_log):
        instance = load(phone_mask="")
        instance.phone = Ciphertext(field("phone").encrypt_value("13800138000"))

        names = set_mask_hints(instance, "phone", "13800138000")

        assert names == ["phone_mask"]
        assert saved_hint(instance, "phone_mask") == "138****8000"
        assert set_mask_hints(instance, "notes", "x") == []
        assert decryption_log == []


class TestStoredMask:
    def test_dates_and_amounts_mask_by_presence_alone(self, decryption_log):
        instance = load(born_on=datetime.date(1980, 1, 2), income=decimal.Decimal("1.00"))

        assert stored_mask(instance, "born_on", "date") == "****-**-**"
        assert stored_mask(instance, "income", "amount") == "******"
        assert decryption_log == []

    def test_null_columns_mask_to_empty(self):
        instance = load()

        columns = (("born_on", "date"), ("income", "amount"), ("notes", "text"), ("phone", "phone"))

        assert [stored_mask(instance, name, kind) for name, kind in columns] == [""] * 4

    def test_plain_and_already_read_values_are_masked_as_they_are(self):
        instance = load(notes="Room 1801")
        instance.label = "Private banking desk"
        assert instance.notes == "Room 1801"

        assert stored_mask(instance, "label", "text") == "****"
        assert stored_mask(instance, "notes", "text") == "****"

    def test_a_missing_related_record_masks_to_empty(self):
        assert stored_mask(HintedChild(), "parent.income", "amount") == ""

    def test_unread_free_text_masks_by_presence_alone(self, decryption_log):
        for stored, expected in (("Room 1801, 88 Century Avenue", "****"), ("  ", "****"), ("", "")):
            instance = load(notes=stored)

            assert stored_mask(instance, "notes", "text") == expected, stored
            assert stored_mask(instance, "notes", "amount") == ("******" if stored else ""), stored
        assert decryption_log == []

    def test_an_unread_text_whose_token_is_malformed_still_masks_as_a_value(self):
        instance = HintedSample.from_db("default", ["id", "notes"], [1, Ciphertext("v1:k1:not-a-token")])

        assert stored_mask(instance, "notes", "text") == "****"

    @pytest.mark.parametrize(("name", "kind"), [("notes", "last4"), ("email", "email"), ("phone", "phone")])
    def test_an_unread_value_the_mask_depends_on_needs_a_hint(self, name, kind, decryption_log):
        instance = load(**{name: "13800138000"})

        with pytest.raises(ImproperlyConfigured, match=rf"compliance\.HintedSample\.{name} is masked as"):
            stored_mask(instance, name, kind)
        assert decryption_log == []
