"""What every write of the defence line shares: text and date checks, the scope check, who is who on
the tree (the community's secretaries, the street's staff)."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.roles import Role
from accounts.scope import has_perm_at
from core import treepaths
from regions.models import Region, RegionKind

MAX_COUNT = 100_000


def today() -> date:
    return timezone.localdate()


def text(value, field: str, label: str, *, max_len: int, required: bool = True) -> str:
    """Free text: trimmed, bounded, no markup, no control characters (NUL included)."""
    value = (value or "").strip() if isinstance(value, str) else ("" if value is None else str(value))
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
    """[(field, label, value, max_len, required)] → clean values, or one error naming every bad field."""
    errors, out = {}, {}
    for field, label, value, max_len, required in specs:
        try:
            out[field] = text(value, field, label, max_len=max_len, required=required)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return out


def past_date(value, field: str, label: str, errors: dict, *, required: bool = True) -> date | None:
    """A day that has happened (today at the latest); its problem goes into `errors`."""
    if value is None or value == "":
        if required:
            errors[field] = [f"请填写{label}"]
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        errors[field] = [f"{label}格式不正确"]
        return None
    if value > today():
        errors[field] = [f"{label}（{value:%Y-%m-%d}）不能晚于今天"]
        return None
    if value.year < 2000:
        errors[field] = [f"{label}（{value:%Y-%m-%d}）太早，请核对"]
        return None
    return value


def raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def require(actor, perm: str, path: str, what: str) -> None:
    if actor is None or not has_perm_at(actor, perm, path):
        raise ValidationError(f"您没有{what}的权限")


def community_of(region: Region) -> Region | None:
    if region.kind == RegionKind.COMMUNITY:
        return region
    return Region.objects.filter(id__in=treepaths.ancestor_ids(region.path), kind=RegionKind.COMMUNITY).first()


def street_of(region: Region) -> Region | None:
    if region.kind == RegionKind.STREET:
        return region
    return Region.objects.filter(id__in=treepaths.ancestor_ids(region.path), kind=RegionKind.STREET).first()


def users_with_role_at(region: Region | None, *roles: str):
    from accounts.models import User

    if region is None:
        return User.objects.none()
    return (User.objects.filter(is_active=True, role_assignments__region=region,
                                role_assignments__role__in=list(roles)).distinct().order_by("id"))


def secretaries_of(region: Region):
    """The community Party secretaries above (or at) a grid or community."""
    return users_with_role_at(community_of(region), Role.COMMUNITY_SECRETARY)


def street_staff_of(region: Region):
    return users_with_role_at(street_of(region), Role.STREET_STAFF)


def bump(obj, expected_version) -> None:
    """Optimistic lock: a stale form (someone saved in between) is refused."""
    if expected_version is not None and str(expected_version).isdigit() and int(expected_version) != obj.version:
        raise ValidationError("该记录已被他人修改，请刷新后重试")
    obj.version += 1
