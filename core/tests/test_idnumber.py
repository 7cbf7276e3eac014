"""Tests for core.idnumber (GB 11643-1999 resident ID numbers)."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from core.idnumber import (
    IdInfo,
    generate_id_number,
    id_check_digit,
    normalize_id_number,
    parse_id_number,
    validate_id_number,
)

# Synthetic numbers with correct check characters (computed by hand from the
# GB 11643 weights; none belongs to a real person as far as we know).
VALID_MALE = "654322198511031235"  # 17th digit 3 -> male
VALID_FEMALE = "110105199001010029"  # 17th digit 2 -> female
VALID_X = "11010519491231002X"  # check character X
TODAY = date(2024, 6, 1)


def _error(value: str, *, today: date = TODAY) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        parse_id_number(value, today=today)
    return excinfo.value


class TestCheckDigit:
    def test_known_values(self) -> None:
        assert id_check_digit("65432219851103123") == "5"
        assert id_check_digit("11010519900101002") == "9"
        assert id_check_digit("11010519491231002") == "X"

    @pytest.mark.parametrize(
        "bad",
        ["", "1234", "1101051990010100", "110105199001010021", "1101051990010100a"],
    )
    def test_rejects_non_17_digits(self, bad: str) -> None:
        with pytest.raises(ValueError):
            id_check_digit(bad)


class TestNormalize:
    def test_strips_and_uppercases_x(self) -> None:
        assert normalize_id_number("  11010519491231002x\n") == VALID_X

    def test_full_width_digits_and_x(self) -> None:
        full = "１１０１０５１９４９１２３１００２ｘ"
        assert normalize_id_number(full) == VALID_X
        assert normalize_id_number("１１０１０５１９４９１２３１００２Ｘ") == VALID_X

    def test_full_width_space_is_stripped(self) -> None:
        assert normalize_id_number("\u3000" + VALID_MALE + "\u3000") == VALID_MALE


class TestParseValid:
    def test_round_trip_male(self) -> None:
        info = parse_id_number(VALID_MALE, today=TODAY)
        assert info == IdInfo(
            number=VALID_MALE,
            region_code="654322",
            birth_date=date(1985, 11, 3),
            gender="M",
        )

    def test_female(self) -> None:
        info = parse_id_number(VALID_FEMALE, today=TODAY)
        assert info.gender == "F"
        assert info.birth_date == date(1990, 1, 1)
        assert info.region_code == "110105"

    def test_lowercase_and_full_width_input_is_normalized(self) -> None:
        assert parse_id_number(" 11010519491231002x ", today=TODAY).number == VALID_X
        assert (
            parse_id_number("１１０１０５１９４９１２３１００２ｘ", today=TODAY).number
            == VALID_X
        )

    def test_idinfo_is_frozen(self) -> None:
        info = parse_id_number(VALID_MALE, today=TODAY)
        with pytest.raises(AttributeError):
            info.gender = "F"  # type: ignore[misc]

    def test_birth_date_today_is_allowed(self) -> None:
        first17 = "11010520240601001"
        number = first17 + id_check_digit(first17)
        assert parse_id_number(number, today=date(2024, 6, 1)).birth_date == date(
            2024, 6, 1
        )

    def test_leap_day_and_1900_lower_bound(self) -> None:
        for first17 in ("11010520000229004", "11010519000101001"):
            number = first17 + id_check_digit(first17)
            parse_id_number(number, today=TODAY)

    def test_default_today_uses_current_date(self) -> None:
        assert parse_id_number(VALID_MALE).number == VALID_MALE

    def test_all_province_boundaries_accepted(self) -> None:
        for province in (
            "11",
            "15",
            "21",
            "23",
            "31",
            "37",
            "41",
            "46",
            "50",
            "54",
            "61",
            "65",
            "71",
            "81",
            "82",
        ):
            first17 = province + "0101" + "19800101" + "123"
            parse_id_number(first17 + id_check_digit(first17), today=TODAY)


class TestParseErrors:
    def test_fifteen_digit_number_rejected_with_clear_message(self) -> None:
        err = _error("110105900101002")
        assert err.code == "length"
        assert err.messages == ["身份证号为 15 位旧版号码，请填写 18 位身份证号"]

    @pytest.mark.parametrize("value", ["", "1234567", "6543221985110312351"])
    def test_wrong_length(self, value: str) -> None:
        err = _error(value)
        assert err.code == "length"
        assert err.messages == [
            f"身份证号长度不正确：应为 18 位，实际为 {len(value)} 位"
        ]

    @pytest.mark.parametrize(
        "value", ["65432219851103123A", "6543221985110312X5", "65432219851103 235"]
    )
    def test_format(self, value: str) -> None:
        err = _error(value)
        assert err.code == "format"
        assert err.messages == [
            "身份证号格式不正确：前 17 位应为数字，最后一位应为数字或 X"
        ]

    def test_non_string_is_format_error(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            parse_id_number(654322198511031235, today=TODAY)  # type: ignore[arg-type]
        assert excinfo.value.code == "format"

    @pytest.mark.parametrize(
        "province",
        [
            "00",
            "10",
            "16",
            "20",
            "24",
            "30",
            "38",
            "40",
            "47",
            "55",
            "60",
            "66",
            "70",
            "72",
            "80",
            "83",
            "99",
        ],
    )
    def test_region(self, province: str) -> None:
        first17 = province + "0101" + "19800101" + "123"
        err = _error(first17 + id_check_digit(first17))
        assert err.code == "region"
        assert err.messages == [
            f"身份证号地区码无效：{province} 不是有效的省级行政区划代码"
        ]

    @pytest.mark.parametrize(
        "birth", ["19900230", "19900001", "19901301", "19900100", "20230229"]
    )
    def test_impossible_birth_date(self, birth: str) -> None:
        first17 = "110105" + birth + "002"
        err = _error(first17 + id_check_digit(first17))
        assert err.code == "birth_date"
        assert err.messages == [f"身份证号中的出生日期无效：{birth} 不是真实存在的日期"]

    def test_birth_date_before_1900(self) -> None:
        first17 = "11010518991231002"
        err = _error(first17 + id_check_digit(first17))
        assert err.code == "birth_date"
        assert err.messages == ["身份证号中的出生日期无效：不能早于 1900 年"]

    def test_future_birth_date(self) -> None:
        first17 = "11010520240602002"  # one day after TODAY
        err = _error(first17 + id_check_digit(first17))
        assert err.code == "future"
        assert err.messages == ["身份证号中的出生日期晚于今天"]

    def test_wrong_check_digit_names_expected_digit(self) -> None:
        err = _error("654322198511031230")
        assert err.code == "check_digit"
        assert err.messages == ["身份证号校验位错误：应为 5"]

    def test_wrong_check_digit_expected_x(self) -> None:
        err = _error("110105194912310021")
        assert err.code == "check_digit"
        assert err.messages == ["身份证号校验位错误：应为 X"]

    def test_every_single_digit_typo_in_check_is_caught(self) -> None:
        for wrong in "0123456789X":
            if wrong == VALID_MALE[-1]:
                continue
            assert _error(VALID_MALE[:17] + wrong).code == "check_digit"


class TestValidator:
    def test_accepts_valid(self) -> None:
        assert validate_id_number(VALID_FEMALE) is None

    def test_raises_validation_error(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            validate_id_number("654322198511031230")
        assert excinfo.value.code == "check_digit"


class TestGenerate:
    def test_generated_numbers_validate_and_encode_inputs(self) -> None:
        rng = random.Random(20240601)
        for _ in range(500):
            birth = date.fromordinal(
                rng.randint(date(1920, 1, 1).toordinal(), TODAY.toordinal())
            )
            gender = rng.choice("MF")
            number = generate_id_number(rng, birth_date=birth, gender=gender)
            info = parse_id_number(number, today=TODAY)
            assert info.region_code == "654322"
            assert info.birth_date == birth
            assert info.gender == gender

    def test_custom_region_code(self) -> None:
        number = generate_id_number(
            random.Random(1),
            region_code="110105",
            birth_date=date(1970, 5, 4),
            gender="F",
        )
        assert number.startswith("11010519700504")
        assert parse_id_number(number, today=TODAY).gender == "F"

    def test_seeded_rng_is_reproducible(self) -> None:
        kwargs = {"birth_date": date(1980, 1, 1), "gender": "M"}
        first = [generate_id_number(random.Random(7), **kwargs) for _ in range(3)]  # type: ignore[arg-type]
        assert len(set(first)) == 1
        rng = random.Random(7)
        many = {generate_id_number(rng, **kwargs) for _ in range(50)}  # type: ignore[arg-type]
        assert len(many) > 10  # sequence digits vary

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"region_code": "65432", "birth_date": date(1980, 1, 1), "gender": "M"},
            {"region_code": "00432a", "birth_date": date(1980, 1, 1), "gender": "M"},
            {"region_code": "994322", "birth_date": date(1980, 1, 1), "gender": "M"},
            {"birth_date": date(1980, 1, 1), "gender": "male"},
            {"birth_date": date(1899, 12, 31), "gender": "F"},
        ],
    )
    def test_invalid_arguments(self, kwargs: dict[str, object]) -> None:
        with pytest.raises(ValueError):
            generate_id_number(random.Random(0), **kwargs)  # type: ignore[arg-type]
