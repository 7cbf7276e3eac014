"""Every write of the grid app: one transaction each, audited, with Chinese messages naming the field."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.scope import has_perm_at
from audit.models import AuditAction
from audit.services import diff, record, snapshot
from core.idnumber import parse_id_number
from core.phone import normalize_mobile, validate_mobile
from core.pinyin import name_initials, name_pinyin
from regions.models import Region, RegionKind

from .apps import GridPerm
from .models import (
    CARE_BIT,
    RULE_DEFAULTS,
    GridLiaison,
    GridProfile,
    GridRule,
    House,
    Household,
    HouseUse,
    Relation,
    Resident,
    ResidentKind,
    Visit,
    VisitPhoto,
)

MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def _require(actor, perm: str, region: Region, what: str) -> None:
    if actor is not None and not has_perm_at(actor, perm, region.path):
        raise ValidationError(f"您没有在“{region.name}”{what}的权限")


def _clean_text(value: str, field: str, label: str, *, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"{label}不能为空"})
    if len(value) > max_length:
        raise ValidationError({field: f"{label}不能超过 {max_length} 个字（现为 {len(value)} 个）"})
    return value


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
    from .selectors import clear_rule_cache

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
    if branch is not None and not branch.region.path.startswith(grid.parent.path):
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
    name = _clean_text(name, "name", "联络员姓名", max_length=50)
    if "<" in name or ">" in name:
        raise ValidationError({"name": "姓名不能包含 < 或 > 符号"})
    obj = GridLiaison.objects.create(grid=grid, name=name, duty=_clean_text(duty, "duty", "职责", max_length=50,
                                                                             required=False))
    record(actor=actor, action=AuditAction.CREATE, obj=obj, changes={"name": [None, name]})
    return obj


# ---------------------------------------------------------------------------
# Houses, households, residents
# ---------------------------------------------------------------------------


def grid_of_building(building: Region) -> Region:
    if building.kind != RegionKind.BUILDING:
        raise ValidationError({"building": f"“{building.name}”不是楼栋"})
    grid = Region.objects.filter(path__in=[building.path[:i] for i in range(8, len(building.path), 8)],
                                 kind=RegionKind.GRID).first()
    if grid is None:
        raise ValidationError({"building": f"楼栋“{building.name}”不在任何网格之下"})
    return grid


@transaction.atomic
def house_create(*, actor, building: Region, number: str, unit: str = "", use: str = HouseUse.SELF,
                 area=None) -> House:
    grid = grid_of_building(building)
    _require(actor, GridPerm.EDIT, grid, "登记房屋")
    number = _clean_text(number, "number", "门牌（室号）", max_length=20)
    unit = _clean_text(unit, "unit", "单元", max_length=10, required=False)
    if use not in HouseUse.values:
        raise ValidationError({"use": f"房屋用途“{use}”不正确，应为：{'、'.join(HouseUse.labels)}"})
    if House.objects.filter(building=building, unit=unit, number=number).exists():
        raise ValidationError({"number": f"{building.name}{unit and unit + '单元'}{number} 已登记"})
    address = f"{building.parent.name if building.parent_id else ''}{building.name}{unit and unit + '单元'}{number}"
    house = House.objects.create(grid=grid, building=building, unit=unit, number=number, address=address, use=use,
                                 area=area)
    record(actor=actor, action=AuditAction.CREATE, obj=house, changes={"address": [None, address]})
    return house


@transaction.atomic
def household_create(*, actor, house: House, head_name: str, number: str = "") -> Household:
    _require(actor, GridPerm.EDIT, house.grid, "登记住户")
    head_name = _clean_text(head_name, "head_name", "户主姓名", max_length=50)
    hh = Household.objects.create(grid_id=house.grid_id, house=house, head_name=head_name,
                                  number=_clean_text(number, "number", "户号", max_length=30, required=False))
    record(actor=actor, action=AuditAction.CREATE, obj=hh, changes={"head_name": [None, head_name]})
    return hh


def care_flags_of(tags) -> int:
    flags = 0
    for t in tags or ():
        if t not in CARE_BIT:
            raise ValidationError({"care_tags": f"未知关爱标签：{t}"})
        flags |= CARE_BIT[t]
    return flags


def clean_resident(*, name: str, id_number: str = "", phone: str = "", kind: str = ResidentKind.REGISTERED,
                   relation: str = Relation.HEAD, arrival_date: date | None = None,
                   permit_expiry: date | None = None) -> dict:
    """Validate one resident's fields; returns the cleaned values (shared with the importer)."""
    errors: dict[str, str] = {}
    out: dict = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "姓名不能为空"
    elif len(name) > 50:
        errors["name"] = "姓名不能超过 50 个字"
    elif "<" in name or ">" in name:
        errors["name"] = "姓名不能包含 < 或 > 符号"
    out["name"] = name
    out["gender"], out["birth_date"], out["id_number"] = "", None, ""
    if id_number:
        try:
            info = parse_id_number(id_number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages[0]
        else:
            out["id_number"], out["gender"], out["birth_date"] = info.number, info.gender, info.birth_date
    out["phone"] = ""
    if phone:
        try:
            validate_mobile(phone)
            out["phone"] = normalize_mobile(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]
    if kind not in ResidentKind.values:
        errors["kind"] = f"人口类型“{kind}”不正确，应为：{'、'.join(ResidentKind.labels)}"
    if relation not in Relation.values:
        errors["relation"] = f"与户主关系“{relation}”不正确"
    today = timezone.localdate()
    if arrival_date and arrival_date > today:
        errors["arrival_date"] = "来本地日期不能晚于今天"
    if kind != ResidentKind.FLOATING and (arrival_date or permit_expiry):
        arrival_date = permit_expiry = None
    out.update(kind=kind, relation=relation, arrival_date=arrival_date, permit_expiry=permit_expiry)
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def resident_create(*, actor, household: Household, name: str, id_number: str = "", phone: str = "",
                    kind: str = ResidentKind.REGISTERED, relation: str = Relation.HEAD, care_tags=(),
                    arrival_date: date | None = None, permit_expiry: date | None = None) -> Resident:
    household = Household.objects.select_for_update().select_related("grid").get(pk=household.pk)
    _require(actor, GridPerm.EDIT, household.grid, "登记居民")
    data = clean_resident(name=name, id_number=id_number, phone=phone, kind=kind, relation=relation,
                          arrival_date=arrival_date, permit_expiry=permit_expiry)
    flags = care_flags_of(care_tags)
    r = Resident(grid_id=household.grid_id, household=household, care_flags=flags,
                 name_initials=name_initials(data["name"]), name_pinyin=name_pinyin(data["name"]), **data)
    if data["id_number"] and Resident.objects.filter(
            id_number_hash=Resident._meta.get_field("id_number").blind_index_for(data["id_number"])).exists():
        raise ValidationError({"id_number": "该身份证号已登记为居民"})
    r.save()
    household.members = household.residents.count()
    household.is_care = household.is_care or bool(flags)
    household.save(update_fields=["members", "is_care"])
    record(actor=actor, action=AuditAction.CREATE, obj=r,
           changes=diff({}, {"name": r.name, "id_number": r.id_number, "kind": r.kind},
                        personal={"id_number": "id_number"}))
    return r


# ---------------------------------------------------------------------------
# Visits
# ---------------------------------------------------------------------------


def _check_photo(f: UploadedFile, index: int) -> str:
    from PIL import Image, UnidentifiedImageError

    label = f"第 {index} 张照片（{f.name}）"
    if f.size > MAX_PHOTO_BYTES:
        raise ValidationError({"photos": f"{label}超过 {MAX_PHOTO_BYTES // 1024 // 1024} MB"})
    try:
        f.seek(0)
        data = f.read()
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format
            w, h = img.size
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"photos": f"{label}不是有效的图片文件"}) from None
    finally:
        f.seek(0)
    if fmt not in PHOTO_FORMATS:
        raise ValidationError({"photos": f"{label}格式为 {fmt}，只接受 JPEG、PNG、WEBP"})
    if w * h > MAX_PHOTO_PIXELS:
        raise ValidationError({"photos": f"{label}像素过大（{w}×{h}）"})
    return PHOTO_FORMATS[fmt]


@transaction.atomic
def visit_log(*, actor, household: Household, visited_at: datetime, findings: str, photos=(),
              lat: float | None = None, lng: float | None = None) -> Visit:
    household = Household.objects.select_for_update().select_related("grid").get(pk=household.pk)
    _require(actor, GridPerm.VISIT, household.grid, "记录走访")
    errors = {}
    now = timezone.now()
    if visited_at is None:
        errors["visited_at"] = "请填写走访时间"
    elif visited_at > now + timedelta(minutes=5):
        errors["visited_at"] = "走访时间不能晚于现在"
    elif visited_at < now - timedelta(days=62):
        errors["visited_at"] = "走访时间不能早于两个月前，请及时记录"
    try:
        findings = _clean_text(findings, "findings", "走访情况", max_length=2000)
    except ValidationError as exc:
        errors.update({k: v[0].messages[0] for k, v in exc.error_dict.items()})
    if (lat is None) != (lng is None) or (lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180)):
        errors["location"] = "定位坐标不正确"
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = f"最多上传 {MAX_PHOTOS} 张照片"
    if errors:
        raise ValidationError(errors)
    exts = [_check_photo(p, i) for i, p in enumerate(photos, 1)]
    visit = Visit.objects.create(grid_id=household.grid_id, household=household, worker=actor, visited_at=visited_at,
                                 findings=findings, lat=lat, lng=lng)
    for p, ext in zip(photos, exts, strict=True):
        vp = VisitPhoto(visit=visit)
        vp.image.save(f"v{visit.pk}.{ext}", p, save=True)
    latest = Visit.objects.filter(household=household).aggregate(m=Max("visited_at"))["m"]
    Household.objects.filter(pk=household.pk).update(last_visited_at=latest)
    record(actor=actor, action=AuditAction.CREATE, obj=visit,
           changes={"household": [None, str(household.pk)], "visited_at": [None, visited_at.isoformat()],
                    "photos": [None, len(photos)]})
    return visit
