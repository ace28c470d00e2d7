"""Clear columns derived from another field at save: blind indexes and mask hints.

Both name their ``source`` (a field of the same model, usually encrypted) and a ``kind``,
and are recomputed by ``pre_save`` whenever the source's plaintext is known without
decrypting: it was assigned, or something already read it. A source that was loaded and
never touched keeps what is stored, so saving a row decrypts nothing.

Writes that skip ``pre_save`` skip them too: ``QuerySet.update()``, ``bulk_update()``, raw
SQL, and ``save(update_fields=[...])`` or ``bulk_create(update_fields=[...])`` that list the
source but not the derived column. Such a write sets the derived column itself (see
:func:`compliance.fields.mask_hint_for`) or lists it beside its source.
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Any, ClassVar

from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.crypto import blind_index
from compliance.fields.encrypted import Ciphertext, public_path
from compliance.masking import MASKERS, mask
from compliance.normalise import KINDS


class _Unavailable:
    """Marker: the source value is not known in clear without decrypting it."""


UNAVAILABLE = _Unavailable()


def source_plaintext(instance: models.Model, source_name: str) -> Any:
    """The Python value of field ``source_name`` on ``instance`` if known in clear.

    Return :data:`UNAVAILABLE` when knowing it would take a decryption (an unread token,
    a deferred field) or a query (an expression not yet resolved).
    """
    source = instance._meta.get_field(source_name)
    data = instance.__dict__
    if source.attname not in data:
        return UNAVAILABLE
    stored = data[source.attname]
    if isinstance(stored, Ciphertext):
        return stored.plaintext if stored.is_revealed else UNAVAILABLE
    if hasattr(stored, "resolve_expression"):
        return UNAVAILABLE
    return source.to_python(stored)


class DerivedField(models.CharField, metaclass=ABCMeta):
    """A ``CharField`` computed at save from field ``source`` of the same model.

    Subclasses name the kinds they accept and define :meth:`compute`. Raise ``ValueError``
    at construction for an unknown kind.
    """

    kinds: ClassVar[frozenset[str]] = frozenset()
    defaults: ClassVar[dict[str, Any]] = {}
    _kind_name = "derived field"

    def __init__(self, *args: Any, source: str, kind: str, **kwargs: Any) -> None:
        if kind not in self.kinds:
            raise ValueError(
                f"Unknown {self._kind_name} kind {kind!r}; expected one of {sorted(self.kinds)}."
            )
        self.source = source
        self.kind = kind
        for key, default in self.defaults.items():
            kwargs.setdefault(key, default)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["kind"] = self.kind
        for key, default in self.defaults.items():
            value = getattr(self, key)
            if value == default:
                kwargs.pop(key, None)
            else:
                kwargs[key] = value
        return name, public_path(path, self), args, kwargs

    @abstractmethod
    def compute(self, value: Any) -> str:
        """Return the column's value for the source's Python ``value`` (None included)."""

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        """Return the value to store: recomputed if the source is known in clear, else kept."""
        plaintext = source_plaintext(model_instance, self.source)
        if plaintext is UNAVAILABLE:
            return super().pre_save(model_instance, add)
        value = self.compute(plaintext)
        setattr(model_instance, self.attname, value)
        return value

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        return [*super().check(**kwargs), *self._check_source()]

    def _check_source(self) -> list[checks.CheckMessage]:
        label = type(self).__name__
        try:
            source = self.model._meta.get_field(self.source)
        except FieldDoesNotExist:
            return [
                checks.Error(
                    f"{label} source {self.source!r} is not a field of {self.model._meta.label}.",
                    obj=self,
                    id="compliance.E004",
                )
            ]
        if source is self or not source.concrete or source.is_relation:
            return [
                checks.Error(
                    f"{label} source {self.source!r} must be another concrete, non-relation field.",
                    obj=self,
                    id="compliance.E005",
                )
            ]
        return []


class BlindIndexField(DerivedField):
    """HMAC-SHA256 of another field's normalised value, for exact lookups on encrypted data.

    ``source`` names the field on the same model and ``kind`` the normalisation (a key of
    :data:`compliance.normalise.KINDS`). ``pre_save`` recomputes the index when the source's
    plaintext is known without decrypting: it was assigned, or it was read. A source that
    was loaded and never touched keeps the stored index. An empty or None source gives "".

    Query with ``Model.objects.filter(<index>=blind_index(value, kind=<kind>))``. Add
    ``compliance.normalise.NormalisableValidator(kind)`` to the source so ``full_clean()``
    refuses a value the index cannot normalise; otherwise ``save()`` raises ``ValueError``.
    A save that lists ``update_fields`` must list the index with its source.
    Raise ``ValueError`` at construction for an unknown kind.
    """

    description = _("Blind index")
    kinds = frozenset(KINDS)
    defaults: ClassVar[dict[str, Any]] = {
        "max_length": 64,
        "db_index": True,
        "editable": False,
        "blank": True,
    }
    _kind_name = "blind index"

    def compute(self, value: Any) -> str:
        """Return the index of the source's Python ``value``.

        Raise ``ValueError`` (naming the field, not the value) if it cannot be normalised.
        """
        if value is None:
            return ""
        try:
            return blind_index(str(value), kind=self.kind)
        except ValueError:
            raise ValueError(
                f"Cannot compute {self.model._meta.label}.{self.name}: the value of "
                f"{self.source!r} is not a valid {self.kind}."
            ) from None


class MaskHintField(DerivedField):
    """What the mask of another field shows, kept in clear beside its ciphertext.

    ``kind`` is a key of :data:`compliance.masking.MASKERS`; the column holds exactly
    ``mask(source value, kind)`` (``138****5678``, ``a***@example.com``, ``****1234``), so a
    viewer who may not see the source in clear is shown this column and the source is never
    decrypted for them. "" means the source is empty (None or ""). It holds nothing the
    mask does not show, and is as sensitive as the masked value is.

    Recomputed by ``pre_save`` like a :class:`BlindIndexField` (list it beside its source in
    ``update_fields``). Writes that bypass ``pre_save`` set it with
    :func:`compliance.fields.mask_hint_for`; rows written before the column existed are
    filled by ``manage.py refresh_mask_hints``. Raise ``ValueError`` at construction for an
    unknown kind.
    """

    description = _("Mask hint")
    kinds = frozenset(MASKERS)
    # Unlimited varchar: an e-mail's mask keeps its whole domain, which has no fixed limit.
    defaults: ClassVar[dict[str, Any]] = {
        "max_length": None,
        "editable": False,
        "blank": True,
    }
    _kind_name = "mask hint"

    def compute(self, value: Any) -> str:
        """Return what the mask of the source's Python ``value`` shows ("" for None or "")."""
        return mask(value, self.kind)
