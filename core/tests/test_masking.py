"""Tests for core.masking (display masking that never leaks the full value)."""

from __future__ import annotations

import pytest

from core.masking import (
    MASK_KINDS,
    mask_id_number,
    mask_mobile,
    mask_name,
    mask_text,
    mask_value,
)


class TestIdNumber:
    def test_keeps_first_six_and_last_four(self) -> None:
        assert mask_id_number("110105199001010021") == "110105********0021"

    def test_birth_date_and_sequence_hidden(self) -> None:
        masked = mask_id_number("654322198511031235")
        assert masked == "654322********1235"
        assert "19851103" not in masked

    def test_x_check_character_kept(self) -> None:
        assert mask_id_number("11010519491231002X") == "110105********002X"


class TestMobile:
    def test_example(self) -> None:
        assert mask_mobile("13812345678") == "138****5678"

    def test_middle_digits_hidden(self) -> None:
        masked = mask_mobile("17098765432")
        assert "9876" not in masked
        assert masked == "170****5432"


class TestName:
    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("张三", "张*"),
            ("欧阳娜娜", "欧***"),
            ("李小龙", "李**"),
            ("李", "*"),
            (" 王五 ", "王*"),
        ],
    )
    def test_names(self, name: str, expected: str) -> None:
        assert mask_name(name) == expected


class TestText:
    def test_first_char_plus_three_stars(self) -> None:
        assert mask_text("新疆维吾尔自治区") == "新***"
        assert mask_text("ab") == "a***"

    def test_single_char_fully_hidden(self) -> None:
        assert mask_text("好") == "***"


class TestMaskValue:
    def test_dispatch(self) -> None:
        assert MASK_KINDS == {"id_number", "mobile", "name", "text"}
        assert mask_value("id_number", "110105199001010021") == "110105********0021"
        assert mask_value("mobile", "13812345678") == "138****5678"
        assert mask_value("name", "张三") == "张*"
        assert mask_value("text", "住址") == "住***"

    def test_unknown_kind_falls_back_to_text(self) -> None:
        assert mask_value("passport", "E12345678") == "E***"

    @pytest.mark.parametrize("kind", ["id_number", "mobile", "name", "text", "unknown"])
    @pytest.mark.parametrize("empty", [None, "", "   "])
    def test_none_and_empty(self, kind: str, empty: str | None) -> None:
        assert mask_value(kind, empty) == ""

    @pytest.mark.parametrize("kind", ["id_number", "mobile", "name", "text", "unknown"])
    @pytest.mark.parametrize(
        "value",
        [
            "1",
            "12",
            "123",
            "1234",
            "12345678",
            "1234567890",
            "12345678901",
            "11010519900101",
            "110105199001010021",
            "张",
            "欧阳娜娜",
        ],
    )
    def test_never_raises_never_leaks(self, kind: str, value: str) -> None:
        masked = mask_value(kind, value)
        assert masked != value
        assert "*" in masked
        # At least one character of the original is hidden.
        assert sum(1 for char in masked if char != "*") < len(value)

    def test_middle_digits_never_visible_for_long_numbers(self) -> None:
        for number in (
            "110105199001010021",
            "654322198511031235",
            "11010519491231002X",
        ):
            assert number[6:14] not in mask_value("id_number", number)
        assert "1234" not in mask_value("mobile", "13812345678")

    def test_non_string_values_tolerated(self) -> None:
        assert mask_value("mobile", 13812345678) == "138****5678"  # type: ignore[arg-type]
