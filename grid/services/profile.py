"""Grid rules, the grid profile (code, boundary, workers, branch) and its liaisons."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.scope import has_perm_at
from audit.models import AuditAction
from audit.services import diff, record, snapshot
from core.treepaths import is_under
from regions.models import Region, RegionKind

from ..apps import GridPerm
from ..models import (
    RULE_DEFAULTS,
    GridLiaison,
    GridProfile,
    GridRule,
)
from .common import (
    _clean_text,
    _gather,
    _raise,
    _require,
)

# ---------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------


@transaction.atomic
def rule_set(*, actor, key: str, value: int) -> GridRule:
    if key not in RULE_DEFAULTS:
        raise ValidationError({"key": f"未知规则：{key}"})
    if actor is not None and not getattr(actor, "is_superuser", False):
        from accounts.scope import scope_paths

        roots = scope_paths(actor, GridPerm.EDIT)
        if not roots or any(len(r) > 8 for r in roots):  # only district-wide editors set city rules
            raise ValidationError("只有区（县）级管理员可以修改网格规则")
    if not isinstance(value, int) or value <= 0 or value > 100000:
        raise ValidationError({"value": "规则数值应为 1 到 100000 之间的整数"})
    obj, _ = GridRule.objects.get_or_create(key=key, defaults={"value": value, "label": RULE_DEFAULTS[key][1]})
    before = snapshot(obj, ["value"])
    obj.value = value
    obj.save()
    from ..selectors import clear_rule_cache

    transaction.on_commit(clear_rule_cache)
    clear_rule_cache()
    record(actor=actor, action=AuditAction.UPDATE, obj=obj, changes=diff(before, snapshot(obj, ["value"])))
    return obj


# ---------------------------------------------------------------------------
# Grid profile
# ---------------------------------------------------------------------------


def parse_boundary(text: str) -> tuple[str, float | None, float | None]:
    """Validate a GeoJSON Polygon/MultiPolygon in WGS-84; returns (compact JSON, centre lat, centre lng)."""
    text = (text or "").strip()
    if not text:
        return "", None, None
    try:
        geo = json.loads(text)
    except ValueError:
        raise ValidationError({"boundary": "边界不是有效的 GeoJSON 文本"}) from None
    if isinstance(geo, dict) and geo.get("type") == "Feature":
        geo = geo.get("geometry") or {}
    if not isinstance(geo, dict) or geo.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError({"boundary": "边界应为 GeoJSON 的 Polygon 或 MultiPolygon"})
    polys = [geo.get("coordinates")] if geo["type"] == "Polygon" else geo.get("coordinates")
    points = []
    try:
        for poly in polys:
            for ring in poly:
                if len(ring) < 4 or ring[0] != ring[-1]:
                    raise ValidationError({"boundary": "边界的每个环至少 4 个点，且首尾相同"})
                for lng, lat, *_ in ring:
                    lng, lat = float(lng), float(lat)
                    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
                        raise ValidationError({"boundary": f"坐标超出 WGS-84 范围：{lng}, {lat}"})
                    points.append((lng, lat))
    except (TypeError, ValueError):
        raise ValidationError({"boundary": "边界坐标格式不正确：应为 [经度, 纬度] 数组"}) from None
    if not points:
        raise ValidationError({"boundary": "边界没有坐标"})
    lat = sum(p[1] for p in points) / len(points)
    lng = sum(p[0] for p in points) / len(points)
    return json.dumps(geo, separators=(",", ":")), lat, lng


_PROFILE_AUDITED = ["code", "boundary", "primary_worker", "branch"]


@transaction.atomic
def grid_profile_update(*, actor, grid: Region, code: str = "", boundary: str = "", primary_worker=None,
                        assistants=(), branch=None) -> GridProfile:
    if grid.kind != RegionKind.GRID:
        raise ValidationError({"grid": f"“{grid.name}”不是网格"})
    _require(actor, GridPerm.EDIT, grid, "修改网格档案")
    code = _clean_text(code, "code", "网格编码", max_length=32, required=False)
    if code and GridProfile.objects.filter(code=code).exclude(region=grid).exists():
        raise ValidationError({"code": f"网格编码“{code}”已被其他网格使用"})
    geo, lat, lng = parse_boundary(boundary)
    for field, user in [("primary_worker", primary_worker), *[("assistants", u) for u in assistants]]:
        if user is not None and not has_perm_at(user, GridPerm.VISIT, grid.path):
            raise ValidationError({field: f"“{user}”在本网格没有网格员（走访）角色，请先为其分配角色"})
    if primary_worker is not None and primary_worker in list(assistants):
        raise ValidationError({"assistants": "专职网格员不必再列为协管网格员"})
    if branch is not None and not is_under(branch.region.path, grid.parent.path):
        raise ValidationError({"branch": "网格党支部应属于本社区"})
    profile, _ = GridProfile.objects.select_for_update().get_or_create(region=grid)
    before = snapshot(profile, _PROFILE_AUDITED)
    before["assistants"] = sorted(str(u) for u in profile.assistants.all())
    profile.code, profile.boundary, profile.center_lat, profile.center_lng = code, geo, lat, lng
    profile.primary_worker, profile.branch = primary_worker, branch
    profile.save()
    profile.assistants.set(list(assistants))
    after = snapshot(profile, _PROFILE_AUDITED)
    after["assistants"] = sorted(str(u) for u in assistants)
    record(actor=actor, action=AuditAction.UPDATE, obj=profile, changes=diff(before, after))
    return profile


@transaction.atomic
def liaison_add(*, actor, grid: Region, name: str, duty: str = "") -> GridLiaison:
    _require(actor, GridPerm.EDIT, grid, "设置联络员")
    errors: dict[str, str] = {}   # every bad field at once, with the messages this service always gave
    name = _gather(errors, _clean_text, name, "name", "联络员姓名", max_length=50) or ""
    if "name" not in errors and ("<" in name or ">" in name):
        errors["name"] = "姓名不能包含 < 或 > 符号"
    duty = _gather(errors, _clean_text, duty, "duty", "职责", max_length=50, required=False) or ""
    _raise(errors)
    obj = GridLiaison.objects.create(grid=grid, name=name, duty=duty)
    record(actor=actor, action=AuditAction.CREATE, obj=obj, changes={"name": [None, name]})
    return obj
