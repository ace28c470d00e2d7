"""Every encrypted, blind index and mask hint column of the installed models."""

from __future__ import annotations

from typing import cast

from django.apps import apps
from django.db import models

from compliance.fields.derived import BlindIndexField, MaskHintField
from compliance.fields.encrypted import EncryptedField


def _fields_of_type(
    field_type: type[models.Field], *, include_unmanaged: bool
) -> list[tuple[type[models.Model], models.Field]]:
    found: list[tuple[type[models.Model], models.Field]] = []
    for model in apps.get_models():
        opts = model._meta
        # Proxies share their concrete model's table; unmanaged models usually have no
        # table of ours to update.
        if opts.proxy or (not opts.managed and not include_unmanaged):
            continue
        found.extend((model, field) for field in opts.local_concrete_fields if isinstance(field, field_type))
    return found


def encrypted_fields(*, include_unmanaged: bool = False) -> list[tuple[type[models.Model], EncryptedField]]:
    """Return ``(model, field)`` for every encrypted column of the installed models.

    Each column appears once, on the model whose table holds it (no proxies; inherited
    multi-table fields only on the parent). Unmanaged models are left out unless
    ``include_unmanaged``.
    """
    return cast(
        "list[tuple[type[models.Model], EncryptedField]]",
        _fields_of_type(EncryptedField, include_unmanaged=include_unmanaged),
    )


def blind_index_fields(
    *, include_unmanaged: bool = False
) -> list[tuple[type[models.Model], BlindIndexField]]:
    """Return ``(model, field)`` for every blind index column, as :func:`encrypted_fields`."""
    return cast(
        "list[tuple[type[models.Model], BlindIndexField]]",
        _fields_of_type(BlindIndexField, include_unmanaged=include_unmanaged),
    )


def mask_hint_fields(
    *, include_unmanaged: bool = False
) -> list[tuple[type[models.Model], MaskHintField]]:
    """Return ``(model, field)`` for every mask hint column, as :func:`encrypted_fields`."""
    return cast(
        "list[tuple[type[models.Model], MaskHintField]]",
        _fields_of_type(MaskHintField, include_unmanaged=include_unmanaged),
    )
