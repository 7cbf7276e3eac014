"""Masking of personal information for display, logs and exports.

Every function here is total: it accepts ``None``, empty, short or malformed
input, never raises, and never returns the complete original value (at least
one character is always replaced by ``*``).
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = [
    "MASK_KINDS",
    "mask_id_number",
    "mask_mobile",
    "mask_name",
    "mask_text",
    "mask_value",
]

_MASK = "*"


def _mask_middle(value: str, keep_head: int, keep_tail: int) -> str:
    """Keep ``keep_head``/``keep_tail`` characters and star the rest.

    When the value is too short for that, keep at most the first character so
    that the bulk of the value is still hidden.
    """
    length = len(value)
    if length > keep_head + keep_tail:
        tail = value[length - keep_tail :] if keep_tail else ""
        return value[:keep_head] + _MASK * (length - keep_head - keep_tail) + tail
    if length <= 2:
        return _MASK * length
    return value[0] + _MASK * (length - 1)


def _clean(value: object) -> str:
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value).strip()


def mask_id_number(value: str | None) -> str:
    """``"110105199001010021"`` -> ``"110105********0021"`` (keep first 6 and last 4)."""
    return _mask_middle(_clean(value), 6, 4)


def mask_mobile(value: str | None) -> str:
    """``"13812345678"`` -> ``"138****5678"`` (keep first 3 and last 4)."""
    return _mask_middle(_clean(value), 3, 4)


def mask_name(value: str | None) -> str:
    """``"张三"`` -> ``"张*"``, ``"欧阳娜娜"`` -> ``"欧***"``; a single character becomes ``"*"``."""
    name = _clean(value)
    if len(name) <= 1:
        return _MASK * len(name)
    return name[0] + _MASK * (len(name) - 1)


def mask_text(value: str | None) -> str:
    """Free text: first character plus ``"***"`` (length is not revealed)."""
    text = _clean(value)
    if not text:
        return ""
    if len(text) == 1:
        return _MASK * 3
    return text[0] + _MASK * 3


_MASKERS: dict[str, Callable[[str | None], str]] = {
    "id_number": mask_id_number,
    "mobile": mask_mobile,
    "name": mask_name,
    "text": mask_text,
}

#: The kinds understood by :func:`mask_value`.
MASK_KINDS: frozenset[str] = frozenset(_MASKERS)


def mask_value(kind: str, value: str | None) -> str:
    """Mask ``value`` according to ``kind`` ("id_number", "mobile", "name" or "text").

    Unknown kinds fall back to the "text" rule rather than raising, so a typo
    can never leak a value.
    """
    return _MASKERS.get(kind, mask_text)(value)
