"""Pinyin keys for searching people by name (e.g. ``"zs"`` or ``"zhangsan"`` for 张三).

Output is lowercase ASCII only: Chinese characters become toneless pinyin
(ü is written ``v``, as pinyin input methods do), ASCII letters and digits
(including full-width ones) are kept lowercased, and everything else (spaces,
the middle dot in transliterated names, punctuation) is dropped.

Readings are looked up one character at a time with ``pypinyin.lazy_pinyin``
(no heteronyms) and cached per character, which keeps bulk imports of tens of
thousands of rows fast. Because there is no phrase context, the first
character uses a small table of surname readings (曾 -> zeng, 单 -> shan, ...)
where the everyday reading differs.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

__all__ = ["name_initials", "name_pinyin"]

# Surnames whose reading differs from pypinyin's default single-character
# reading. Applied to the first character of a name only.
_SURNAME_READINGS: dict[str, str] = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "查": "zha",
    "朴": "piao",
    "缪": "miao",
    "翟": "zhai",
    "覃": "qin",
    "召": "shao",
}


@lru_cache(maxsize=16384)
def _char_pinyin(char: str) -> str:
    """Toneless lowercase pinyin of one character, or the ASCII letter/digit itself, or ''."""
    folded = unicodedata.normalize(
        "NFKC", char
    )  # full-width -> ASCII, compatibility ideographs
    if folded.isascii():
        return "".join(c.lower() for c in folded if c.isalnum())
    readings = lazy_pinyin(folded, style=Style.NORMAL, errors="ignore")
    return "".join(readings).lower() if readings and readings[0].isascii() else ""


@lru_cache(maxsize=65536)
def _syllables(name: str) -> tuple[str, ...]:
    """Syllables of a whole name, cached: names repeat a lot in a county (and in an import)."""
    syllables: list[str] = []
    for index, char in enumerate(name.strip()):
        reading = _SURNAME_READINGS.get(char) if index == 0 else None
        syllable = reading if reading is not None else _char_pinyin(char)
        if syllable:
            syllables.append(syllable)
    return tuple(syllables)


def name_pinyin(name: str) -> str:
    """Full pinyin without separators: ``"张三"`` -> ``"zhangsan"``, ``"李 2"`` -> ``"li2"``."""
    if not name:
        return ""
    return "".join(_syllables(name))


def name_initials(name: str) -> str:
    """Initial letters: ``"张三"`` -> ``"zs"``; ASCII letters/digits are kept whole.

    ``"欧阳娜娜"`` -> ``"oynn"``, ``"李 2"`` -> ``"l2"``.
    """
    if not name:
        return ""
    # A Chinese character contributes the first letter of its syllable; an
    # ASCII letter/digit is its own one-character "syllable".
    return "".join(syllable[0] for syllable in _syllables(name))
