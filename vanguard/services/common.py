"""What every write of this app shares: text checks, the scope check, the rules row."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.scope import has_perm_at


def today() -> date:
    return timezone.localdate()


def text(value, field: str, label: str, *, max_len: int, required: bool = True) -> str:
    """Free text typed by members and staff: trimmed, bounded, no markup, no control characters."""
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


def require_at(actor, perm: str, path: str | None, what: str) -> None:
    if not has_perm_at(actor, perm, path):
        raise ValidationError(f"您没有{what}的权限")


def own_member(actor):
    """The Party member record linked to the signed-in account (or None)."""
    from members.models import PartyMember

    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return PartyMember.objects.select_related("org__region", "org__parent__region").filter(user=actor).first()


def require_own(actor, member, what: str) -> None:
    if member.user_id is None or actor is None or member.user_id != actor.pk:
        raise ValidationError(f"只有党员本人可以{what}")
