"""Resident ID numbers of mainland China (GB 11643-1999, 18 digits).

Layout of an 18-character number::

    RRRRRR YYYYMMDD SSS C
    |      |        |   +-- check character (0-9 or X), ISO 7064 MOD 11-2
    |      |        +------ sequence code; its last digit is odd for men, even for women
    |      +--------------- date of birth
    +---------------------- administrative region code (GB/T 2260)

Only the province-level part of the region code (first two digits) is
validated: the full GB/T 2260 table changes every year and old numbers keep
their historical codes, so checking all six digits would reject real people.

All user-facing errors are Django ``ValidationError`` instances with Chinese
messages and stable ``code`` values: ``length``, ``format``, ``region``,
``birth_date``, ``future`` and ``check_digit``.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date
from operator import mul

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

__all__ = [
    "PROVINCE_CODES",
    "IdInfo",
    "SyntheticIdNumbers",
    "generate_id_number",
    "id_check_digit",
    "normalize_id_number",
    "parse_id_number",
    "synthetic_id_number",
    "validate_id_number",
]

_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

#: Province-level region codes (first two digits) accepted in ID numbers.
PROVINCE_CODES: frozenset[str] = frozenset(
    {
        *(str(code) for code in range(11, 16)),  # 11-15 North China
        *(str(code) for code in range(21, 24)),  # 21-23 Northeast
        *(str(code) for code in range(31, 38)),  # 31-37 East China
        *(str(code) for code in range(41, 47)),  # 41-46 Central-South
        *(str(code) for code in range(50, 55)),  # 50-54 Southwest
        *(str(code) for code in range(61, 66)),  # 61-65 Northwest
        "71",  # Taiwan
        "81",  # Hong Kong
        "82",  # Macao
    }
)

_MIN_BIRTH_DATE = date(1900, 1, 1)

_FIRST17_RE = re.compile(r"[0-9]{17}")
_FULL_RE = re.compile(r"[0-9]{17}[0-9X]")

# Full-width digits and letter X (common in text typed with a Chinese IME).
_FULLWIDTH_TABLE = str.maketrans(
    {
        **{chr(0xFF10 + digit): str(digit) for digit in range(10)},
        "\uff38": "X",  # FULLWIDTH LATIN CAPITAL LETTER X
        "\uff58": "X",  # FULLWIDTH LATIN SMALL LETTER X
        "x": "X",
    }
)


@dataclass(frozen=True)
class IdInfo:
    """The facts encoded in a valid ID number."""

    number: str  # normalized 18-character number
    region_code: str  # first six digits
    birth_date: date
    gender: str  # 'M' or 'F', from the parity of the 17th digit


def normalize_id_number(value: str) -> str:
    """Return ``value`` stripped, with full-width digits/X made ASCII and ``x`` upper-cased.

    Does not validate; pair with :func:`parse_id_number` or :func:`validate_id_number`.
    """
    if _FULL_RE.fullmatch(value):  # already normalized: the common case in bulk imports
        return value
    return value.strip().translate(_FULLWIDTH_TABLE)


def id_check_digit(first17: str) -> str:
    """Return the check character ('0'-'9' or 'X') for the first 17 digits.

    Raises ``ValueError`` if ``first17`` is not exactly 17 ASCII digits.
    """
    if not _FIRST17_RE.fullmatch(first17):
        raise ValueError("first17 must be exactly 17 ASCII digits")
    return _check_char(first17)


def _check_char(first17: str) -> str:
    """The check character of 17 digits already known to be ASCII digits."""
    return _CHECK_CHARS[sum(map(mul, map(int, first17), _WEIGHTS)) % 11]


def _today() -> date:
    """Today's date in the project's time zone (falls back to the local date)."""
    if getattr(settings, "USE_TZ", False):
        return timezone.localdate()
    return date.today()


def parse_id_number(value: str, *, today: date | None = None) -> IdInfo:
    """Validate an 18-digit resident ID number and return what it encodes.

    ``today`` defaults to the current date in the project's time zone; pass it
    explicitly for deterministic checks. Raises ``ValidationError`` with one of
    the codes ``length``, ``format``, ``region``, ``birth_date``, ``future``,
    ``check_digit``.
    """
    if not isinstance(value, str):
        raise ValidationError("身份证号格式不正确：应为文本", code="format")
    number = normalize_id_number(value)

    if len(number) == 15 and number.isdigit():
        raise ValidationError(
            "身份证号为 15 位旧版号码，请填写 18 位身份证号",
            code="length",
        )
    if len(number) != 18:
        raise ValidationError(
            "身份证号长度不正确：应为 18 位，实际为 %(length)s 位",
            code="length",
            params={"length": len(number)},
        )
    if not _FULL_RE.fullmatch(number):
        raise ValidationError(
            "身份证号格式不正确：前 17 位应为数字，最后一位应为数字或 X",
            code="format",
        )

    region_code = number[:6]
    if region_code[:2] not in PROVINCE_CODES:
        raise ValidationError(
            "身份证号地区码无效：%(province)s 不是有效的省级行政区划代码",
            code="region",
            params={"province": region_code[:2]},
        )

    try:
        birth_date = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            "身份证号中的出生日期无效：%(raw)s 不是真实存在的日期",
            code="birth_date",
            params={"raw": number[6:14]},
        ) from None
    if birth_date < _MIN_BIRTH_DATE:
        raise ValidationError(
            "身份证号中的出生日期无效：不能早于 1900 年",
            code="birth_date",
        )
    if birth_date > (today if today is not None else _today()):
        raise ValidationError(
            "身份证号中的出生日期晚于今天",
            code="future",
        )

    expected = _check_char(number[:17])  # _FULL_RE above: the first 17 are digits
    if number[17] != expected:
        raise ValidationError(
            "身份证号校验位错误：应为 %(expected)s",
            code="check_digit",
            params={"expected": expected},
        )

    gender = "M" if int(number[16]) % 2 == 1 else "F"
    return IdInfo(
        number=number, region_code=region_code, birth_date=birth_date, gender=gender
    )


def validate_id_number(value: str) -> None:
    """Django validator: raise ``ValidationError`` unless ``value`` is a valid ID number."""
    parse_id_number(value)


def generate_id_number(
    rng: random.Random,
    *,
    region_code: str = "654322",
    birth_date: date,
    gender: str,
) -> str:
    """Return a SYNTHETIC, checksum-valid ID number for demo and test data.

    The sequence digits are random (drawn from ``rng``, so a seeded generator
    gives reproducible data); the 17th digit's parity encodes ``gender``
    ('M' or 'F'). Never use this to fabricate identities of real people.
    Raises ``ValueError`` for an invalid region code, gender or birth date.
    """
    if not (len(region_code) == 6 and region_code.isascii() and region_code.isdigit()):
        raise ValueError("region_code must be six ASCII digits")
    if region_code[:2] not in PROVINCE_CODES:
        raise ValueError(f"region_code {region_code!r} has no valid province prefix")
    if gender not in ("M", "F"):
        raise ValueError("gender must be 'M' or 'F'")
    if birth_date < _MIN_BIRTH_DATE:
        raise ValueError("birth_date must not be before 1900-01-01")

    gender_digit = rng.choice("13579" if gender == "M" else "02468")
    sequence = f"{rng.randrange(100):02d}{gender_digit}"
    first17 = f"{region_code}{birth_date:%Y%m%d}{sequence}"
    return first17 + id_check_digit(first17)


_SEQUENCES_PER_DAY = 500  # 100 two-digit prefixes x 5 digits of the right parity


class SyntheticIdNumbers:
    """SYNTHETIC, checksum-valid ID numbers that never repeat within one instance.

    ``generate_id_number`` draws at random, so two draws for the same birth date and gender collide
    one time in 500; test and demo people must be unique by construction instead. For each
    (region code, birth date, gender) this hands out the 500 possible sequence codes in an order
    drawn from ``rng`` (a seeded generator gives reproducible data), one after the other; when a
    region's 500 are used up, the next region code (one per province) takes over, so one birth
    date and gender give about 17,000 distinct numbers. ``taken(number)``, when given, is asked
    about each candidate so that numbers already stored (say, in a database) are skipped.
    """

    def __init__(self, rng: random.Random | None = None, *, taken=None) -> None:
        self.rng = rng if rng is not None else random.Random()
        self.taken = taken
        self._used: dict[tuple[str, date, str], tuple[int, int, int]] = {}  # key -> (step, offset, next index)

    def _spill_regions(self, region_code: str) -> list[str]:
        return [region_code] + [f"{p}0102" for p in sorted(PROVINCE_CODES) if f"{p}0102" != region_code]

    def __call__(self, *, birth_date: date, gender: str, region_code: str = "654322") -> str:
        if gender not in ("M", "F"):
            raise ValueError("gender must be 'M' or 'F'")
        digits = "13579" if gender == "M" else "02468"
        for code in self._spill_regions(region_code):
            key = (code, birth_date, gender)
            if key not in self._used:
                # An affine permutation of 0..499: a step coprime with 500 visits every index once.
                step = self.rng.choice([s for s in range(1, _SEQUENCES_PER_DAY) if s % 2 and s % 5])
                self._used[key] = (step, self.rng.randrange(_SEQUENCES_PER_DAY), 0)
            step, offset, index = self._used[key]
            while index < _SEQUENCES_PER_DAY:
                n = (offset + step * index) % _SEQUENCES_PER_DAY
                index += 1
                first17 = f"{code}{birth_date:%Y%m%d}{n // 5:02d}{digits[n % 5]}"
                number = first17 + id_check_digit(first17)
                if self.taken is None or not self.taken(number):
                    self._used[key] = (step, offset, index)
                    return number
            self._used[key] = (step, offset, index)
        raise ValueError("no unused synthetic ID number is left for this birth date and gender")


_PROCESS_IDS = SyntheticIdNumbers(random.Random(11643))


def synthetic_id_number(*, birth_date: date, gender: str, region_code: str = "654322") -> str:
    """A SYNTHETIC ID number that this process has never handed out before (tests, demo data)."""
    return _PROCESS_IDS(birth_date=birth_date, gender=gender, region_code=region_code)
