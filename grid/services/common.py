"""The checks and small steps every write of the grid app shares (things and people alike)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.scope import has_perm_at
from audit.models import AuditAction
from audit.services import diff, record, snapshot
from regions.models import Region

from ..apps import GridPerm
from ..models import (
    Household,
    HouseholdStatus,
    Resident,
    ResidentStatus,
)


def _require(actor, perm: str, region: Region, what: str) -> None:
    if actor is not None and not has_perm_at(actor, perm, region.path):
        raise ValidationError(f"您没有在“{region.name}”{what}的权限")


def moved_out_message(household: Household, what: str) -> str:
    """Why a household that has moved out takes no more writes (its record stays, read-only)."""
    when = f"于 {household.moved_out_on:%Y-%m-%d} " if household.moved_out_on else ""
    return f"该户已{when}整户迁出，记录仅供查阅，{what}"


def _clean_text(value: str, field: str, label: str, *, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"{label}不能为空"})
    if len(value) > max_length:
        raise ValidationError({field: f"{label}不能超过 {max_length} 个字（现为 {len(value)} 个）"})
    return value


# ---------------------------------------------------------------------------
# Every bad field at once: the one set of helpers of every write below (things and people alike). A
# service collects `errors` ({field: first message}) over all its fields, then calls _raise(errors).
# ---------------------------------------------------------------------------


def _errors_of(exc: ValidationError) -> dict[str, str]:
    """The first message of each field of a ValidationError (one without fields goes under "__all__")."""
    if hasattr(exc, "error_dict"):
        return {k: v[0].messages[0] for k, v in exc.error_dict.items()}
    return {"__all__": exc.messages[0]}


def _gather(errors: dict, fn, *args, **kwargs):
    """Run one check; keep its first message per field in `errors` so every bad field is reported at once.
    Returns the check's result, or None when it refused."""
    try:
        return fn(*args, **kwargs)
    except ValidationError as exc:
        for key, message in _errors_of(exc).items():
            errors.setdefault(key, message)
        return None


def _clean_name(value: str, field: str, label: str, *, max_length: int, required: bool = True) -> str:
    """A one-line text (see _clean_text) without HTML: "<" and ">" are refused, not stored."""
    value = _clean_text(value, field, label, max_length=max_length, required=required)
    if "<" in value or ">" in value:
        raise ValidationError({field: f"{label}不能包含 < 或 > 符号"})
    return value


def _text(value: str, field: str, label: str, errors: dict, *, max_length: int, required: bool = True) -> str:
    """A cleaned one-line text, or "" with the reason put in `errors` (HTML is refused, not stored)."""
    return _gather(errors, _clean_name, value, field, label, max_length=max_length, required=required) or ""


def _choice(value: str, choices, field: str, label: str) -> str:
    """One of a TextChoices' values; the message lists the labels."""
    if value not in choices.values:
        raise ValidationError({field: f"{label}“{value}”不正确，应为：{'、'.join(choices.labels)}"})
    return value


def _date_ok(value, field: str, label: str, errors: dict, *, required: bool = True, not_future: bool = True):
    """A date (required unless told), not before 1900 and, unless told, not after today; refusals in `errors`."""
    if value is None:
        if required:
            errors[field] = f"请填写{label}"
        return None
    if not isinstance(value, date):
        errors[field] = f"{label}格式不正确"
        return None
    if not_future and value > timezone.localdate():
        errors[field] = f"{label}不能晚于今天"
    elif value < date(1900, 1, 1):
        errors[field] = f"{label}不能早于 1900 年"
    return value


def _raise(errors: dict) -> None:
    """Refuse with every collected message (a general one alone is raised without a field)."""
    if errors:
        general = errors.pop("__all__", None)
        if general and not errors:
            raise ValidationError(general)
        if general:
            errors.setdefault("__all__", general)
        raise ValidationError(errors)


def _save_audited(actor, obj, audited, values: dict, *, personal: dict[str, str] | None = None) -> dict:
    """Set ``values`` on ``obj``, save those fields only (counters kept by other writes are not
    overwritten), and record one UPDATE entry with what changed among the ``audited`` fields (personal
    ones masked), none when nothing did."""
    before = snapshot(obj, audited)
    for key, value in values.items():
        setattr(obj, key, value)
    fields = list(values)
    fields += [f.hash_field for f in map(obj._meta.get_field, values) if getattr(f, "hash_field", None)]
    obj.save(update_fields=fields)  # an encrypted field's blind index is saved with it
    changes = diff(before, snapshot(obj, audited), personal=personal)
    if changes:
        record(actor=actor, action=AuditAction.UPDATE, obj=obj, changes=changes)
    return changes


def _refresh_household(hh: Household) -> None:
    """Members and the care flag follow the residents still living there."""
    from django.db.models import Count, Q

    agg = Resident.objects.filter(household=hh, status=ResidentStatus.ACTIVE).aggregate(
        n=Count("id"), care=Count("id", filter=Q(care_flags__gt=0)))
    hh.members, hh.is_care = agg["n"] or 0, bool(agg["care"])
    Household.objects.filter(pk=hh.pk).update(members=hh.members, is_care=hh.is_care)


def _locked_household(household: Household, actor, what: str) -> Household:
    hh = Household.objects.select_for_update(of=("self",)).select_related("grid", "house").get(pk=household.pk)
    _require(actor, GridPerm.PEOPLE, hh.grid, what)
    if hh.status != HouseholdStatus.ACTIVE:
        raise ValidationError(f"该户已于 {hh.moved_out_on:%Y-%m-%d} 迁出，记录仅供查阅")
    return hh
