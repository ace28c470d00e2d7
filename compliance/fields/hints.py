"""Masks without decryption: the hints written beside ciphertexts, and how to read a mask.

A :class:`~compliance.fields.MaskHintField` keeps what a mask shows; these helpers set it on
writes that bypass ``pre_save`` and compute the masks that need no hint.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models

from compliance.crypto import plaintext_length
from compliance.fields.derived import MaskHintField
from compliance.fields.encrypted import Ciphertext, EncryptedField, EncryptedTextField, stored_value
from compliance.masking import FIXED_MASKS, mask


def hint_fields_of(model: type[models.Model], source: str) -> list[MaskHintField]:
    """The mask hint columns of ``model`` computed from its field ``source``."""
    return [
        field for field in model._meta.concrete_fields
        if isinstance(field, MaskHintField) and field.source == source
    ]


def mask_hint_for(model: type[models.Model], field_name: str, plaintext: Any) -> str:
    """The hint to store beside ``model.field_name`` holding the Python value ``plaintext``.

    For writes that bypass ``pre_save`` (``QuerySet.update()``, an upsert that assigns a
    token it encrypted itself). Raise ``LookupError`` unless exactly one mask hint column is
    computed from ``field_name``.
    """
    found = hint_fields_of(model, field_name)
    if len(found) != 1:
        raise LookupError(
            f"{model._meta.label}.{field_name} has {len(found)} mask hint columns, not one."
        )
    return found[0].compute(plaintext)


def set_mask_hints(instance: models.Model, field_name: str, plaintext: Any) -> list[str]:
    """Assign every hint computed from ``field_name`` on ``instance`` for value ``plaintext``.

    For a write that assigns a token (an unread :class:`Ciphertext`) to ``field_name``,
    which ``pre_save`` cannot derive a hint from. Return the hint columns' names, to add to
    ``update_fields``.
    """
    names = []
    for field in hint_fields_of(type(instance), field_name):
        setattr(instance, field.attname, field.compute(plaintext))
        names.append(field.name)
    return names


def _is_empty_text(stored: Ciphertext) -> bool:
    # A malformed token still stands for a stored value; reading it in clear reports it.
    try:
        return plaintext_length(stored.token) == 0
    except ValueError:
        return False


def stored_mask(record: models.Model, path: str, kind: str) -> str:
    """The mask of the value at ``path`` (attributes from ``record``), decrypting nothing.

    For values with no hint column: an unencrypted value is masked as it is; an encrypted
    one only where the mask shows nothing of it (the kinds of
    :data:`compliance.masking.FIXED_MASKS`), which is "" when the column is NULL or holds an
    empty text (told by the token's length, see :func:`compliance.crypto.plaintext_length`)
    and the fixed mask otherwise. Raise ``ImproperlyConfigured`` for an encrypted value the
    mask would show part of: it needs a :class:`MaskHintField`.
    """
    *parents, name = path.split(".")
    owner: Any = record
    for part in parents:
        owner = getattr(owner, part, None)
        if owner is None:
            return ""
    try:
        field = owner._meta.get_field(name)
    except (AttributeError, FieldDoesNotExist):
        field = None
    if not isinstance(field, EncryptedField):
        return mask(getattr(owner, name, None), kind)
    stored = stored_value(owner, field)
    if not isinstance(stored, Ciphertext):
        return mask(stored, kind)
    if stored.is_revealed:
        return mask(stored.plaintext, kind)
    if kind in FIXED_MASKS:
        if isinstance(field, EncryptedTextField) and _is_empty_text(stored):
            return ""
        return FIXED_MASKS[kind]
    raise ImproperlyConfigured(
        f"{field.model._meta.label}.{field.name} is masked as {kind!r} without a mask hint "
        "column; add a compliance.fields.MaskHintField and name it as the sensitive field's hint."
    )
