"""Field-level access: the one policy every surface asks.

Domain apps register each protected model with a policy object (which records a user may
see, which sensitive fields they see in clear, whether they may reveal) and the model's
sensitive fields with their mask kind. Pages, htmx fragments, forms, serializers, admin,
exports and search results all read sensitive values through `RecordView`, which masks what
the user may not see in clear and notes what it showed in clear for the audit chain.

A record the user may not see does not exist for them: `get_visible_or_404` raises Http404
for "missing" and "not yours" alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from compliance.crypto import DecryptionError
from compliance.fields import stored_mask
from compliance.masking import mask
from compliance.unreadable import UNREADABLE_TEXT, report_unreadable

# The actions every protected model answers for. Apps add their own (strings, named by the
# app's policy, e.g. "reassign" or "log_complaint"); the trust layer only passes them through.
VIEW = "view"
VIEW_CLEAR = "view_clear"


class ProtectedModelPolicy(Protocol):
    """What a domain app tells the trust layer about one of its models."""

    def restrict(self, queryset: models.QuerySet, user, action: str = VIEW) -> models.QuerySet:
        """Only the rows on which `user` may perform `action` (VIEW: see them, masked or not)."""

    def allows(self, user, action: str, obj: models.Model | None = None) -> bool:
        """Whether `user` may perform `action` on `obj` (None: on some record of the model)."""

    def refusal(self, action: str) -> str:
        """The message a user reads when `action` is refused (PermissionDenied)."""

    def clear_fields(self, user, objects: Iterable[models.Model]) -> dict[int, frozenset[str]]:
        """For each object's pk, the sensitive fields `user` sees in clear."""


@dataclass(frozen=True)
class SensitiveField:
    """A sensitive attribute: `path` is the attribute path from the protected record
    (`phone`, `individual.date_of_birth`), `mask_kind` a key of compliance.masking.MASKERS.

    `hint` is the attribute path of the field's `compliance.fields.MaskHintField` (what the
    mask shows, kept in clear beside the ciphertext), so a masked value is shown without
    decrypting it. An encrypted field needs one unless its kind is in
    compliance.masking.FIXED_MASKS (those masks show nothing of the value).

    `truncated` says which records' values nobody may see whole, whatever their access or
    reveal (a card number: PCI DSS 3.4.1). Where the policy grants the field in clear, such a
    value is shown as `truncated_kind` masks it and marked masked; everyone else sees the
    ordinary mask.
    `display` turns the clear value into the text every surface shows (pages, API, admin,
    exports), e.g. `compliance.normalise.display_phone`; None shows it as stored.
    """

    name: str
    path: str
    mask_kind: str
    label: str
    # Whether the field exists for a given record (a date of birth only for individuals);
    # None: for every record.
    applies: Callable[[models.Model], bool] | None = None
    hint: str | None = None
    truncated: Callable[[models.Model], bool] | None = None
    truncated_kind: str = "pan"
    display: Callable[[str], str] | None = None

    def applies_to(self, obj: models.Model) -> bool:
        return self.applies is None or self.applies(obj)

    def is_truncated(self, obj: models.Model) -> bool:
        return self.truncated is not None and self.truncated(obj)


@dataclass
class _Registration:
    policy: ProtectedModelPolicy
    fields: dict[str, SensitiveField]


_registry: dict[type[models.Model], _Registration] = {}


def register(model: type[models.Model], *, policy: ProtectedModelPolicy,
             fields: Iterable[SensitiveField]) -> None:
    """Declare `model` protected (called from the owning app's AppConfig.ready())."""
    _registry[model] = _Registration(policy=policy, fields={field.name: field for field in fields})


def _registration(model: type[models.Model]) -> _Registration:
    try:
        return _registry[model]
    except KeyError:
        raise LookupError(f"{model._meta.label} is not a protected model") from None


def sensitive_fields(model: type[models.Model]) -> dict[str, SensitiveField]:
    """The sensitive fields declared for `model`, by name."""
    return dict(_registration(model).fields)


def policy_for(model: type[models.Model]) -> ProtectedModelPolicy:
    """The policy registered for `model` (LookupError if it is not protected)."""
    return _registration(model).policy


def restrict(queryset: models.QuerySet, user, action: str = VIEW) -> models.QuerySet:
    """Filter `queryset` to the records on which `user` may perform `action`."""
    return _registration(queryset.model).policy.restrict(queryset, user, action)


def allows(user, action: str, obj: models.Model | type[models.Model]) -> bool:
    """Whether `user` may perform `action` on the record `obj`.

    Pass the model class instead of a record to ask whether `user` may perform `action` on
    some record of it (whether to offer a menu entry or a form at all).
    """
    if isinstance(obj, type):
        return _registration(obj).policy.allows(user, action, None)
    return _registration(type(obj)).policy.allows(user, action, obj)


def check(user, action: str, obj: models.Model | type[models.Model]) -> None:
    """Raise PermissionDenied, with the policy's message for `action`, unless `allows`."""
    if not allows(user, action, obj):
        model = obj if isinstance(obj, type) else type(obj)
        raise PermissionDenied(_registration(model).policy.refusal(action))


def get_visible_or_404(queryset: models.QuerySet, user, **lookup) -> models.Model:
    """The record matching `lookup` if `user` may see it; Http404 otherwise (same for both)."""
    try:
        return restrict(queryset, user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def sees_records(user, model: type[models.Model], ids: Iterable, *, clear_fields: Iterable[str] = ()) -> bool:
    """Whether `user` sees every record `ids` of `model` and, of `clear_fields`, those that are
    sensitive fields of `model` in clear (names of other models' fields are ignored).

    For a stored answer shown again later (an Idempotency-Key replay): False as soon as one
    record is missing, not the user's to see, or shown masked where it was shown in clear.
    """
    wanted = set(ids)
    records = list(restrict(model._default_manager.filter(pk__in=wanted), user))
    if {record.pk for record in records} != wanted:
        return False
    needed = set(clear_fields) & set(_registration(model).fields)
    if not needed:
        return True
    clear = _registration(model).policy.clear_fields(user, records)
    return all(needed <= clear.get(record.pk, frozenset()) for record in records)


def may_reveal(user, obj: models.Model) -> bool:
    """Whether `user` may reveal `obj`'s sensitive fields with a stated purpose."""
    return allows(user, "reveal", obj)


@dataclass(frozen=True)
class DisplayValue:
    """A sensitive value as one user may see it."""

    text: str
    masked: bool
    value: object = None  # the clear value; None when masked
    # The stored value could not be decrypted (compliance.unreadable): `text` says so, in
    # the reader's language, and `value` is None.
    unreadable: bool = False

    def __str__(self) -> str:
        return self.text

    @property
    def label(self) -> str:
        return str(_("masked")) if self.masked else ""


def _resolve(obj: models.Model, path: str):
    value = obj
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


class RecordView:
    """Sensitive fields of one record as `user` may see them.

    Reading a field returns a DisplayValue; reading one in clear notes it for the request's
    `pii.revealed` audit event. A value that cannot be decrypted is shown as unreadable and
    reported (compliance.unreadable), never raised: it costs that field of that row only.
    Build many at once with `RecordView.for_objects` (one query for the whole list).
    """

    def __init__(self, user, obj: models.Model, clear: frozenset[str]):
        self.user = user
        self.obj = obj
        self.clear = clear
        self._fields = _registration(type(obj)).fields
        # Fields whose value could not be decrypted: reported once per view, however often
        # a page reads them.
        self._unreadable: dict[str, DisplayValue] = {}

    @classmethod
    def for_object(cls, user, obj: models.Model) -> RecordView:
        clear = _registration(type(obj)).policy.clear_fields(user, [obj]).get(obj.pk, frozenset())
        return cls(user, obj, clear)

    @classmethod
    def for_objects(cls, user, objects: Iterable[models.Model]) -> list[RecordView]:
        objects = list(objects)
        if not objects:
            return []
        clear = _registration(type(objects[0])).policy.clear_fields(user, objects)
        return [cls(user, obj, clear.get(obj.pk, frozenset())) for obj in objects]

    def is_clear(self, name: str) -> bool:
        return name in self.clear

    def field(self, name: str) -> DisplayValue:
        spec = self._fields[name]
        if name in self.clear:
            if name in self._unreadable:
                return self._unreadable[name]
            try:
                value = _resolve(self.obj, spec.path)
            except DecryptionError as error:
                report_unreadable(error)
                shown = DisplayValue(str(UNREADABLE_TEXT), masked=False, unreadable=True)
                self._unreadable[name] = shown
                return shown
            if value is None or value == "":
                return DisplayValue("", masked=False, value=value)
            from compliance.audit import note_pii_revealed

            note_pii_revealed(
                object_type=self.obj._meta.label_lower, object_id=self.obj.pk, fields=[name]
            )
            if spec.is_truncated(self.obj):
                return DisplayValue(mask(value, spec.truncated_kind), masked=True)
            text = spec.display(str(value)) if spec.display is not None else str(value)
            return DisplayValue(text, masked=False, value=value)
        # Never decrypts: the hint was computed when the value was written, and the other
        # masks show nothing but whether there is a value.
        if spec.hint is not None:
            text = _resolve(self.obj, spec.hint) or ""
        else:
            text = stored_mask(self.obj, spec.path, spec.mask_kind)
        return DisplayValue(text, masked=text != "")

    def __getitem__(self, name: str) -> DisplayValue:  # templates: {{ view.phone }}
        if name not in self._fields:
            raise KeyError(name)
        return self.field(name)

    def __getattr__(self, name: str) -> DisplayValue:
        fields = self.__dict__.get("_fields", {})
        if name in fields:
            return self.field(name)
        raise AttributeError(name)

    @property
    def any_masked(self) -> bool:
        return any(name not in self.clear for name in self._fields)

    @property
    def sees_all(self) -> bool:
        """Whether every sensitive field this record has is in clear for the user.

        Values derived from the whole record (free text written about the customer, account
        numbers) follow this: they may mention any of the fields.
        """
        return all(name in self.clear for name, spec in self._fields.items() if spec.applies_to(self.obj))
