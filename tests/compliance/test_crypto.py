"""The key ring, AES-GCM tokens, rotation and blind indexes of compliance.crypto."""

from __future__ import annotations

import base64
import pickle
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from compliance.crypto import (
    TOKEN_PREFIX_FORMAT,
    DecryptionError,
    DecryptionFailure,
    KeyRing,
    blind_index,
    current_key_id,
    decrypt,
    encrypt,
    generate_key,
    get_keyring,
    key_id_of,
    plaintext_length,
    reencrypt,
    token_prefix,
)

CONTEXT = "customers.customer.phone"
OTHER_CONTEXT = "customers.customer.email"
TOKEN_PATTERN = re.compile(r"v2:[A-Za-z0-9_-]{1,16}:[A-Za-z0-9_-]+")

# Keys are set once per test by a function-scoped fixture and do not change between the
# generated examples, so the health check about such fixtures does not apply.
property_test = hypothesis_settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)


@pytest.fixture
def old_key():
    return generate_key()


@pytest.fixture
def new_key():
    return generate_key()


@pytest.fixture(autouse=True)
def keys(settings, old_key):
    settings.FIELD_ENCRYPTION_KEYS = [f"k1:{old_key}"]
    settings.BLIND_INDEX_KEY = generate_key()
    settings.BANK_PHONE_REGION = "CN"
    return settings


def _flip(token: str, index: int, mask: int) -> str:
    return token[:index] + chr(ord(token[index]) ^ mask) + token[index + 1 :]


class TestRoundTrip:
    @pytest.mark.parametrize(
        "plaintext", ["", "13800138000", "张三 · 上海市浦东新区陆家嘴环路1000号", "naïve 😀", "a" * 10_000]
    )
    def test_examples_round_trip(self, plaintext):
        assert decrypt(encrypt(plaintext, context=CONTEXT), context=CONTEXT) == plaintext

    @property_test
    @given(st.text())
    def test_any_text_round_trips(self, plaintext):
        token = encrypt(plaintext, context=CONTEXT)

        assert decrypt(token, context=CONTEXT) == plaintext

    @property_test
    @given(st.text())
    def test_token_is_ascii_with_version_and_key_id(self, plaintext):
        token = encrypt(plaintext, context=CONTEXT)

        assert TOKEN_PATTERN.fullmatch(token)
        assert token.startswith(token_prefix("k1"))
        assert key_id_of(token) == "k1"

    def test_each_encryption_uses_a_fresh_nonce(self):
        tokens = {encrypt("13800138000", context=CONTEXT) for _ in range(50)}

        assert len(tokens) == 50

    def test_token_prefix_matches_the_sql_pattern_format(self):
        assert token_prefix("k1") == TOKEN_PREFIX_FORMAT.format(key_id="k1") == "v2:k1:"

    def test_token_prefix_refuses_an_invalid_key_id(self):
        with pytest.raises(ValueError):
            token_prefix("k1%")

    def test_encrypt_refuses_non_text(self):
        with pytest.raises(TypeError):
            encrypt(b"13800138000", context=CONTEXT)


class TestTampering:
    @property_test
    @given(st.text(), st.data())
    def test_a_changed_character_anywhere_fails_instead_of_decrypting(self, plaintext, data):
        token = encrypt(plaintext, context=CONTEXT)
        index = data.draw(st.integers(min_value=0, max_value=len(token) - 1), label="index")
        mask = data.draw(st.integers(min_value=1, max_value=127), label="mask")
        tampered = _flip(token, index, mask)

        with pytest.raises(DecryptionError) as raised:
            decrypt(tampered, context=CONTEXT)

        assert raised.value.reason in {
            DecryptionFailure.MALFORMED,
            DecryptionFailure.UNKNOWN_KEY,
            DecryptionFailure.AUTHENTICATION,
        }

    def test_a_changed_body_byte_is_an_authentication_failure(self):
        token = encrypt("13800138000", context=CONTEXT)
        prefix, body = token[:6], token[6:]
        raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        raw[20] ^= 0x01
        tampered = prefix + base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()

        with pytest.raises(DecryptionError) as raised:
            decrypt(tampered, context=CONTEXT, row=42)

        assert raised.value.reason is DecryptionFailure.AUTHENTICATION
        assert str(raised.value) == (
            "Cannot decrypt customers.customer.phone (row 42): authentication failed "
            "(tampered value, or a value from another column)."
        )

    def test_a_token_from_another_column_does_not_decrypt(self):
        token = encrypt("13800138000", context=OTHER_CONTEXT)

        with pytest.raises(DecryptionError) as raised:
            decrypt(token, context=CONTEXT)

        assert raised.value.reason is DecryptionFailure.AUTHENTICATION
        assert raised.value.context == CONTEXT

    def test_relabelling_a_token_with_another_key_id_fails_authentication(self, settings, new_key):
        token = encrypt("13800138000", context=CONTEXT)
        settings.FIELD_ENCRYPTION_KEYS = [*settings.FIELD_ENCRYPTION_KEYS, f"k2:{new_key}"]

        with pytest.raises(DecryptionError) as raised:
            decrypt(token.replace("v2:k1:", "v2:k2:"), context=CONTEXT)

        assert raised.value.reason is DecryptionFailure.AUTHENTICATION

    @pytest.mark.parametrize(
        "token",
        [
            "",
            "13800138000",
            "v1:k1:",
            "v1:k1:abc",
            "v3:k1:" + "A" * 40,
            "v1:k1:" + "A" * 40 + "=",
            "v1:k1:" + "A" * 39 + "+",
            "v1:bad id:" + "A" * 40,
            "v1:k1:AAAA:AAAA",
        ],
    )
    def test_malformed_tokens_are_reported_as_malformed(self, token):
        with pytest.raises(DecryptionError) as raised:
            decrypt(token, context=CONTEXT, row=7)

        assert raised.value.reason is DecryptionFailure.MALFORMED
        assert str(raised.value) == "Cannot decrypt customers.customer.phone (row 7): malformed token."

    def test_non_string_token_is_malformed(self):
        with pytest.raises(DecryptionError) as raised:
            decrypt(None, context=CONTEXT)

        assert raised.value.reason is DecryptionFailure.MALFORMED

    def test_non_canonical_base64_body_is_refused(self):
        token = encrypt("x", context=CONTEXT)  # 29 raw bytes: the last character has spare bits
        body = token[6:]
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        last = alphabet.index(body[-1])
        same_bytes = token[:-1] + alphabet[last ^ 0b0001]
        assert base64.urlsafe_b64decode(same_bytes[6:] + "===") == base64.urlsafe_b64decode(body + "===")

        with pytest.raises(DecryptionError) as raised:
            decrypt(same_bytes, context=CONTEXT)

        assert raised.value.reason is DecryptionFailure.MALFORMED


class TestMessagesNeverLeak:
    @property_test
    @given(st.text(min_size=1))
    def test_no_failure_message_contains_the_plaintext_or_the_token(self, text):
        plaintext = f"PLAINTEXT-{text}"
        token = encrypt(plaintext, context=CONTEXT)
        body = token.split(":")[2]
        attempts = [
            lambda: decrypt(token, context=OTHER_CONTEXT, row=3),
            lambda: decrypt(_flip(token, len(token) - 5, 1), context=CONTEXT),
            lambda: decrypt(token[:-3], context=CONTEXT),
        ]
        for attempt in attempts:
            with pytest.raises(DecryptionError) as raised:
                attempt()
            message = str(raised.value)
            assert "PLAINTEXT" not in message
            assert body[:16] not in message

    def test_row_given_as_instance_is_named_by_primary_key_not_by_str(self):
        class Customer:
            pk = 1234

            def __str__(self):
                return "Zhang San, 110105194912310021"

        token = encrypt("x", context=OTHER_CONTEXT)

        with pytest.raises(DecryptionError) as raised:
            decrypt(token, context=CONTEXT, row=Customer())

        assert "(row 1234)" in str(raised.value)
        assert "Zhang" not in str(raised.value)
        assert raised.value.row_id == 1234

    def test_key_id_of_a_malformed_token_does_not_echo_it(self):
        with pytest.raises(ValueError) as raised:
            key_id_of("13800138000")

        assert "13800138000" not in str(raised.value)

    def test_plaintext_length_is_read_from_the_token_without_decrypting(self, decryption_log):
        lengths = [plaintext_length(encrypt(text, context=CONTEXT)) for text in ("", "  ", "Zhang", "張偉")]

        assert lengths == [0, 2, 5, 6]
        assert decryption_log == []
        with pytest.raises(ValueError) as raised:
            plaintext_length("13800138000")
        assert "13800138000" not in str(raised.value)

    def test_decryption_error_survives_pickling(self):
        error = DecryptionError(context=CONTEXT, reason=DecryptionFailure.UNKNOWN_KEY, row_id=9, key_id="k0")

        # Our own bytes, just produced: nothing untrusted is unpickled.
        copy = pickle.loads(pickle.dumps(error))  # noqa: S301

        assert str(copy) == str(error)
        assert (copy.context, copy.reason, copy.row_id, copy.key_id) == (
            CONTEXT,
            DecryptionFailure.UNKNOWN_KEY,
            9,
            "k0",
        )


class TestRotation:
    def test_new_first_key_encrypts_and_old_key_still_decrypts(self, settings, old_key, new_key):
        old_token = encrypt("13800138000", context=CONTEXT)

        settings.FIELD_ENCRYPTION_KEYS = [f"k2:{new_key}", f"k1:{old_key}"]

        assert current_key_id() == "k2"
        assert decrypt(old_token, context=CONTEXT) == "13800138000"
        assert key_id_of(encrypt("13800138000", context=CONTEXT)) == "k2"

    @property_test
    @given(st.text())
    def test_reencrypt_moves_a_value_to_the_current_key(self, keys, old_key, new_key, text):
        keys.FIELD_ENCRYPTION_KEYS = [f"k1:{old_key}"]
        old_token = encrypt(text, context=CONTEXT)
        keys.FIELD_ENCRYPTION_KEYS = [f"k2:{new_key}", f"k1:{old_key}"]

        new_token = reencrypt(old_token, context=CONTEXT)

        assert key_id_of(new_token) == "k2"
        assert decrypt(new_token, context=CONTEXT) == text
        assert reencrypt(new_token, context=CONTEXT) is new_token

        keys.FIELD_ENCRYPTION_KEYS = [f"k2:{new_key}"]
        assert decrypt(new_token, context=CONTEXT) == text
        with pytest.raises(DecryptionError) as raised:
            decrypt(old_token, context=CONTEXT)
        assert raised.value.reason is DecryptionFailure.UNKNOWN_KEY

    def test_a_token_under_a_removed_key_names_the_unknown_key(self, settings, new_key):
        old_token = encrypt("13800138000", context=CONTEXT)
        settings.FIELD_ENCRYPTION_KEYS = [f"k2:{new_key}"]

        with pytest.raises(DecryptionError) as raised:
            decrypt(old_token, context=CONTEXT, row=5)

        assert str(raised.value) == (
            "Cannot decrypt customers.customer.phone (row 5): unknown key id 'k1': "
            "it is not in FIELD_ENCRYPTION_KEYS."
        )
        assert raised.value.key_id == "k1"
        with pytest.raises(DecryptionError):
            reencrypt(old_token, context=CONTEXT)

    def test_reencrypt_under_the_current_key_returns_the_token_unchanged(self):
        token = encrypt("13800138000", context=CONTEXT)

        assert reencrypt(token, context=CONTEXT) == token

    def test_reencrypt_of_a_malformed_token_raises(self):
        with pytest.raises(DecryptionError) as raised:
            reencrypt("v1:k1:", context=CONTEXT, row=1)

        assert raised.value.reason is DecryptionFailure.MALFORMED

    def test_reencrypt_keeps_the_context_binding(self, settings, old_key, new_key):
        old_token = encrypt("13800138000", context=CONTEXT)
        settings.FIELD_ENCRYPTION_KEYS = [f"k2:{new_key}", f"k1:{old_key}"]

        new_token = reencrypt(old_token, context=CONTEXT)

        with pytest.raises(DecryptionError):
            decrypt(new_token, context=OTHER_CONTEXT)


class TestKeyRingConfiguration:
    def test_keyring_lists_ids_in_order_and_hides_key_material(self, settings, old_key, new_key):
        settings.FIELD_ENCRYPTION_KEYS = [f"k2:{new_key}", f"k1:{old_key}"]

        ring = get_keyring()

        assert ring.key_ids == ("k2", "k1")
        assert ring.current_key_id == "k2"
        assert "k1" in ring
        assert "k3" not in ring
        assert old_key not in repr(ring)
        assert new_key not in repr(ring)

    def test_keyring_is_frozen(self):
        ring = get_keyring()

        with pytest.raises(AttributeError):
            ring.key_ids = ("x",)

    def test_url_safe_unpadded_keys_are_accepted(self, settings):
        raw = bytes(range(251, 255)) * 8
        url_safe = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        assert "-" in url_safe or "_" in url_safe
        settings.FIELD_ENCRYPTION_KEYS = [f"urlsafe_1:{url_safe}"]

        token = encrypt("x", context=CONTEXT)

        assert key_id_of(token) == "urlsafe_1"
        assert decrypt(token, context=CONTEXT) == "x"

    def test_a_missing_setting_is_a_configuration_error(self, settings):
        del settings.FIELD_ENCRYPTION_KEYS

        with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS is not set"):
            encrypt("x", context=CONTEXT)

    @pytest.mark.parametrize("value", [[], (), "k1:abc", None])
    def test_an_empty_or_non_list_setting_is_refused(self, settings, value):
        settings.FIELD_ENCRYPTION_KEYS = value

        with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS"):
            get_keyring()

    def test_a_short_key_is_refused_naming_its_id_but_not_its_material(self, settings, old_key):
        short = base64.b64encode(b"\x01" * 16).decode()
        settings.FIELD_ENCRYPTION_KEYS = [f"k1:{old_key}", f"short:{short}"]

        with pytest.raises(ImproperlyConfigured) as raised:
            get_keyring()

        assert str(raised.value) == (
            "FIELD_ENCRYPTION_KEYS key 'short' is 16 bytes long; it must be exactly 32."
        )

    def test_a_key_that_is_not_base64_is_refused(self, settings):
        settings.FIELD_ENCRYPTION_KEYS = ["k9:not base64!"]

        with pytest.raises(ImproperlyConfigured) as raised:
            get_keyring()

        assert str(raised.value) == "FIELD_ENCRYPTION_KEYS key 'k9' is not valid base64."

    def test_duplicate_key_ids_are_refused(self, settings, old_key, new_key):
        settings.FIELD_ENCRYPTION_KEYS = [f"k1:{old_key}", f"k1:{new_key}"]

        with pytest.raises(ImproperlyConfigured) as raised:
            get_keyring()

        assert str(raised.value) == "FIELD_ENCRYPTION_KEYS lists key id 'k1' more than once."
        assert old_key not in str(raised.value)
        assert new_key not in str(raised.value)

    @pytest.mark.parametrize("key_id", ["", "bad id", "k" * 17, "k1%"])
    def test_invalid_key_ids_are_refused_by_position(self, settings, old_key, key_id):
        settings.FIELD_ENCRYPTION_KEYS = [f"ok:{old_key}", f"{key_id}:{old_key}"]

        with pytest.raises(ImproperlyConfigured) as raised:
            get_keyring()

        assert str(raised.value).startswith("FIELD_ENCRYPTION_KEYS entry 2 has an invalid key id")
        assert old_key not in str(raised.value)

    def test_an_entry_without_key_id_is_refused_without_echoing_it(self, settings, old_key):
        settings.FIELD_ENCRYPTION_KEYS = [old_key]

        with pytest.raises(ImproperlyConfigured) as raised:
            get_keyring()

        assert "entry 1" in str(raised.value)
        assert old_key not in str(raised.value)

    def test_generate_key_gives_distinct_32_byte_keys(self):
        first, second = generate_key(), generate_key()

        assert len(base64.b64decode(first, validate=True)) == 32
        assert first != second
        KeyRing.from_setting([f"k1:{first}", f"k2:{second}"])


class TestBlindIndex:
    @pytest.mark.parametrize(
        "spelling", ["+86 138 0013 8000", "13800138000", "138-0013-8000", "+8613800138000"]
    )
    def test_phone_spellings_share_one_index(self, spelling):
        assert blind_index(spelling, kind="phone") == blind_index("13800138000", kind="phone")

    def test_email_index_ignores_case_and_surrounding_space(self):
        assert blind_index(" Alice@Example.COM", kind="email") == blind_index(
            "alice@example.com", kind="email"
        )

    def test_national_id_index_ignores_spaces_hyphens_and_case(self):
        assert blind_index("110105 19491231-002x", kind="national_id") == blind_index(
            "11010519491231002X", kind="national_id"
        )

    def test_index_is_64_hex_characters(self):
        index = blind_index("13800138000", kind="phone")

        assert re.fullmatch(r"[0-9a-f]{64}", index)

    def test_the_same_digits_index_differently_per_kind(self):
        indexes = {
            blind_index("13800138000", kind=kind) for kind in ("phone", "national_id", "account_number")
        }

        assert len(indexes) == 3

    def test_different_values_index_differently(self):
        assert blind_index("13800138000", kind="phone") != blind_index("13800138001", kind="phone")

    def test_index_depends_on_the_blind_index_key(self, settings):
        before = blind_index("13800138000", kind="phone")
        settings.BLIND_INDEX_KEY = generate_key()

        assert blind_index("13800138000", kind="phone") != before

    def test_index_does_not_depend_on_the_encryption_keys(self, settings, new_key):
        before = blind_index("13800138000", kind="phone")
        settings.FIELD_ENCRYPTION_KEYS = [f"k2:{new_key}"]

        assert blind_index("13800138000", kind="phone") == before

    @pytest.mark.parametrize("value", [None, "", "   "])
    def test_blank_values_have_an_empty_index(self, value):
        assert blind_index(value, kind="phone") == ""

    def test_a_value_that_does_not_normalise_is_refused_without_echoing_it(self):
        with pytest.raises(ValueError) as raised:
            blind_index("call me maybe", kind="phone")

        assert "call me maybe" not in str(raised.value)

    def test_unknown_kind_is_refused(self):
        with pytest.raises(ValueError, match="Unknown normalisation kind"):
            blind_index("x", kind="passport")

    @property_test
    @given(st.text(alphabet="0123456789", min_size=1, max_size=30))
    def test_separators_never_change_an_account_number_index(self, digits):
        spaced = " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))
        assume(spaced != digits)

        assert blind_index(spaced, kind="account_number") == blind_index(digits, kind="account_number")

    def test_a_short_blind_index_key_is_refused(self, settings):
        settings.BLIND_INDEX_KEY = base64.b64encode(b"\x02" * 16).decode()

        with pytest.raises(ImproperlyConfigured) as raised:
            blind_index("13800138000", kind="phone")

        assert str(raised.value) == "BLIND_INDEX_KEY is 16 bytes long; it must be at least 32."

    def test_a_missing_blind_index_key_is_refused(self, settings):
        del settings.BLIND_INDEX_KEY

        with pytest.raises(ImproperlyConfigured, match="BLIND_INDEX_KEY is not set"):
            blind_index("13800138000", kind="phone")

    def test_reusing_an_encryption_key_as_blind_index_key_is_refused(self, settings, old_key):
        settings.BLIND_INDEX_KEY = old_key

        with pytest.raises(ImproperlyConfigured) as raised:
            blind_index("13800138000", kind="phone")

        assert str(raised.value) == "BLIND_INDEX_KEY must differ from FIELD_ENCRYPTION_KEYS key 'k1'."
