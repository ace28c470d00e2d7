"""The encrypted columns: ``Ciphertext``, lazy decryption and the three encrypted fields.

See :mod:`compliance.fields` for the contract every encrypted column keeps.

Longer than a module usually is here, on purpose: the ciphertext value, its lazy decryption,
the record key a token is bound to and the fields' system checks are one contract, and a
reader checking that no path writes an unbound or plaintext value should find it in one place.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib.postgres.functions import RandomUUID
from django.core import checks
from django.core.exceptions import FieldError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.lookups import Exact, IsNull, StartsWith
from django.db.models.query_utils import DeferredAttribute
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from compliance.crypto import (
    DecryptionError,
    DecryptionFailure,
    decrypt,
    encrypt,
    key_id_of,
    token_prefix,
)

PUBLIC_MODULE = "compliance.fields"


def public_path(path: str, field: models.Field) -> str:
    """``path`` as migrations should name a field class of this package: by its public name.

    The classes live in submodules, but migrations keep importing ``compliance.fields.X``,
    so the package can be reorganised without rewriting them. Subclasses defined elsewhere
    keep their own path.
    """
    if type(field).__module__.startswith(PUBLIC_MODULE + "."):
        return f"{PUBLIC_MODULE}.{type(field).__qualname__}"
    return path


class Ciphertext:
    """A stored token, plus its plaintext once something has decrypted it.

    This is what ``from_db_value`` returns, so ``values()``/``values_list()`` on an
    encrypted column yield these, never plaintext; decrypt one with
    :meth:`EncryptedField.decrypt_value`. Assigning one to a model attribute, or passing
    it to ``QuerySet.update()``, stores the token as it is (the rotation command does this).
    Equality and hashing use the token; pickling keeps the token and drops the plaintext.
    """

    __slots__ = ("_plaintext", "_revealed", "token")

    def __init__(self, token: str) -> None:
        if not isinstance(token, str):
            raise TypeError(f"Ciphertext takes a str token, not {type(token).__name__}.")
        self.token = token
        self._plaintext: Any = None
        self._revealed = False

    @classmethod
    def revealed(cls, token: str, plaintext: object) -> Ciphertext:
        """Return a Ciphertext for ``token`` whose plaintext is already known."""
        stored = cls(token)
        stored._set_plaintext(plaintext)
        return stored

    @property
    def is_revealed(self) -> bool:
        """True once the plaintext is cached on this object."""
        return self._revealed

    @property
    def plaintext(self) -> Any:
        """The cached Python value; raise ``AttributeError`` if not revealed yet."""
        if not self._revealed:
            raise AttributeError("This Ciphertext has not been decrypted.")
        return self._plaintext

    def _set_plaintext(self, plaintext: object) -> None:
        self._plaintext = plaintext
        self._revealed = True

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Ciphertext):
            return NotImplemented
        return self.token == other.token

    def __hash__(self) -> int:
        return hash((Ciphertext, self.token))

    def __reduce__(self) -> tuple[object, ...]:
        return (Ciphertext, (self.token,))

    def __repr__(self) -> str:
        # Neither the token nor the plaintext: reprs end up in logs and error pages.
        try:
            return f"<Ciphertext under key {key_id_of(self.token)!r}>"
        except ValueError:
            return "<Ciphertext (malformed)>"


class RecordKeyField(models.UUIDField):
    """The stable identity of a row, which every encrypted value of the row is bound to.

    A random UUID set in Python when the instance is made (so it is known before the INSERT
    that assigns the primary key, and to ``bulk_create`` and COPY writers), and by the
    database for rows that existed before the column did. It never changes: a row's tokens
    only decrypt with it, so a token copied onto another row fails authentication. Not
    indexed: nothing looks a row up by it. Every model with an encrypted field has one
    (system check ``compliance.E006``).
    """

    description = _("Record key")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", uuid.uuid4)
        kwargs.setdefault("db_default", RandomUUID())
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("default") is uuid.uuid4:
            del kwargs["default"]
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        return name, public_path(path, self), args, kwargs


def record_key_field(model: type[models.Model]) -> RecordKeyField | None:
    """The model's RecordKeyField, or None if it has none."""
    for item in model._meta.concrete_fields:
        if isinstance(item, RecordKeyField):
            return item
    return None


class EncryptedAttribute(DeferredAttribute):
    """Model attribute for an encrypted field: decrypt on first read, cache, keep the token.

    ``instance.__dict__[attname]`` holds either a :class:`Ciphertext` (loaded from the
    database, or encrypted by ``pre_save``) or a plain Python value that was assigned.
    A deferred field is loaded as a Ciphertext too. An explicit ``refresh_from_db()``
    copies decrypted values, so the refreshed fields count as assigned.
    """

    field: EncryptedField

    def __get__(self, instance: models.Model | None, cls: type | None = None) -> Any:
        if instance is None:
            return self
        stored = self.stored(instance)
        if isinstance(stored, Ciphertext):
            return self.field.reveal(stored, row=instance)
        return stored

    def stored(self, instance: models.Model) -> Any:
        """What the instance holds for this field, without decrypting anything.

        A :class:`Ciphertext` (revealed or not), None, or an assigned Python value; a
        deferred field's token is loaded first.
        """
        if self.field.attname not in instance.__dict__:
            self._load_deferred(instance)
        return instance.__dict__[self.field.attname]

    def _load_deferred(self, instance: models.Model) -> None:
        # Not refresh_from_db(): it copies the decrypted value over, which would lose the
        # token and make the next save re-encrypt a value that did not change.
        manager = type(instance)._base_manager.db_manager(instance._state.db, hints={"instance": instance})
        instance.__dict__[self.field.attname] = (
            manager.filter(pk=instance.pk).values_list(self.field.attname, flat=True).get()
        )

    def __set__(self, instance: models.Model, value: Any) -> None:
        data = instance.__dict__
        current = data.get(self.field.attname)
        # Re-assigning the value just read (full_clean() does, so do unchanged forms) keeps
        # the token, so the row is not re-encrypted and the blind index stays as it is.
        if (
            isinstance(current, Ciphertext)
            and current.is_revealed
            and not isinstance(value, Ciphertext)
            and type(value) is type(current.plaintext)
            and value == current.plaintext
        ):
            return
        data[self.field.attname] = value


def _refusal(field: models.Field, lookup_name: str) -> str:
    return (
        f"{field.model._meta.label}.{field.name} is encrypted, so lookup {lookup_name!r} "
        "cannot compare plaintext in SQL. Use isnull, or filter on the field's "
        "BlindIndexField with compliance.crypto.blind_index()."
    )


class EncryptedExact(Exact):
    """``field=None`` (which Django turns into ``isnull``) or ``field=Ciphertext(...)``."""

    def get_prep_lookup(self) -> Any:
        if self.rhs is None:
            return None
        if isinstance(self.rhs, Ciphertext):
            return self.rhs.token
        raise FieldError(_refusal(self.lhs.output_field, "exact"))


class EncryptedKeyIdLookup(StartsWith):
    """``field__key_id="k1"``: the values stored under key ``k1`` (for rotation)."""

    lookup_name = "key_id"

    def get_prep_lookup(self) -> Any:
        if not isinstance(self.rhs, str):
            raise FieldError("The key_id lookup takes a key id string.")
        # Django's startswith escapes "_" and "%", both of which may appear in a key id.
        return token_prefix(self.rhs)

    def get_rhs_op(self, connection: Any, rhs: str) -> str:
        # Backends know the SQL operator by the built-in lookup's name only.
        return connection.operators[StartsWith.lookup_name] % rhs


class EncryptedField(models.Field):
    """Base class of the encrypted fields: a ``text`` column holding an encryption token.

    Subclasses combine it with the Django field of their Python type and define
    :meth:`to_plaintext` / :meth:`from_plaintext` (the text that is encrypted).
    """

    descriptor_class = EncryptedAttribute

    def __init__(self, *args: Any, encryption_context: str | None = None, **kwargs: Any) -> None:
        self._encryption_context = encryption_context
        super().__init__(*args, **kwargs)

    @property
    def encryption_context(self) -> str:
        """``"app_label.model_name.field_name"``, or the ``encryption_context`` given.

        Raise ``FieldError`` if the field is not attached to a model yet.
        """
        if self._encryption_context is not None:
            return self._encryption_context
        if not hasattr(self, "model"):
            raise FieldError(f"{type(self).__name__} must be attached to a model before it can encrypt.")
        return f"{self.model._meta.label_lower}.{self.name}"

    def to_plaintext(self, value: Any) -> str:
        """Return the text that stands for the Python ``value`` inside the token.

        Each concrete field (text, date, decimal) defines this; the base class is not a field
        on its own.
        """
        raise TypeError(f"{type(self).__name__} does not define how to encode a value.")

    def from_plaintext(self, text: str) -> Any:
        """Return the Python value for decrypted ``text``; raise ``ValueError`` if invalid.

        Each concrete field defines this, like ``to_plaintext``.
        """
        raise TypeError(f"{type(self).__name__} does not define how to decode a value.")

    # Database side

    def db_type(self, connection: Any) -> str:
        return "text"

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        """Wrap the stored token in a :class:`Ciphertext`; decryption waits for a read."""
        if value is None:
            return None
        return Ciphertext(value)

    def identity_of(self, instance: models.Model) -> str:
        """The identity ``instance``'s values of this column are bound to: its record key
        as text ("" for a model without a :class:`RecordKeyField`, which the system check
        allows only outside installed apps)."""
        key_field = record_key_field(type(instance))
        if key_field is None:
            return ""
        key = getattr(instance, key_field.attname)
        if key is None:
            raise FieldError(
                f"{instance._meta.label} row {instance.pk} has no {key_field.name}: its encrypted "
                "values cannot be bound to it."
            )
        return str(key)

    def encrypt_value(self, value: Any, *, row: models.Model | None = None,
                      identity: str | None = None) -> str | None:
        """Return the token for Python ``value`` (None for None) under the current key, bound
        to the row ``row`` (an instance) or to ``identity`` (its record key as text).

        Raise ``ValidationError`` if ``to_python`` cannot convert the value and ``TypeError``
        if neither ``row`` nor ``identity`` is given (a model without a RecordKeyField binds
        to its column only, and needs neither).
        """
        identity = self._identity(row, identity)
        python_value = self.to_python(value)
        if python_value is None:
            return None
        return encrypt(self.to_plaintext(python_value), context=self.encryption_context, identity=identity)

    def _identity(self, row: object | None, identity: str | None) -> str:
        if identity is not None:
            return identity
        if isinstance(row, models.Model):
            return self.identity_of(row)
        if not hasattr(self, "model") or record_key_field(self.model) is None:
            return ""
        raise TypeError(
            f"{self.encryption_context} is bound to its row: pass the instance as row= or its "
            "record key as identity=."
        )

    def decrypt_value(self, stored: Ciphertext | str, *, row: object | None = None,
                      identity: str | None = None) -> Any:
        """Return the Python value of a token or :class:`Ciphertext` of this column.

        ``row`` is the instance the value belongs to, or, with ``identity`` (the row's record
        key as text) given, its primary key; the primary key is named in errors. Raise
        ``DecryptionError`` if the token does not decrypt for this column and row or holds an
        invalid value, and ``TypeError`` if the row's identity is not given.
        """
        token = stored.token if isinstance(stored, Ciphertext) else stored
        text = decrypt(token, context=self.encryption_context, identity=self._identity(row, identity),
                       row=row)
        try:
            return self.from_plaintext(text)
        except (ValueError, ArithmeticError):
            raise DecryptionError(
                context=self.encryption_context,
                reason=DecryptionFailure.INVALID_PLAINTEXT,
                row_id=getattr(row, "pk", row),
            ) from None

    def reveal(self, stored: Ciphertext, *, row: object | None = None) -> Any:
        """Return the plaintext of ``stored``, decrypting once and caching it on ``stored``."""
        if not stored.is_revealed:
            stored._set_plaintext(self.decrypt_value(stored, row=row))
        return stored.plaintext

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        """Return the :class:`Ciphertext` to store, encrypting an assigned value once.

        An untouched loaded value is returned as it is, so its token is written back
        unchanged and nothing is decrypted. A newly assigned value is encrypted here and
        replaced on the instance by a revealed Ciphertext, so saving again writes the same
        token.
        """
        data = model_instance.__dict__
        if self.attname not in data:
            # Deferred yet explicitly saved: load it first.
            getattr(model_instance, self.attname)
        stored = data[self.attname]
        if stored is None or isinstance(stored, Ciphertext):
            return stored
        if hasattr(stored, "resolve_expression"):
            return stored
        python_value = self.to_python(stored)
        if python_value is None:
            data[self.attname] = None
            return None
        text = self.to_plaintext(python_value)
        token = encrypt(text, context=self.encryption_context, identity=self.identity_of(model_instance))
        stored = Ciphertext.revealed(token, self.from_plaintext(text))
        data[self.attname] = stored
        return stored

    def get_prep_value(self, value: Any) -> Any:
        """Return the token for ``value``: a Ciphertext's own.

        Raise ``FieldError`` for a plain value of a model with a RecordKeyField: without its
        row (``QuerySet.update()``, ``bulk_update()``, a lookup) it cannot be bound to one.
        Assign it on the instance and save, or pass a Ciphertext made with
        :meth:`encrypt_value`.
        """
        if value is None:
            return None
        if isinstance(value, Ciphertext):
            return value.token
        if hasattr(value, "resolve_expression"):
            return value
        if not hasattr(self, "model") or record_key_field(self.model) is None:
            return self.encrypt_value(models.Field.get_prep_value(self, value))
        raise FieldError(
            f"{self.encryption_context} is bound to its row: assign the value on the instance and "
            "save, or pass a Ciphertext from encrypt_value(value, row=instance)."
        )

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        # The Date and Decimal parents adapt values to their column types; the column is
        # text holding a token, so skip them.
        if not prepared:
            value = self.get_prep_value(value)
        return value

    # Lookups

    def get_lookup(self, lookup_name: str) -> Any:
        """Return the few lookups that make sense on ciphertext; raise ``FieldError`` otherwise."""
        if lookup_name == "isnull":
            return IsNull
        if lookup_name == "exact":
            return EncryptedExact
        if lookup_name == "key_id":
            return EncryptedKeyIdLookup
        raise FieldError(_refusal(self, lookup_name))

    def get_transform(self, lookup_name: str) -> Any:
        """Raise ``FieldError``: no SQL function of a ciphertext means anything."""
        raise FieldError(_refusal(self, lookup_name))

    # Configuration

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if self._encryption_context is not None:
            kwargs["encryption_context"] = self._encryption_context
        return name, public_path(path, self), args, kwargs

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        return [*super().check(**kwargs), *self._check_encryption_options()]

    def _check_encryption_options(self) -> list[checks.CheckMessage]:
        errors: list[checks.CheckMessage] = []
        hint = "Every encryption of a value differs; put the option on a BlindIndexField."
        for option in ("primary_key", "unique", "db_index"):
            if getattr(self, option):
                errors.append(
                    checks.Error(
                        f"An encrypted field cannot use {option}=True.",
                        hint=hint,
                        obj=self,
                        id="compliance.E001",
                    )
                )
        if self.has_db_default():
            errors.append(
                checks.Error(
                    "An encrypted field cannot have a db_default: the database cannot encrypt.",
                    hint="Use default= instead.",
                    obj=self,
                    id="compliance.E002",
                )
            )
        if record_key_field(self.model) is None:
            errors.append(
                checks.Error(
                    f"{self.model._meta.label} has an encrypted field but no RecordKeyField to "
                    "bind its values to.",
                    hint="Add record_key = compliance.fields.RecordKeyField().",
                    obj=self,
                    id="compliance.E006",
                )
            )
        ordering = getattr(self.model._meta, "ordering", None) or ()
        names = {self.name, self.attname}
        if any(isinstance(item, str) and item.lstrip("-?") in names for item in ordering):
            errors.append(
                checks.Error(
                    f"Meta.ordering of {self.model._meta.label} uses encrypted field "
                    f"{self.name!r}: ordering by ciphertext means nothing.",
                    obj=self,
                    id="compliance.E003",
                )
            )
        return errors


class EncryptedTextField(EncryptedField, models.TextField):
    """Encrypted ``str``. ``max_length``, if given, is validated on the plaintext."""

    description = _("Encrypted text")

    @cached_property
    def validators(self) -> list[Callable[[Any], None]]:
        validators = [*super().validators]
        if self.max_length is not None:
            validators.append(MaxLengthValidator(self.max_length))
        return validators

    def to_plaintext(self, value: Any) -> str:
        return str(value)

    def from_plaintext(self, text: str) -> str:
        return text


class EncryptedDateField(EncryptedField, models.DateField):
    """Encrypted ``datetime.date`` (stored as ISO 8601 text inside the token).

    ``auto_now`` and ``auto_now_add`` are not supported: raise ``TypeError`` if given.
    """

    description = _("Encrypted date")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("auto_now") or kwargs.get("auto_now_add"):
            raise TypeError("EncryptedDateField does not support auto_now or auto_now_add.")
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls: type[models.Model], name: str, **kwargs: Any) -> None:
        # Skip DateField's get_next_by_<name>(): it filters and orders by the column, which
        # holds ciphertext.
        models.Field.contribute_to_class(self, cls, name, **kwargs)

    def to_plaintext(self, value: datetime.date) -> str:
        return value.isoformat()

    def from_plaintext(self, text: str) -> datetime.date:
        return datetime.date.fromisoformat(text)


class EncryptedDecimalField(EncryptedField, models.DecimalField):
    """Encrypted ``decimal.Decimal``, quantised to ``decimal_places`` (round half even).

    A ``float`` is refused with ``TypeError``: it has already lost the exact value. Saving a
    value with more than ``max_digits`` digits raises ``ValueError`` (``full_clean()``
    reports it as a ``ValidationError`` first).
    """

    description = _("Encrypted decimal number")

    def to_python(self, value: Any) -> decimal.Decimal | None:
        if isinstance(value, float):
            raise TypeError(f"{type(self).__name__} takes a Decimal, not a float: a float is not exact.")
        return super().to_python(value)

    def to_plaintext(self, value: decimal.Decimal) -> str:
        context = decimal.Context(prec=self.max_digits, rounding=decimal.ROUND_HALF_EVEN)
        try:
            quantised = value.quantize(decimal.Decimal(1).scaleb(-self.decimal_places), context=context)
        except decimal.InvalidOperation:
            raise ValueError(
                f"Value for {self.encryption_context} has more than {self.max_digits} digits."
            ) from None
        return format(quantised, "f")

    def from_plaintext(self, text: str) -> decimal.Decimal:
        value = decimal.Decimal(text)
        if not value.is_finite():
            raise ValueError("Not a finite decimal.")
        return value



def stored_value(instance: models.Model, field: EncryptedField) -> Any:
    """What ``instance`` holds for the encrypted ``field``, without decrypting anything.

    A :class:`Ciphertext` (revealed or not), None, or a Python value assigned and not saved
    yet. A deferred field's token is loaded (one query), not decrypted.
    """
    descriptor = getattr(type(instance), field.attname)
    return descriptor.stored(instance)
