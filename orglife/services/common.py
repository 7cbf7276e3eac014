"""What every write of organizational life shares: text checks, the scope check, dates."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.scope import has_perm_at

from ..rules import P


def today() -> date:
    return timezone.localdate()


def text(value, field: str, label: str, *, max_len: int, required: bool = True) -> str:
    """Free text: trimmed, bounded, no markup, no control characters."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"{label}不能为空"})
    if len(value) > max_len:
        raise ValidationError({field: f"{label}不能超过 {max_len} 个字"})
    if "<" in value or ">" in value:
        raise ValidationError({field: f"{label}不能包含 < 或 > 符号"})
    if any(ord(c) < 32 and c not in "\r\n\t" for c in value):
        raise ValidationError({field: f"{label}包含无法识别的控制字符"})
    return value


def texts(*specs) -> dict[str, str]:
    """Check several fields at once: [(field, label, value, max_len, required)] → clean values, or
    one ValidationError naming every bad field."""
    errors, out = {}, {}
    for field, label, value, max_len, required in specs:
        try:
            out[field] = text(value, field, label, max_len=max_len, required=required)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return out


def require_manage(actor, org, what: str) -> None:
    if not has_perm_at(actor, P.MANAGE, org.region.path):
        raise ValidationError(f"您没有管理“{org}”{what}的权限")


def need_date(value, field: str, label: str) -> date:
    if not isinstance(value, date):
        raise ValidationError({field: f"请填写{label}"})
    return value
