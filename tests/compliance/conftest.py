"""Fixtures of the trust layer's tests: a log of every decryption the key ring performs."""

from __future__ import annotations

import pytest

from compliance.crypto import KeyRing


class _CountingCipher:
    """An AES-GCM cipher that logs the column context of every decryption it performs."""

    def __init__(self, cipher, log: list[str]):
        self._cipher = cipher
        self._log = log

    def encrypt(self, nonce, data, associated_data):
        return self._cipher.encrypt(nonce, data, associated_data)

    def decrypt(self, nonce, data, associated_data):
        # The associated data is "<version>:<key id>:<context>", followed by NUL and the row's
        # identity in the bound format; the context names the column.
        self._log.append(associated_data.decode().split(":", 2)[2].split("\x00")[0])
        return self._cipher.decrypt(nonce, data, associated_data)


@pytest.fixture
def decryption_log(monkeypatch) -> list[str]:
    """The contexts (``app_label.model.field``) of every value decrypted while the test runs.

    Counted where the key ring hands out its ciphers, so a decryption is seen whichever
    module asks for it.
    """
    log: list[str] = []
    original = KeyRing.cipher

    def cipher(self, key_id):
        return _CountingCipher(original(self, key_id), log)

    monkeypatch.setattr(KeyRing, "cipher", cipher)
    return log
