"""Encrypted model fields and blind indexes, exercised without a database.

The sample models live in a private app registry so they never reach migrations or the
project's model list; ``encrypted_fields()`` is tested with a model registered globally for
the length of one test.
"""

from __future__ import annotations

import datetime
import decimal
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django import forms
from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.core.exceptions import FieldError, ValidationError
from django.db import connection, models
from django.db.models.lookups import IsNull
from django.utils.module_loading import import_string
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from compliance.crypto import (
    DecryptionError,
    DecryptionFailure,
    blind_index,
    decrypt,
    encrypt,
    generate_key,
    key_id_of,
)
from compliance.fields import (
    BlindIndexField,
    Ciphertext,
    EncryptedDateField,
    EncryptedDecimalField,
    EncryptedField,
    EncryptedTextField,
    MaskHintField,
    RecordKeyField,
    blind_index_fields,
    encrypted_fields,
    mask_hint_fields,
)
from compliance.fields import encrypted as encrypted_module
from compliance.normalise import NormalisableValidator

sample_apps = Apps(installed_apps=())


class EncryptedSample(models.Model):
    notes = EncryptedTextField(null=True, blank=True)
    phone = EncryptedTextField(
        max_length=32, blank=True, default="", validators=[NormalisableValidator("phone")]
    )
    phone_index = BlindIndexField(source="phone", kind="phone")
    birth_date = EncryptedDateField(null=True, blank=True)
    income = EncryptedDecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        apps = sample_apps
        app_label = "compliance"
        managed = False

    def __str__(self) -> str:
        return f"Sample {self.pk}"


property_test = hypothesis_settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)


@pytest.fixture
def key():
    return generate_key()


@pytest.fixture(autouse=True)
def keys(settings, key):
    settings.FIELD_ENCRYPTION_KEYS = [f"k1:{key}"]
    settings.BLIND_INDEX_KEY = generate_key()
    settings.BANK_PHONE_REGION = "CN"
    return settings


@pytest.fixture
def decryptions(monkeypatch):
    """Count the calls the encrypted fields make to compliance.crypto.decrypt."""
    calls: list[str] = []

    def counting_decrypt(token, *, context, identity="", row=None):
        calls.append(context)
        return decrypt(token, context=context, identity=identity, row=row)

    monkeypatch.setattr(encrypted_module, "decrypt", counting_decrypt)
    return calls


def field(name: str) -> models.Field:
    return EncryptedSample._meta.get_field(name)


def token_for(name: str, value: object) -> str:
    return field(name).encrypt_value(value)


def load(pk: int = 1, **stored: object) -> EncryptedSample:
    """Build an instance as a query would, from column values as the database holds them."""
    names = [f.attname for f in EncryptedSample._meta.concrete_fields]
    values = []
    for model_field in EncryptedSample._meta.concrete_fields:
        raw = pk if model_field.primary_key else stored.get(model_field.attname)
        values.append(
            model_field.from_db_value(raw, None, connection)
            if raw is not None and isinstance(model_field, EncryptedField)
            else raw
        )
    return EncryptedSample.from_db("default", names, values)


def saved_value(instance: models.Model, name: str, *, add: bool = False) -> object:
    """What Model.save() would send to the database for one column."""
    model_field = field(name)
    return model_field.get_db_prep_save(model_field.pre_save(instance, add), connection)


def sample_model(name: str, **model_fields: models.Field) -> type[models.Model]:
    meta = type("Meta", (), {"apps": Apps(installed_apps=()), "app_label": "compliance"})
    model_fields.setdefault("record_key", RecordKeyField())
    return type(name, (models.Model,), {"__module__": __name__, "Meta": meta, **model_fields})


class TestDeconstruct:
    @pytest.mark.parametrize(
        ("instance", "expected_kwargs"),
        [
            (EncryptedTextField(), {}),
            (EncryptedTextField(null=True, max_length=32), {"null": True, "max_length": 32}),
            (EncryptedTextField(encryption_context="crm.old.notes"), {"encryption_context": "crm.old.notes"}),
            (EncryptedDateField(null=True), {"null": True}),
            (
                EncryptedDecimalField(max_digits=12, decimal_places=2),
                {"max_digits": 12, "decimal_places": 2},
            ),
            (BlindIndexField(source="phone", kind="phone"), {"source": "phone", "kind": "phone"}),
            (
                BlindIndexField(source="email", kind="email", db_index=False, unique=True),
                {"source": "email", "kind": "email", "db_index": False, "unique": True},
            ),
            (MaskHintField(source="phone", kind="phone"), {"source": "phone", "kind": "phone"}),
            (
                MaskHintField(source="notes", kind="text", max_length=40),
                {"source": "notes", "kind": "text", "max_length": 40},
            ),
        ],
    )
    def test_round_trips_through_its_own_arguments(self, instance, expected_kwargs):
        name, path, args, kwargs = instance.deconstruct()

        rebuilt = import_string(path)(*args, **kwargs)

        assert path == f"compliance.fields.{type(instance).__name__}"
        assert args == []
        assert kwargs == expected_kwargs
        assert rebuilt.deconstruct() == (name, path, args, kwargs)

    def test_blind_index_defaults_are_a_64_char_indexed_non_editable_column(self):
        index = BlindIndexField(source="phone", kind="phone")

        assert (index.max_length, index.db_index, index.editable, index.blank) == (64, True, False, True)
        assert index.db_type(connection) == "varchar(64)"

    def test_blind_index_refuses_an_unknown_kind(self):
        with pytest.raises(ValueError, match="passport"):
            BlindIndexField(source="passport_number", kind="passport")

    def test_mask_hint_defaults_are_an_unlimited_non_editable_unindexed_column(self):
        hint = MaskHintField(source="email", kind="email")

        assert (hint.max_length, hint.db_index, hint.editable, hint.blank) == (None, False, False, True)
        assert hint.db_type(connection) == "varchar"

    def test_mask_hint_refuses_a_kind_that_is_not_a_mask(self):
        with pytest.raises(ValueError, match="Unknown mask hint kind 'national_id'"):
            MaskHintField(source="id_number", kind="national_id")

    def test_attached_fields_deconstruct_with_their_name(self):
        name, path, _args, kwargs = field("income").deconstruct()

        assert (name, path, kwargs) == (
            "income",
            "compliance.fields.EncryptedDecimalField",
            {"max_digits": 12, "decimal_places": 2, "null": True, "blank": True},
        )


class TestColumn:
    @pytest.mark.parametrize("name", ["notes", "phone", "birth_date", "income"])
    def test_every_encrypted_field_is_a_text_column(self, name):
        assert field(name).db_type(connection) == "text"
        assert field(name).get_internal_type() == "TextField"

    def test_context_is_app_label_model_and_field(self):
        assert field("phone").encryption_context == "compliance.encryptedsample.phone"

    def test_an_unattached_field_cannot_encrypt(self):
        with pytest.raises(FieldError, match="must be attached to a model"):
            EncryptedTextField().get_prep_value("13800138000")

    def test_an_unattached_field_with_an_explicit_context_encrypts_for_it(self):
        token = EncryptedTextField(encryption_context="crm.old.notes").get_prep_value("x")

        assert decrypt(token, context="crm.old.notes") == "x"

    def test_form_fields_match_the_python_type(self):
        assert isinstance(field("notes").formfield(), forms.CharField)
        assert field("phone").formfield().max_length == 32
        assert isinstance(field("birth_date").formfield(), forms.DateField)
        income = field("income").formfield()
        assert isinstance(income, forms.DecimalField)
        assert (income.max_digits, income.decimal_places) == (12, 2)

    def test_date_field_adds_no_get_next_by_method(self):
        model = sample_model("DatedSample", opened_on=EncryptedDateField())

        assert not hasattr(model, "get_next_by_opened_on")

    def test_date_field_refuses_auto_now(self):
        with pytest.raises(TypeError, match="auto_now"):
            EncryptedDateField(auto_now=True)


class TestGetPrepValue:
    def test_text_becomes_a_token_for_its_column(self):
        token = field("notes").get_prep_value("Prefers morning calls")

        assert key_id_of(token) == "k1"
        assert decrypt(token, context="compliance.encryptedsample.notes") == "Prefers morning calls"

    def test_none_stays_null(self):
        assert field("notes").get_prep_value(None) is None

    def test_a_ciphertext_is_stored_as_its_own_token(self):
        token = token_for("notes", "x")

        assert field("notes").get_prep_value(Ciphertext(token)) == token

    def test_a_string_that_looks_like_a_token_is_still_plaintext(self):
        token = token_for("notes", "x")

        stored = field("notes").get_prep_value(token)

        assert stored != token
        assert field("notes").decrypt_value(stored) == token

    @property_test
    @given(st.text())
    def test_text_round_trips(self, value):
        assert field("notes").decrypt_value(token_for("notes", value)) == value

    @property_test
    @given(st.dates())
    def test_dates_round_trip(self, value):
        restored = field("birth_date").decrypt_value(token_for("birth_date", value))

        assert restored == value
        assert type(restored) is datetime.date

    def test_date_strings_are_parsed(self):
        token = token_for("birth_date", "1990-02-28")

        assert field("birth_date").decrypt_value(token) == datetime.date(1990, 2, 28)

    @property_test
    @given(
        st.decimals(
            min_value=decimal.Decimal("-9999999999.99"),
            max_value=decimal.Decimal("9999999999.99"),
            places=2,
            allow_nan=False,
            allow_infinity=False,
        )
    )
    def test_decimals_round_trip_exactly(self, value):
        restored = field("income").decrypt_value(token_for("income", value))

        assert restored == value
        assert type(restored) is decimal.Decimal
        assert restored.as_tuple().exponent == -2

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (decimal.Decimal("12.3"), "12.30"),
            (decimal.Decimal("7"), "7.00"),
            (decimal.Decimal("1.005"), "1.00"),
            (decimal.Decimal("1.015"), "1.02"),
            (decimal.Decimal("-0.125"), "-0.12"),
            (decimal.Decimal("1E+3"), "1000.00"),
            ("42.5", "42.50"),
            (3, "3.00"),
        ],
    )
    def test_decimals_are_quantised_half_even(self, value, expected):
        restored = field("income").decrypt_value(token_for("income", value))

        assert str(restored) == expected

    def test_a_float_is_refused(self):
        with pytest.raises(TypeError, match="not a float"):
            field("income").get_prep_value(0.1)

    def test_too_many_digits_are_refused(self):
        with pytest.raises(ValueError, match="more than 12 digits"):
            field("income").get_prep_value(decimal.Decimal("12345678901.00"))


class TestLazyDecryption:
    def test_loading_keeps_the_token_and_decrypts_nothing(self, decryptions):
        token = token_for("notes", "Owns two flats")

        instance = load(notes=token)

        assert instance.__dict__["notes"] == Ciphertext(token)
        assert not instance.__dict__["notes"].is_revealed
        assert decryptions == []

    def test_first_read_decrypts_once_and_caches(self, decryptions):
        instance = load(notes=token_for("notes", "Owns two flats"))

        assert instance.notes == "Owns two flats"
        assert instance.notes == "Owns two flats"
        assert decryptions == ["compliance.encryptedsample.notes"]

    def test_each_field_type_reads_back_its_python_type(self):
        instance = load(
            birth_date=token_for("birth_date", datetime.date(1985, 6, 1)),
            income=token_for("income", decimal.Decimal("250000.5")),
        )

        assert instance.birth_date == datetime.date(1985, 6, 1)
        assert instance.income == decimal.Decimal("250000.50")
        assert instance.notes is None

    def test_saving_an_unread_value_writes_the_same_token_without_decrypting(self, decryptions):
        token = token_for("notes", "Owns two flats")
        instance = load(notes=token)

        assert saved_value(instance, "notes") == token
        assert decryptions == []

    def test_saving_a_read_but_unchanged_value_keeps_the_token(self):
        token = token_for("notes", "Owns two flats")
        instance = load(notes=token)
        assert instance.notes == "Owns two flats"

        instance.notes = "Owns two flats"

        assert saved_value(instance, "notes") == token

    def test_clean_fields_does_not_cause_re_encryption(self):
        tokens = {
            "phone": token_for("phone", "13800138000"),
            "birth_date": token_for("birth_date", datetime.date(1985, 6, 1)),
            "income": token_for("income", decimal.Decimal("1.50")),
        }
        instance = load(**tokens, phone_index=blind_index("13800138000", kind="phone"))

        instance.clean_fields()

        assert {name: saved_value(instance, name) for name in tokens} == tokens

    def test_saving_an_assigned_value_encrypts_it_once(self):
        instance = load(notes=token_for("notes", "old"))

        instance.notes = "new"
        first = saved_value(instance, "notes")
        second = saved_value(instance, "notes")

        assert field("notes").decrypt_value(first) == "new"
        assert second == first
        assert instance.notes == "new"

    def test_a_new_instance_holds_plaintext_until_saved(self, decryptions):
        instance = EncryptedSample(notes="Prefers Mandarin", income=decimal.Decimal("10"))

        assert instance.notes == "Prefers Mandarin"
        stored = saved_value(instance, "income", add=True)

        assert field("income").decrypt_value(stored) == decimal.Decimal("10.00")
        assert instance.income == decimal.Decimal("10.00")
        assert decryptions == ["compliance.encryptedsample.income"]

    def test_assigning_none_stores_null(self):
        instance = load(notes=token_for("notes", "x"))

        instance.notes = None

        assert saved_value(instance, "notes") is None

    def test_a_token_from_another_column_fails_naming_the_row(self):
        instance = load(pk=77, notes=token_for("phone", "13800138000"))

        with pytest.raises(DecryptionError) as raised:
            _ = instance.notes

        assert raised.value.reason is DecryptionFailure.AUTHENTICATION
        assert str(raised.value).startswith(
            "Cannot decrypt compliance.encryptedsample.notes (row 77): authentication failed"
        )
        assert "13800138000" not in str(raised.value)

    def test_a_token_under_a_removed_key_fails_naming_the_key(self, settings):
        instance = load(pk=78, notes=token_for("notes", "x"))
        settings.FIELD_ENCRYPTION_KEYS = [f"k2:{generate_key()}"]

        with pytest.raises(DecryptionError) as raised:
            _ = instance.notes

        assert str(raised.value) == (
            "Cannot decrypt compliance.encryptedsample.notes (row 78): unknown key id 'k1': "
            "it is not in FIELD_ENCRYPTION_KEYS."
        )

    def test_a_token_holding_an_invalid_value_is_reported_without_the_value(self):
        instance = load(
            pk=79, birth_date=encrypt("1990-13-45", context="compliance.encryptedsample.birth_date")
        )

        with pytest.raises(DecryptionError) as raised:
            _ = instance.birth_date

        assert raised.value.reason is DecryptionFailure.INVALID_PLAINTEXT
        assert "1990-13-45" not in str(raised.value)

    def test_ciphertext_shows_neither_token_nor_plaintext(self):
        token = token_for("notes", "secret")
        stored = Ciphertext.revealed(token, "secret")

        assert repr(stored) == "<Ciphertext under key 'k1'>"
        assert repr(Ciphertext("garbage")) == "<Ciphertext (malformed)>"

    def test_pickled_ciphertext_keeps_the_token_and_drops_the_plaintext(self):
        token = token_for("notes", "secret")

        # Our own bytes, just produced: nothing untrusted is unpickled.
        copy = pickle.loads(pickle.dumps(Ciphertext.revealed(token, "secret")))  # noqa: S301

        assert copy.token == token
        assert not copy.is_revealed
        with pytest.raises(AttributeError):
            _ = copy.plaintext

    def test_values_style_results_are_ciphertexts_until_decrypted_explicitly(self):
        token = token_for("notes", "x")

        stored = field("notes").from_db_value(token, None, connection)

        assert isinstance(stored, Ciphertext)
        assert field("notes").decrypt_value(stored, row=5) == "x"


class TestValidation:
    def test_plaintext_max_length_is_validated(self):
        instance = EncryptedSample(phone="1" * 33)

        with pytest.raises(ValidationError) as raised:
            instance.clean_fields()

        assert set(raised.value.message_dict) == {"phone"}

    def test_decimal_places_are_validated_like_a_decimal_field(self):
        instance = EncryptedSample(income=decimal.Decimal("1.005"))

        with pytest.raises(ValidationError) as raised:
            instance.clean_fields()

        assert set(raised.value.message_dict) == {"income"}

    def test_source_validator_refuses_what_the_index_cannot_normalise(self):
        instance = EncryptedSample(phone="not a phone")

        with pytest.raises(ValidationError) as raised:
            instance.clean_fields()

        assert raised.value.message_dict == {"phone": ["Enter a valid phone number."]}


class TestBlindIndexField:
    def test_assigned_source_is_indexed_on_save(self):
        instance = EncryptedSample(phone="138-0013-8000")

        stored = saved_value(instance, "phone_index", add=True)

        assert stored == blind_index("+86 138 0013 8000", kind="phone")
        assert instance.phone_index == stored

    def test_unread_source_keeps_the_stored_index_without_decrypting(self, decryptions):
        instance = load(phone=token_for("phone", "13800138000"), phone_index="f" * 64)

        assert saved_value(instance, "phone_index") == "f" * 64
        assert decryptions == []

    def test_read_source_is_reindexed(self):
        instance = load(phone=token_for("phone", "13800138000"), phone_index="f" * 64)
        assert instance.phone == "13800138000"

        assert saved_value(instance, "phone_index") == blind_index("13800138000", kind="phone")

    def test_changed_source_is_reindexed(self):
        instance = load(phone=token_for("phone", "13800138000"), phone_index="f" * 64)

        instance.phone = "+86 139 0000 0000"

        assert saved_value(instance, "phone_index") == blind_index("13900000000", kind="phone")

    def test_index_is_the_same_whichever_field_is_saved_first(self):
        instance = EncryptedSample(phone="13800138000")

        saved_value(instance, "phone", add=True)

        assert saved_value(instance, "phone_index", add=True) == blind_index("13800138000", kind="phone")

    @pytest.mark.parametrize("value", ["", None])
    def test_empty_source_gives_an_empty_index(self, value):
        instance = load(phone=token_for("phone", "13800138000"), phone_index="f" * 64)

        instance.phone = value

        assert saved_value(instance, "phone_index") == ""

    def test_an_unnormalisable_source_fails_the_save_without_echoing_it(self):
        instance = EncryptedSample(phone="call me maybe")

        with pytest.raises(ValueError) as raised:
            saved_value(instance, "phone_index", add=True)

        assert str(raised.value) == (
            "Cannot compute compliance.EncryptedSample.phone_index: the value of 'phone' is "
            "not a valid phone."
        )

    def test_a_date_source_is_indexed_as_its_iso_date(self):
        model = sample_model(
            "DatedIndexSample",
            born_on=EncryptedDateField(null=True),
            born_on_index=BlindIndexField(source="born_on", kind="date"),
        )
        instance = model(born_on="1980-01-02")

        index = model._meta.get_field("born_on_index").pre_save(instance, True)

        assert index == blind_index("1980年1月2日", kind="date")

    def test_a_plain_source_field_is_always_indexed(self):
        model = sample_model(
            "PlainSourceSample",
            email=models.CharField(max_length=100),
            email_index=BlindIndexField(source="email", kind="email"),
        )
        instance = model(email=" Li@Bank.CN")

        index = model._meta.get_field("email_index")

        assert index.pre_save(instance, True) == blind_index("li@bank.cn", kind="email")


class TestLookups:
    @pytest.mark.parametrize(
        "lookup",
        [
            {"notes": "x"},
            {"notes__iexact": "x"},
            {"notes__icontains": "x"},
            {"notes__startswith": "v1:"},
            {"notes__in": ["x"]},
            {"notes__gt": "x"},
            {"birth_date__year": 1990},
            {"birth_date__range": ("1990-01-01", "1991-01-01")},
            {"income__lt": 1},
            {"notes__lower__exact": "x"},
        ],
    )
    def test_plaintext_lookups_are_refused(self, lookup):
        with pytest.raises(FieldError, match="is encrypted") as raised:
            EncryptedSample.objects.filter(**lookup)

        assert "BlindIndexField" in str(raised.value)

    @pytest.mark.parametrize("lookup", [{"notes__isnull": True}, {"notes": None}])
    def test_null_checks_are_allowed(self, lookup):
        where = EncryptedSample.objects.filter(**lookup).query.where

        (condition,) = where.children
        assert isinstance(condition, IsNull)
        assert condition.rhs is True

    def test_key_id_lookup_matches_the_token_prefix(self):
        where = EncryptedSample.objects.filter(notes__key_id="k_1").query.where

        (condition,) = where.children
        assert condition.lookup_name == "key_id"
        assert condition.rhs == "v2:k_1:"

    def test_key_id_lookup_refuses_an_invalid_key_id(self):
        with pytest.raises(ValueError):
            EncryptedSample.objects.filter(notes__key_id="k%")

    def test_exact_ciphertext_compares_tokens(self):
        token = token_for("notes", "x")

        (condition,) = EncryptedSample.objects.filter(notes=Ciphertext(token)).query.where.children

        assert condition.rhs == token

    def test_blind_index_column_is_the_way_to_find_a_value(self):
        wanted = blind_index("138 0013 8000", kind="phone")

        (condition,) = EncryptedSample.objects.filter(phone_index=wanted).query.where.children

        assert condition.rhs == blind_index("+8613800138000", kind="phone")


class TestChecks:
    @pytest.mark.parametrize("option", ["unique", "db_index"])
    def test_index_options_on_encrypted_fields_are_errors(self, option):
        model = sample_model(
            f"Bad{option.title().replace('_', '')}Sample", secret=EncryptedTextField(**{option: True})
        )

        errors = model._meta.get_field("secret").check()

        assert [(error.id, error.msg) for error in errors] == [
            ("compliance.E001", f"An encrypted field cannot use {option}=True.")
        ]

    def test_db_default_is_an_error(self):
        model = sample_model("DbDefaultSample", secret=EncryptedTextField(db_default="x"))

        assert [error.id for error in model._meta.get_field("secret").check()] == ["compliance.E002"]

    def test_ordering_by_an_encrypted_field_is_an_error(self):
        meta = type(
            "Meta",
            (),
            {"apps": Apps(installed_apps=()), "app_label": "compliance", "ordering": ["-secret"]},
        )
        model = type(
            "OrderedSample",
            (models.Model,),
            {"__module__": __name__, "Meta": meta, "secret": EncryptedTextField(),
             "record_key": RecordKeyField()},
        )

        assert [error.id for error in model._meta.get_field("secret").check()] == ["compliance.E003"]

    def test_the_sample_model_passes_its_field_checks_but_the_record_key(self):
        # The sample binds its values to their column only, as rows written before binding did.
        errors = [error for model_field in EncryptedSample._meta.fields for error in model_field.check()]

        assert {error.id for error in errors} == {"compliance.E006"}

    def test_an_encrypted_field_without_a_record_key_is_an_error(self):
        model = sample_model("UnboundSample", record_key=models.UUIDField(null=True),
                             secret=EncryptedTextField())

        assert [error.id for error in model._meta.get_field("secret").check()] == ["compliance.E006"]

    def test_blind_index_with_a_missing_source_is_an_error(self):
        model = sample_model("MissingSourceSample", index=BlindIndexField(source="phone", kind="phone"))

        assert [error.id for error in model._meta.get_field("index").check()] == ["compliance.E004"]

    def test_blind_index_of_itself_is_an_error(self):
        model = sample_model("SelfSourceSample", index=BlindIndexField(source="index", kind="phone"))

        assert [error.id for error in model._meta.get_field("index").check()] == ["compliance.E005"]


@contextmanager
def global_registry() -> Iterator[Callable[..., type[models.Model]]]:
    """Yield a function that defines compliance models in the project's registry.

    Every model it defined is removed again on exit, so nothing leaks into other tests.
    """
    defined: list[str] = []

    def define(
        name: str,
        *,
        base: type[models.Model] = models.Model,
        meta: dict[str, object] | None = None,
        **model_fields: models.Field,
    ) -> type[models.Model]:
        meta_class = type("Meta", (), {"app_label": "compliance", **(meta or {})})
        model = type(name, (base,), {"__module__": __name__, "Meta": meta_class, **model_fields})
        defined.append(model._meta.model_name)
        return model

    try:
        yield define
    finally:
        for model_name in defined:
            del global_apps.all_models["compliance"][model_name]
        global_apps.clear_cache()


class TestRegistry:
    def test_encrypted_fields_lists_each_encrypted_column_once(self):
        with global_registry() as define:
            model = define(
                "RegistrySample",
                phone=EncryptedTextField(),
                phone_index=BlindIndexField(source="phone", kind="phone"),
                phone_mask=MaskHintField(source="phone", kind="phone"),
                income=EncryptedDecimalField(max_digits=10, decimal_places=2),
            )
            proxy = define("RegistrySampleProxy", base=model, meta={"proxy": True})
            child = define("RegistrySampleChild", base=model, notes=EncryptedTextField())

            found = [(m, f.name) for m, f in encrypted_fields() if m in (model, proxy, child)]
            indexes = [(m, f.name) for m, f in blind_index_fields() if m in (model, proxy, child)]
            hints = [(m, f.name) for m, f in mask_hint_fields() if m in (model, proxy, child)]

        assert found == [(model, "phone"), (model, "income"), (child, "notes")]
        assert indexes == [(model, "phone_index")]
        assert hints == [(model, "phone_mask")]

    def test_unmanaged_models_are_left_out_unless_asked_for(self):
        with global_registry() as define:
            model = define("UnmanagedRegistrySample", meta={"managed": False}, secret=EncryptedTextField())

            default = [m for m, _ in encrypted_fields() if m is model]
            included = [m for m, _ in encrypted_fields(include_unmanaged=True) if m is model]

        assert default == []
        assert included == [model]
