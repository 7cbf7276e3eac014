"""Mainland China mobile phone numbers (11 digits, ``1[3-9]xxxxxxxxx``)."""

from __future__ import annotations

import random
import re

from django.core.exceptions import ValidationError

__all__ = [
    "DEMO_MOBILE_PREFIXES",
    "generate_mobile",
    "normalize_mobile",
    "validate_mobile",
]

#: Virtual-operator (MVNO) prefixes used for made-up demo numbers.
DEMO_MOBILE_PREFIXES: tuple[str, ...] = ("170", "171")

_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")

_FULLWIDTH_DIGITS = str.maketrans(
    {chr(0xFF10 + digit): str(digit) for digit in range(10)}
)
# Separators people type inside phone numbers: spaces (ASCII, full-width,
# no-break) and hyphens (ASCII, full-width, en dash, em dash).
_SEPARATORS_RE = re.compile(r"[\s\u00a0\u3000\-\uff0d\u2013\u2014]+")


def normalize_mobile(value: str) -> str:
    """Return ``value`` with full-width digits made ASCII and separators removed.

    A leading country code (``+86``, ``0086`` or ``86`` followed by 11 digits)
    is dropped, so ``"+86 138-1234-5678"`` becomes ``"13812345678"``.
    Does not validate; pair with :func:`validate_mobile`.
    """
    if _MOBILE_RE.fullmatch(value):  # already normalized: the common case in bulk imports
        return value
    number = _SEPARATORS_RE.sub("", value.translate(_FULLWIDTH_DIGITS))
    number = number.replace("\uff0b", "+")  # FULLWIDTH PLUS SIGN
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("0086") and len(number) == 15:
        number = number[4:]
    elif number.startswith("86") and len(number) == 13:
        number = number[2:]
    return number


def validate_mobile(value: str) -> None:
    """Django validator: raise ``ValidationError`` unless ``value`` is a mainland mobile number.

    The value is normalized first (see :func:`normalize_mobile`).
    """
    if not isinstance(value, str):
        raise ValidationError("手机号格式不正确：应为文本", code="format")
    if _MOBILE_RE.fullmatch(value):
        return
    number = normalize_mobile(value)
    if (
        len(number) != 11
        or not number.isascii()
        or not number.isdigit()
        or number[0] != "1"
    ):
        raise ValidationError(
            "手机号格式不正确：应为 11 位数字，以 1 开头", code="format"
        )
    if not _MOBILE_RE.fullmatch(number):
        raise ValidationError(
            "手机号格式不正确：第二位应为 3 至 9 之间的数字", code="format"
        )


def generate_mobile(rng: random.Random) -> str:
    """Return a made-up mobile number for demo and test data.

    Uses the 170/171 virtual-operator ranges plus eight random digits from
    ``rng`` (seed it for reproducible data). The result passes
    :func:`validate_mobile` but is not guaranteed to be unassigned.
    """
    prefix = rng.choice(DEMO_MOBILE_PREFIXES)
    return prefix + "".join(rng.choice("0123456789") for _ in range(8))
