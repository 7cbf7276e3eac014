"""Personal numbers inside free text (a demand's description, a reply, a note): residents type their
ID or mobile number where nobody asked for it. ``mask_pii`` finds them and masks them the way the
rest of the platform does (``110105********002X``, ``138****5678``); ``has_pii`` says whether there
was anything to mask.

Found: 18-character ID numbers (17 digits and a digit or X), 15-digit ID numbers of the old format
whose birth date is a real date, and mainland mobile numbers (``1[3-9]`` and 9 more digits, spaces or
hyphens between groups allowed, an optional +86/86 in front). Full-width digits count as digits.
A digit right before or after the match means it is part of a longer number and is not a match
(bank cards and order numbers are not this module's business). False positives are masked too:
privacy wins over an 18-digit order number.
"""

from __future__ import annotations

import re
from datetime import date

from .masking import mask_id_number, mask_mobile

__all__ = ["has_pii", "mask_pii"]

_FULLWIDTH = str.maketrans({chr(0xFF10 + d): str(d) for d in range(10)} | {"\uff38": "X", "\uff58": "x"})
_ID18 = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9])[0-9]{15}(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[ \-]?)?(1[3-9][0-9](?:[ \-]?[0-9]){8})(?![0-9])")


def _old_id(digits: str) -> bool:
    try:
        date(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))
    except ValueError:
        return False
    return True


def _spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) of every personal number, not overlapping, in order."""
    plain = text.translate(_FULLWIDTH)  # one character for one: positions stay the same
    found: list[tuple[int, int, str]] = []
    taken = [False] * len(plain)

    def add(start: int, end: int, replacement: str) -> None:
        if not any(taken[start:end]):
            found.append((start, end, replacement))
            taken[start:end] = [True] * (end - start)

    for m in _ID18.finditer(plain):
        add(m.start(), m.end(), mask_id_number(m.group().upper()))
    for m in _ID15.finditer(plain):
        if _old_id(m.group()):
            add(m.start(), m.end(), mask_id_number(m.group()))
    for m in _MOBILE.finditer(plain):
        digits = re.sub(r"[ \-]", "", m.group(1))
        add(m.start(), m.end(), mask_mobile(digits))
    return sorted(found)


def mask_pii(text: str | None) -> str:
    """``text`` with every ID and mobile number in it masked ("" for None)."""
    if not text:
        return text or ""
    spans = _spans(text)
    if not spans:
        return text
    out, pos = [], 0
    for start, end, replacement in spans:
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def has_pii(text: str | None) -> bool:
    return bool(text) and bool(_spans(text))
