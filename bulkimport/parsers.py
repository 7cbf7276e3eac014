"""Cell parsers: raw cell -> value, or raise ValidationError with a Chinese reason."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.inputguard import CONTROL_RE, INT_MAX, INT_MIN

# "Today" is read once per validation run, not once per cell (timezone lookups are not free).
_TODAY: ContextVar[date | None] = ContextVar("import_today", default=None)


def today() -> date:
    return _TODAY.get() or timezone.localdate()


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def cell_text(value: Any) -> str:
    """A cell as text: integral floats lose their ".0", dates become ISO strings."""
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if not (value.hour or value.minute or value.second) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def text(max_length: int | None = None, *, min_length: int = 0) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        s = value.strip() if value.__class__ is str else cell_text(value)
        if CONTROL_RE.search(s):
            raise ValidationError("含有不允许的控制字符，请删除后重新填写")
        if max_length is not None and len(s) > max_length:
            raise ValidationError(f"内容过长：最多 {max_length} 个字，实际 {len(s)} 个字")
        if len(s) < min_length:
            raise ValidationError(f"内容过短：至少 {min_length} 个字")
        return s

    parse.cacheable = True
    parse.rule = (f"{min_length}–{max_length} 个字" if min_length else f"最多 {max_length} 个字") if max_length else ""
    parse.max_length = max_length
    return parse


def choice(mapping: dict[str, Any], *, label: str = "", options: list[str] | None = None) -> Callable[[Any], Any]:
    """Accept one of the keys of ``mapping`` (Chinese labels) and return its value. ``options``: the
    labels the template's drop-down list offers (default: every key; give it when the mapping also
    accepts aliases)."""
    allowed = "、".join(options or mapping)

    def parse(value: Any) -> Any:
        try:
            return mapping[value]  # the common case: the exact label as typed in the template
        except (KeyError, TypeError):
            pass
        s = cell_text(value)
        if s in mapping:
            return mapping[s]
        raise ValidationError(f"不是可选的值，应为：{allowed}")

    parse.cacheable = True
    parse.options = list(options or mapping)
    parse.rule = f"从下拉列表选择：{allowed}"
    return parse


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE8_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def date_value(*, allow_future: bool = False) -> Callable[[Any], date]:
    def parse(value: Any) -> date:
        if isinstance(value, datetime):
            d = value.date()
        elif isinstance(value, date):
            d = value
        else:
            s = cell_text(value)
            try:  # ISO 2020-01-31, the template's format, first
                d = date.fromisoformat(s) if len(s) == 10 and s[4] == "-" and s[7] == "-" else None
            except ValueError:
                d = None
            if d is None:
                m = _DATE_RE.match(s) or _DATE8_RE.match(s)
                if not m:
                    raise ValidationError("日期格式不正确，应为 2020-01-31 或 2020年1月31日")
                try:
                    d = date(int(m[1]), int(m[2]), int(m[3]))
                except ValueError:
                    raise ValidationError("不是真实存在的日期") from None
        if d.year < 1900:
            raise ValidationError("日期不能早于 1900 年")
        if not allow_future and d > today():
            raise ValidationError("日期不能晚于今天")
        return d

    parse.cacheable = True  # "today" is fixed for the length of one import
    parse.rule = "日期，如 2020-01-31，1900 年以后" + ("" if allow_future else "，不晚于今天")
    return parse


def integer(*, min_value: int | None = INT_MIN, max_value: int | None = INT_MAX) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, float) and value.is_integer():
            n = int(value)
        else:
            try:
                n = int(cell_text(value))
            except ValueError:
                raise ValidationError("应为整数") from None
        if min_value is not None and n < min_value:
            raise ValidationError(f"不能小于 {min_value}")
        if max_value is not None and n > max_value:
            raise ValidationError(f"不能大于 {max_value}")
        return n

    parse.cacheable = True
    parse.rule = "整数" + (f"，{min_value}–{max_value}" if min_value is not None and max_value is not None else
                          f"，不小于 {min_value}" if min_value is not None else
                          f"，不大于 {max_value}" if max_value is not None else "")
    return parse


def decimal_value(*, min_value: Decimal | None = None, places: int = 2) -> Callable[[Any], Decimal]:
    def parse(value: Any) -> Decimal:
        try:
            d = Decimal(cell_text(value).replace(",", "")) if not isinstance(value, float) else Decimal(str(value))
        except InvalidOperation:
            raise ValidationError("应为数字") from None
        if min_value is not None and d < min_value:
            raise ValidationError(f"不能小于 {min_value}")
        return d.quantize(Decimal(1).scaleb(-places))

    parse.cacheable = True
    parse.rule = "数字" + (f"，不小于 {min_value}" if min_value is not None else "") + f"，最多 {places} 位小数"
    return parse


def id_number(value: Any) -> str:
    """A resident ID number (GB 11643): returns the normalized number."""
    from core.idnumber import parse_id_number

    if isinstance(value, float):
        raise ValidationError("身份证号被 Excel 存成了数字（末几位会丢失），请把该列设为文本格式后重新填写")
    return parse_id_number(cell_text(value), today=today()).number


id_number.rule = "18 位居民身份证号，末位校验码须正确（X 大写），单元格为文本格式"
id_number.max_length = 18


def mobile(value: Any) -> str:
    from core.phone import normalize_mobile, validate_mobile

    s = cell_text(value)
    validate_mobile(s)
    return normalize_mobile(s)


mobile.rule = "11 位手机号，以 1 开头"
