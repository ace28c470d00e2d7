"""Normalisation before blind indexing: equivalent spellings agree, bad values are refused."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from compliance.normalise import (
    KINDS,
    NormalisableValidator,
    display_phone,
    normalise,
    normalise_account_number,
    normalise_date,
    normalise_email,
    normalise_name,
    normalise_national_id,
    normalise_phone,
)

# The suite's autouse fixtures are function-scoped; they set nothing a generated example
# could disturb, so sharing them across examples is intended.
property_test = hypothesis_settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)


@pytest.fixture(autouse=True)
def _phone_region(settings):
    settings.BANK_PHONE_REGION = "CN"


class TestDisplayPhone:
    @pytest.mark.parametrize("spelling",
                             ["15371054937", "153 7105 4937", "+86-153-7105-4937", "+8615371054937"])
    def test_every_spelling_of_a_home_number_shows_in_the_national_format(self, spelling):
        assert display_phone(spelling) == "153 7105 4937"

    def test_a_home_landline_keeps_its_trunk_prefix(self):
        assert display_phone("+86 21 5000 1234") == "021 5000 1234"

    @pytest.mark.parametrize(("spelling", "shown"), [("+44 20 7946 0958", "+44 20 7946 0958"),
                                                     ("+852-2523-1234", "+852 2523 1234")])
    def test_a_foreign_number_shows_in_the_international_format(self, spelling, shown):
        assert display_phone(spelling) == shown

    def test_the_home_region_is_the_setting(self, settings):
        settings.BANK_PHONE_REGION = "GB"
        assert display_phone("+44 20 7946 0958") == "020 7946 0958"
        assert display_phone("+8615371054937") == "+86 153 7105 4937"

    def test_a_value_that_does_not_normalise_is_shown_as_stored(self):
        assert display_phone("  ext. 12 ") == "ext. 12"


class TestNormalisePhone:
    @pytest.mark.parametrize(
        "spelling",
        [
            "+86 138 0013 8000",
            "13800138000",
            "138-0013-8000",
            "(+86) 138 0013 8000",
            "0086 138 0013 8000",
            "+8613800138000",
            "１３８００１３８０００",  # full-width digits from a Chinese input method
            "  138 0013 8000\t",
        ],
    )
    def test_spellings_of_one_mobile_number_give_one_e164(self, spelling):
        assert normalise_phone(spelling) == "+8613800138000"

    def test_explicit_region_overrides_the_bank_region(self):
        assert normalise_phone("07911 123456", region="GB") == "+447911123456"
        assert normalise_phone("07911 123456", region="gb") == "+447911123456"

    def test_default_region_comes_from_settings_at_call_time(self, settings):
        settings.BANK_PHONE_REGION = "GB"

        assert normalise_phone("07911 123456") == "+447911123456"

    def test_number_with_country_code_needs_no_region(self, settings):
        settings.BANK_PHONE_REGION = None

        assert normalise_phone("+44 7911 123456") == "+447911123456"

    def test_number_without_country_code_and_without_region_is_refused(self, settings):
        settings.BANK_PHONE_REGION = None

        with pytest.raises(ValueError, match="country code"):
            normalise_phone("13800138000")

    @pytest.mark.parametrize("value", ["hello", "123", "+86 1", "", "138001380001380013800"])
    def test_impossible_numbers_are_refused_without_echoing_them(self, value):
        with pytest.raises(ValueError) as raised:
            normalise_phone(value)

        if value:
            assert value not in str(raised.value)

    def test_a_number_without_one_canonical_form_is_refused(self):
        # "+31 0000000" formats as "+31000000", which itself parses as another number.
        with pytest.raises(ValueError, match="canonical"):
            normalise_phone("+310000000")

    def test_unknown_region_argument_is_refused(self):
        with pytest.raises(ValueError, match="region"):
            normalise_phone("13800138000", region="XX")

    def test_unknown_bank_region_setting_is_a_configuration_error(self, settings):
        settings.BANK_PHONE_REGION = "China"

        with pytest.raises(ImproperlyConfigured, match="BANK_PHONE_REGION"):
            normalise_phone("13800138000")

    def test_non_string_is_a_type_error(self):
        with pytest.raises(TypeError):
            normalise_phone(13800138000)


class TestNormaliseEmail:
    @pytest.mark.parametrize(
        "spelling",
        [
            "alice.smith@example.com",
            "Alice.Smith@Example.COM",
            "  ALICE.SMITH@EXAMPLE.COM \n",
            "alice.smith＠example.com",  # full-width at sign
        ],
    )
    def test_case_and_surrounding_space_do_not_matter(self, spelling):
        assert normalise_email(spelling) == "alice.smith@example.com"

    @pytest.mark.parametrize(
        "value", ["alice.example.com", "a@b@example.com", "@example.com", "alice@", "al ice@x.cn"]
    )
    def test_values_without_exactly_one_at_between_two_parts_are_refused(self, value):
        with pytest.raises(ValueError) as raised:
            normalise_email(value)

        assert value not in str(raised.value)

    @property_test
    @given(
        local=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._+", min_size=1),
        domain=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-", min_size=1),
    )
    def test_upper_case_spelling_normalises_like_lower_case(self, local, domain):
        address = f"{local}@{domain}"

        assert normalise_email(address.upper()) == normalise_email(address) == address


IDEMPOTENCE_EXAMPLES = hypothesis_settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None, max_examples=1000
)


class TestIdempotence:
    """A stored index must match a search for the stored (already normalised) spelling."""

    @IDEMPOTENCE_EXAMPLES
    @given(st.text(min_size=1))
    @pytest.mark.parametrize("kind", ["email", "national_id", "name", "account_number", "date"])
    def test_normalising_twice_changes_nothing(self, kind, value):
        try:
            once = normalise(value, kind)
        except ValueError:
            return
        assert normalise(once, kind) == once

    @IDEMPOTENCE_EXAMPLES
    @given(st.from_regex(r"\+?[0-9 ()-]{1,25}", fullmatch=True))
    def test_phone_normalising_twice_changes_nothing(self, value):
        try:
            once = normalise_phone(value)
        except ValueError:
            return
        assert normalise_phone(once) == once


class TestNormaliseNationalId:
    @pytest.mark.parametrize(
        "spelling",
        [
            "11010519491231002X",
            "11010519491231002x",
            "110105 19491231 002x",
            "110105-19491231-002X",
            "１１０１０５１９４９１２３１００２ｘ",  # full-width
            " 110105\u300019491231\u2013002x ",  # ideographic space, en dash
        ],
    )
    def test_spaces_hyphens_and_case_do_not_matter(self, spelling):
        assert normalise_national_id(spelling) == "11010519491231002X"

    @pytest.mark.parametrize("value", ["", "   ", " - - "])
    def test_nothing_left_is_refused(self, value):
        with pytest.raises(ValueError, match="empty"):
            normalise_national_id(value)

    def test_accents_that_nfkc_splits_compose_the_same_way_every_time(self):
        assert normalise_national_id("A\u00b4") == normalise_national_id("\u00c1") == "\u00c1"


class TestNormaliseName:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("  Zhang   SAN ", "zhang san"),
            ("Zhang\t\nSan", "zhang san"),
            ("Straße", "strasse"),
            ("ＺＨＡＮＧ　Ｓａｎ", "zhang san"),  # full-width letters and ideographic space
            ("张三", "张三"),
            ("", ""),
        ],
    )
    def test_case_width_and_whitespace_are_folded(self, value, expected):
        assert normalise_name(value) == expected

    @property_test
    @given(st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", min_size=1), min_size=1))
    def test_spacing_and_case_of_words_do_not_matter(self, words):
        assert normalise_name("  \t".join(words).upper()) == normalise_name(" ".join(words))


class TestNormaliseAccountNumber:
    @pytest.mark.parametrize(
        "spelling",
        [
            "6222021234567890",
            "6222 0212 3456 7890",
            "6222-0212-3456-7890",
            "６２２２０２１２３４５６７８９０",
        ],
    )
    def test_separators_are_removed(self, spelling):
        assert normalise_account_number(spelling) == "6222021234567890"

    @pytest.mark.parametrize("value", ["", " - ", "AB123", "12.34", "١٢٣"])
    def test_anything_but_ascii_digits_is_refused(self, value):
        with pytest.raises(ValueError) as raised:
            normalise_account_number(value)

        if value.strip(" -"):
            assert value not in str(raised.value)


class TestNormaliseDate:
    @pytest.mark.parametrize(
        "spelling",
        [
            "1980-01-02",
            "1980-1-2",
            "1980/01/02",
            "1980.1.2",
            "19800102",
            " 1980年1月2日 ",
            "１９８０-０１-０２",
        ],
    )
    def test_spellings_of_one_day_give_iso_8601(self, spelling):
        assert normalise_date(spelling) == "1980-01-02"

    @pytest.mark.parametrize("value", ["", "02/01/1980", "1980-13-01", "1981-02-29", "yesterday", "1980-01"])
    def test_anything_but_an_existing_year_month_day_is_refused(self, value):
        with pytest.raises(ValueError) as raised:
            normalise_date(value)

        if value:
            assert value not in str(raised.value)

    @property_test
    @given(st.dates())
    def test_a_python_date_in_iso_form_normalises_to_itself(self, value):
        assert normalise_date(value.isoformat()) == value.isoformat()

    def test_str_of_a_date_is_accepted(self):
        assert normalise_date(str(datetime.date(2000, 2, 29))) == "2000-02-29"


class TestNormaliseDispatch:
    def test_kinds_are_the_documented_ones(self):
        assert frozenset({"phone", "email", "national_id", "name", "account_number", "date"}) == KINDS

    @pytest.mark.parametrize(
        ("kind", "value", "expected"),
        [
            ("phone", "138-0013-8000", "+8613800138000"),
            ("email", " A@B.CN ", "a@b.cn"),
            ("national_id", "ab-12 3", "AB123"),
            ("name", " Li  Si ", "li si"),
            ("account_number", "12 34", "1234"),
            ("date", "2024/2/29", "2024-02-29"),
        ],
    )
    def test_dispatches_to_the_kind(self, kind, value, expected):
        assert normalise(value, kind) == expected

    def test_unknown_kind_is_refused(self):
        with pytest.raises(ValueError, match="Unknown normalisation kind 'passport'"):
            normalise("X1", "passport")


class TestNormalisableValidator:
    def test_accepts_a_normalisable_value_and_empty_values(self):
        validator = NormalisableValidator("phone")

        validator("138 0013 8000")
        validator("")
        validator(None)

    def test_refuses_a_value_the_index_cannot_normalise(self):
        validator = NormalisableValidator("phone")

        with pytest.raises(ValidationError) as raised:
            validator("not a phone")

        assert raised.value.code == "invalid_phone"
        assert raised.value.messages == ["Enter a valid phone number."]

    def test_deconstructs_for_migrations_and_compares_by_kind(self):
        path, args, kwargs = NormalisableValidator("email").deconstruct()

        assert path == "compliance.normalise.NormalisableValidator"
        assert (args, kwargs) == (("email",), {})
        assert NormalisableValidator("email") == NormalisableValidator(*args)
        assert NormalisableValidator("email") != NormalisableValidator("phone")

    def test_unknown_kind_is_refused(self):
        with pytest.raises(ValueError):
            NormalisableValidator("passport")
