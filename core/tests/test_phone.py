"""Tests for core.phone (mainland mobile numbers)."""

from __future__ import annotations

import random

import pytest
from django.core.exceptions import ValidationError

from core.phone import (
    DEMO_MOBILE_PREFIXES,
    generate_mobile,
    normalize_mobile,
    validate_mobile,
)

FORMAT_MESSAGE = "手机号格式不正确：应为 11 位数字，以 1 开头"
SECOND_DIGIT_MESSAGE = "手机号格式不正确：第二位应为 3 至 9 之间的数字"


class TestNormalize:
    @pytest.mark.parametrize(
        "raw",
        [
            "13812345678",
            " 13812345678\n",
            "138 1234 5678",
            "138-1234-5678",
            "１３８１２３４５６７８",
            "+86 138 1234 5678",
            "＋86-13812345678",
            "8613812345678",
            "008613812345678",
            "\u3000138\u30001234\u30005678",
        ],
    )
    def test_variants(self, raw: str) -> None:
        assert normalize_mobile(raw) == "13812345678"

    def test_does_not_strip_86_from_a_plain_number(self) -> None:
        # 11 digits starting with 86 are left alone (and then fail validation).
        assert normalize_mobile("86123456789") == "86123456789"


class TestValidate:
    @pytest.mark.parametrize(
        "number", ["13012345678", "15912345678", "19912345678", "+86 170-0000-0000"]
    )
    def test_valid(self, number: str) -> None:
        assert validate_mobile(number) is None

    @pytest.mark.parametrize(
        "number",
        [
            "",
            "1381234567",
            "138123456789",
            "23812345678",
            "1381234567a",
            "86123456789",
            "phone",
        ],
    )
    def test_format_error(self, number: str) -> None:
        with pytest.raises(ValidationError) as excinfo:
            validate_mobile(number)
        assert excinfo.value.code == "format"
        assert excinfo.value.messages == [FORMAT_MESSAGE]

    @pytest.mark.parametrize("number", ["10012345678", "11012345678", "12012345678"])
    def test_second_digit_error(self, number: str) -> None:
        with pytest.raises(ValidationError) as excinfo:
            validate_mobile(number)
        assert excinfo.value.code == "format"
        assert excinfo.value.messages == [SECOND_DIGIT_MESSAGE]

    def test_non_ascii_digits_rejected(self) -> None:
        # Arabic-Indic digits are str.isdigit() but not ASCII.
        with pytest.raises(ValidationError):
            validate_mobile("1٣٨12345678")

    def test_non_string(self) -> None:
        with pytest.raises(ValidationError):
            validate_mobile(13812345678)  # type: ignore[arg-type]


class TestGenerate:
    def test_generated_numbers_validate(self) -> None:
        rng = random.Random(42)
        numbers = [generate_mobile(rng) for _ in range(1000)]
        for number in numbers:
            validate_mobile(number)
            assert len(number) == 11
            assert number[:3] in DEMO_MOBILE_PREFIXES
        assert len(set(numbers)) > 990
        assert {number[:3] for number in numbers} == set(DEMO_MOBILE_PREFIXES)

    def test_seeded_rng_is_reproducible(self) -> None:
        assert generate_mobile(random.Random(3)) == generate_mobile(random.Random(3))
