"""What every write of the member registry shares: audited fields, the scope check, member events."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.scope import has_perm_at

from ..models import (
    Category,
    MemberEvent,
)

PERSONAL = {"id_number": "id_number", "mobile": "mobile", "monthly_income": "text"}
AUDITED = ["name", "gender", "ethnicity", "birth_date", "id_number", "mobile", "education", "occupation",
           "joined_on", "full_member_on", "status", "category", "org", "residence", "address", "employer",
           "unit_org", "monthly_income"]


_CATEGORIES = frozenset(Category.values)


def _today() -> date:
    return timezone.localdate()


def _require(actor, perm: str, path: str | None, what: str) -> None:
    if actor is not None and not has_perm_at(actor, perm, path):
        raise ValidationError(f"您没有{what}的权限")


def _no_markup(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if "<" in value or ">" in value:
        raise ValidationError({field: f"{label}不能包含 < 或 > 符号"})
    return value


def _event(member, kind, old="", new="", *, actor, note="", on=None) -> MemberEvent:
    return MemberEvent.objects.create(member=member, kind=kind, old_value=str(old or "")[:200],
                                      new_value=str(new or "")[:200], note=note[:300], on=on or _today(), actor=actor)
