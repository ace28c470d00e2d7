"""Encrypted model fields, blind indexes and mask hints.

``EncryptedTextField``, ``EncryptedDateField`` and ``EncryptedDecimalField`` store an
AES-256-GCM token (see :mod:`compliance.crypto`) in a ``text`` column and give Python code a
``str``, ``datetime.date`` or ``decimal.Decimal``. The encryption context is
``"<app_label>.<model_name>.<field_name>"`` and each token is bound to its row's
:class:`RecordKeyField` (a UUID set before the row is inserted), so a token copied into
another column, or onto another row, does not decrypt. Renaming the model or the field
changes that context: pass the old one as ``encryption_context=`` to keep existing rows
readable.

Reading is lazy. A loaded row keeps its token (a :class:`Ciphertext`) until the attribute
is first read, and a ``DecryptionError`` can name the row. The plaintext is then cached on
the instance. Saving writes the original token back when the value was not changed, so
loading and saving a row never re-encrypts it.

A masked value needs no decryption: a :class:`MaskHintField` keeps, in clear beside the
ciphertext, exactly what the mask shows (``138****5678``), computed when the value is
written. Kinds whose mask shows nothing of the value (a date, an amount, free text) need no
hint; see :func:`stored_mask`.

What the database cannot do with these columns, by design:

* No lookup compares plaintext. Only ``isnull``, ``=None``, ``key_id`` (values still under a
  given key, for rotation) and ``=Ciphertext(...)`` (the same token, for compare-and-swap)
  are accepted; anything else raises ``FieldError``. Look values up through a
  :class:`BlindIndexField`.
* Ordering by an encrypted column orders by random ciphertext, which means nothing; a
  system check refuses it in ``Meta.ordering``, and ``order_by()`` on it must not be used.
* ``unique``, ``db_index``, ``primary_key`` and ``db_default`` are refused by system checks:
  every encryption of the same value differs.
* The ciphertext length reveals the plaintext length.

``QuerySet.update()`` and ``bulk_update()`` cannot take a plaintext for an encrypted column
(there is no row to bind it to: ``FieldError``); pass a :class:`Ciphertext` from
``field.encrypt_value(value, row=instance)``, or assign on the instance and save.

``QuerySet.update()``, ``bulk_update()`` and ``save(update_fields=[...])`` bypass or skip a
:class:`BlindIndexField` or :class:`MaskHintField` unless it is updated too: list it in
``update_fields``, or set it with :func:`mask_hint_for` / :func:`set_mask_hints`.

Forms, serializers and ``dumpdata`` read the attribute, so they see plaintext: access
control and masking are applied above this layer, and fixtures of real data are sensitive.

The classes live in submodules (``encrypted``, ``derived``, ``hints``, ``registry``);
import them from here, which is also the path migrations name.
"""

from compliance.fields.derived import BlindIndexField, DerivedField, MaskHintField
from compliance.fields.encrypted import (
    Ciphertext,
    EncryptedAttribute,
    EncryptedDateField,
    EncryptedDecimalField,
    EncryptedField,
    EncryptedTextField,
    RecordKeyField,
    record_key_field,
    stored_value,
)
from compliance.fields.hints import hint_fields_of, mask_hint_for, set_mask_hints, stored_mask
from compliance.fields.registry import blind_index_fields, encrypted_fields, mask_hint_fields

__all__ = [
    "BlindIndexField",
    "Ciphertext",
    "DerivedField",
    "EncryptedAttribute",
    "EncryptedDateField",
    "EncryptedDecimalField",
    "EncryptedField",
    "EncryptedTextField",
    "MaskHintField",
    "RecordKeyField",
    "blind_index_fields",
    "encrypted_fields",
    "hint_fields_of",
    "mask_hint_fields",
    "mask_hint_for",
    "record_key_field",
    "set_mask_hints",
    "stored_mask",
    "stored_value",
]
