"""Tests for core.pinyin (name search keys)."""

from __future__ import annotations

import pytest

from core.pinyin import name_initials, name_pinyin


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("张三", "zhangsan", "zs"),
        ("欧阳娜娜", "ouyangnana", "oynn"),
        ("李 2", "li2", "l2"),
        ("吕女士", "lvnvshi", "lns"),
        ("王小明A", "wangxiaominga", "wxma"),
        ("ＡＢ张", "abzhang", "abz"),
        ("迪丽热巴·迪力木拉提", "dilirebadilimulati", "dlrbdlmlt"),
        ("  赵六  ", "zhaoliu", "zl"),
        ("Tom", "tom", "tom"),
        ("", "", ""),
        ("!@#·", "", ""),
    ],
)
def test_pinyin_and_initials(name: str, full: str, initials: str) -> None:
    assert name_pinyin(name) == full
    assert name_initials(name) == initials


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("曾小明", "zengxiaoming", "zxm"),
        ("单田芳", "shantianfang", "stf"),
        ("解放", "xiefang", "xf"),
    ],
)
def test_surname_readings_apply_to_first_character(
    name: str, full: str, initials: str
) -> None:
    assert name_pinyin(name) == full
    assert name_initials(name) == initials


def test_surname_table_only_for_first_character() -> None:
    # 曾 inside a given name keeps pypinyin's default reading.
    assert name_pinyin("王曾") == "wangceng"


def test_output_is_lowercase_ascii() -> None:
    for name in ("张三", "欧阳娜娜", "李 2", "ＸＹＺ", "Émile 王", "𠀀"):
        for result in (name_pinyin(name), name_initials(name)):
            assert result == result.lower()
            assert result.isascii()
