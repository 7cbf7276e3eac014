"""Every write of the grid app: one transaction each, audited, with Chinese messages naming the field."""

from __future__ import annotations

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
from core.images import check_image, stored_photo
from core.phone import normalize_mobile, validate_mobile
from core.pinyin import name_initials, name_pinyin
from regions.models import Region, RegionKind

from . import coords
from .apps import GridPerm
from .models import (
    CARE_BIT,
    RULE_DEFAULTS,
    GridLiaison,
    GridProfile,
    GridRule,
    House,
    Household,
    HouseholdStatus,
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
    errors: dict[str, str] = {}   # every bad field at once, with the messages this service always gave
    name = _gather(errors, _clean_text, name, "name", "联络员姓名", max_length=50) or ""
    if "name" not in errors and ("<" in name or ">" in name):
        errors["name"] = "姓名不能包含 < 或 > 符号"
    duty = _gather(errors, _clean_text, duty, "duty", "职责", max_length=50, required=False) or ""
    _raise(errors)
    obj = GridLiaison.objects.create(grid=grid, name=name, duty=duty)
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
    _gather(errors, _choice, kind, ResidentKind, "kind", "人口类型")
    if relation not in Relation.values:
        errors["relation"] = f"与户主关系“{relation}”不正确"
    today = timezone.localdate()
    if arrival_date and arrival_date > today:
        errors["arrival_date"] = "来本地日期不能晚于今天"
    if kind != ResidentKind.FLOATING and (arrival_date or permit_expiry):
        arrival_date = permit_expiry = None
    out.update(kind=kind, relation=relation, arrival_date=arrival_date, permit_expiry=permit_expiry)
    _raise(errors)
    return out


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


# ---------------------------------------------------------------------------
# Visits
# ---------------------------------------------------------------------------


def _check_photo(f: UploadedFile, index: int) -> None:
    """A visit photo: a real image of an accepted format and size (core.images.check_image)."""
    check_image(f, field="photos", label=f"第 {index} 张照片（{f.name}）", formats=tuple(PHOTO_FORMATS),
                max_bytes=MAX_PHOTO_BYTES, max_pixels=MAX_PHOTO_PIXELS)


@transaction.atomic
def visit_log(*, actor, household: Household, visited_at: datetime, findings: str, photos=(),
              lat: float | None = None, lng: float | None = None) -> Visit:
    household = Household.objects.select_for_update().select_related("grid").get(pk=household.pk)
    _require(actor, GridPerm.VISIT, household.grid, "记录走访")
    if household.status != HouseholdStatus.ACTIVE:
        raise ValidationError(moved_out_message(household, "不能再记录走访"))
    errors = {}
    now = timezone.now()
    if visited_at is None:
        errors["visited_at"] = "请填写走访时间"
    elif visited_at > now + timedelta(minutes=5):
        errors["visited_at"] = "走访时间不能晚于现在"
    elif visited_at < now - timedelta(days=62):
        errors["visited_at"] = "走访时间不能早于两个月前，请及时记录"
    findings = _gather(errors, _clean_text, findings, "findings", "走访情况", max_length=2000)
    if (lat is None) != (lng is None) or (lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180)):
        errors["location"] = "定位坐标不正确"
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = f"最多上传 {MAX_PHOTOS} 张照片"
    _raise(errors)
    for i, p in enumerate(photos, 1):
        _check_photo(p, i)
    visit = Visit.objects.create(grid_id=household.grid_id, household=household, worker=actor, visited_at=visited_at,
                                 findings=findings, lat=lat, lng=lng)
    for p in photos:  # stored re-encoded: within 1600 px, upright, no EXIF/GPS (the visit keeps its location)
        VisitPhoto(visit=visit).image.save(f"v{visit.pk}.jpg", stored_photo(p), save=True)
    latest = Visit.objects.filter(household=household).aggregate(m=Max("visited_at"))["m"]
    Household.objects.filter(pk=household.pk).update(last_visited_at=latest)
    record(actor=actor, action=AuditAction.CREATE, obj=visit,
           changes={"household": [None, str(household.pk)], "visited_at": [None, visited_at.isoformat()],
                    "photos": [None, len(photos)]})
    return visit


# --- things and organizations, by hand ---
# Facilities (雪亮工程 cameras, hydrants, AEDs, notice boards), units (shops, firms, social
# organizations) and liaisons, written from the pages of views_things.py. Facilities and units may
# be recorded by whoever works the grid (grid.visit: a grid worker in their grid, community staff in
# their community) or edits it (grid.edit); liaisons need grid.edit, like liaison_add above.

import math as _math  # noqa: E402

from .models import Facility, FacilityKind, FacilityState, GridUnit, UnitKind  # noqa: E402
from .selectors import can_write_things  # noqa: E402

# A point may lie this far (degrees, ≈ 5 km) outside its grid's boundary box: boundaries are drawn
# by hand, but a point farther away is a typing slip or the wrong grid.
POINT_MARGIN_DEG = 0.05
_FACILITY_AUDITED = ["grid", "kind", "name", "lat", "lng", "state"]
_UNIT_AUDITED = ["grid", "kind", "name", "address", "contact_name", "contact_phone", "has_party_org", "party_org"]


def _require_things(actor, grid: Region, what: str) -> None:
    if grid.kind != RegionKind.GRID:
        raise ValidationError({"grid": f"“{grid.name}”不是网格"})
    if actor is not None and not can_write_things(actor, grid):
        raise ValidationError(f"您没有在“{grid.name}”{what}的权限")


def _as_float(value, field: str, label: str) -> float:
    if value is None or value == "":
        raise ValidationError({field: f"请填写{label}"})
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError({field: f"{label}应为数字（十进制度）"}) from None
    if not _math.isfinite(number):
        raise ValidationError({field: f"{label}应为有限的数字"})
    return number


def check_point(grid: Region, lat, lng) -> tuple[float, float]:
    """A WGS-84 point inside China and near the grid's boundary (when one is drawn)."""
    errors: dict[str, str] = {}
    lat = _gather(errors, _as_float, lat, "lat", "纬度")
    lng = _gather(errors, _as_float, lng, "lng", "经度")
    _raise(errors)
    if coords.out_of_china(lng, lat):
        # Name the coordinate that is off (or both): test each one with the other at the box's centre.
        (lng0, lng1), (lat0, lat1) = coords.CHINA_LNG, coords.CHINA_LAT
        if coords.out_of_china((lng0 + lng1) / 2, lat):
            errors["lat"] = f"纬度 {lat} 不在中国境内（应在 {lat0} 到 {lat1} 之间；请确认没有把经度、纬度填反）"
        if coords.out_of_china(lng, (lat0 + lat1) / 2):
            errors["lng"] = f"经度 {lng} 不在中国境内（应在 {lng0} 到 {lng1} 之间）"
        raise ValidationError(errors)
    boundary = GridProfile.objects.filter(region=grid).values_list("boundary", flat=True).first()
    if boundary:
        try:
            geo = json.loads(boundary)
            polys = [geo["coordinates"]] if geo["type"] == "Polygon" else geo["coordinates"]
            pts = [(float(p[0]), float(p[1])) for poly in polys for ring in poly for p in ring]
        except (ValueError, KeyError, TypeError, IndexError):
            pts = []
        if pts:
            m = POINT_MARGIN_DEG
            if not (min(p[1] for p in pts) - m <= lat <= max(p[1] for p in pts) + m
                    and min(p[0] for p in pts) - m <= lng <= max(p[0] for p in pts) + m):
                raise ValidationError({"lat": f"位置（纬度 {lat:.6f}，经度 {lng:.6f}）距离“{grid.name}”的边界"
                                              "超过约 5 公里，请核对坐标或所选网格"})
    return lat, lng


def _clean_facility(*, grid: Region, kind: str, name: str, lat, lng, exclude_pk: int | None = None) -> dict:
    errors: dict[str, str] = {}
    kind = _gather(errors, _choice, kind, FacilityKind, "kind", "设施类别")
    name = _text(name, "name", "设施名称", errors, max_length=100)
    point = _gather(errors, check_point, grid, lat, lng)
    if name and Facility.objects.filter(grid=grid, name=name).exclude(pk=exclude_pk).exists():
        errors.setdefault("name", f"“{grid.name}”已有名为“{name}”的设施")
    _raise(errors)
    return {"kind": kind, "name": name, "lat": point[0], "lng": point[1]}


@transaction.atomic
def facility_create(*, actor, grid: Region, kind: str, name: str, lat, lng,
                    state: str = FacilityState.NORMAL) -> Facility:
    _require_things(actor, grid, "登记设施")
    data = _clean_facility(grid=grid, kind=kind, name=name, lat=lat, lng=lng)
    _choice(state, FacilityState, "state", "设施状态")
    obj = Facility.objects.create(grid=grid, state=state, **data)
    record(actor=actor, action=AuditAction.CREATE, obj=obj, changes=diff({}, snapshot(obj, _FACILITY_AUDITED)))
    return obj


@transaction.atomic
def facility_update(*, actor, facility: Facility, kind: str, name: str, lat, lng, grid: Region | None = None
                    ) -> Facility:
    facility = Facility.objects.select_for_update(of=("self",)).select_related("grid").get(pk=facility.pk)
    _require_things(actor, facility.grid, "修改设施")
    grid = grid or facility.grid
    if grid.pk != facility.grid_id:
        _require_things(actor, grid, "登记设施")
    data = _clean_facility(grid=grid, kind=kind, name=name, lat=lat, lng=lng, exclude_pk=facility.pk)
    _save_audited(actor, facility, _FACILITY_AUDITED, {"grid": grid, **data})
    return facility


@transaction.atomic
def facility_set_state(*, actor, facility: Facility, state: str, note: str = "") -> Facility:
    """Mark a facility normal, faulty or out of service; the note goes into the audit entry (its history)."""
    facility = Facility.objects.select_for_update(of=("self",)).select_related("grid").get(pk=facility.pk)
    _require_things(actor, facility.grid, "变更设施状态")
    errors: dict[str, str] = {}
    state = _gather(errors, _choice, state, FacilityState, "state", "设施状态")
    note = _text(note, "note", "情况说明", errors, max_length=200, required=False)
    if state and state != FacilityState.NORMAL and not note:
        errors.setdefault("note", f"标记为“{FacilityState(state).label}”时须填写情况说明（如：镜头被遮挡、无法出水）")
    if state and state == facility.state:
        errors.setdefault("state", f"设施当前已是“{facility.get_state_display()}”状态")
    _raise(errors)
    old = facility.state
    facility.state = state
    facility.save(update_fields=["state"])
    changes = {"state": [old, state]}
    if note:
        changes["note"] = [None, note]
    record(actor=actor, action=AuditAction.TRANSITION, obj=facility, changes=changes)
    return facility


def _clean_unit(*, grid: Region, kind: str, name: str, address: str, contact_name: str, contact_phone: str | None,
                has_party_org: bool, party_org, exclude_pk: int | None = None) -> dict:
    errors: dict[str, str] = {}
    out: dict = {}
    out["kind"] = _gather(errors, _choice, kind, UnitKind, "kind", "单位类别")
    out["name"] = _text(name, "name", "单位名称", errors, max_length=100)
    out["address"] = _text(address, "address", "地址", errors, max_length=200, required=False)
    out["contact_name"] = _text(contact_name, "contact_name", "联系人", errors, max_length=50, required=False)
    if contact_phone is not None:  # None: keep the stored number
        phone = (contact_phone or "").strip()
        if phone:
            try:
                validate_mobile(phone)
                phone = normalize_mobile(phone)
            except ValidationError as exc:
                msg = exc.messages[0]
                errors.setdefault("contact_phone", "联系电话" + msg.removeprefix("手机号") if msg.startswith("手机号")
                                  else f"联系电话：{msg}")
        out["contact_phone"] = phone
    if party_org is not None:
        community = grid.parent
        if community is None or not party_org.region.path.startswith(community.path):
            errors.setdefault("party_org", f"所选党组织“{party_org.name}”不在本社区"
                                           f"（{community.name if community else grid.name}）")
        elif not has_party_org:
            errors.setdefault("has_party_org", "已选择党组织，请勾选“已建党组织”，或清除所选党组织")
    out["has_party_org"], out["party_org"] = bool(has_party_org), party_org
    if out["name"] and GridUnit.objects.filter(grid=grid, name=out["name"]).exclude(pk=exclude_pk).exists():
        errors.setdefault("name", f"“{grid.name}”已有名为“{out['name']}”的单位")
    _raise(errors)
    return out


@transaction.atomic
def unit_create(*, actor, grid: Region, kind: str, name: str, address: str = "", contact_name: str = "",
                contact_phone: str = "", has_party_org: bool = False, party_org=None) -> GridUnit:
    _require_things(actor, grid, "登记单位")
    data = _clean_unit(grid=grid, kind=kind, name=name, address=address, contact_name=contact_name,
                       contact_phone=contact_phone or "", has_party_org=has_party_org, party_org=party_org)
    obj = GridUnit.objects.create(grid=grid, **data)
    record(actor=actor, action=AuditAction.CREATE, obj=obj,
           changes=diff({}, snapshot(obj, _UNIT_AUDITED), personal={"contact_phone": "mobile"}))
    return obj


@transaction.atomic
def unit_update(*, actor, unit: GridUnit, kind: str, name: str, address: str = "", contact_name: str = "",
                contact_phone: str | None = None, has_party_org: bool = False, party_org=None,
                grid: Region | None = None) -> GridUnit:
    """contact_phone=None keeps the stored number; "" clears it."""
    unit = GridUnit.objects.select_for_update(of=("self",)).select_related("grid__parent", "party_org").get(pk=unit.pk)
    _require_things(actor, unit.grid, "修改单位")
    grid = grid or unit.grid
    if grid.pk != unit.grid_id:
        _require_things(actor, grid, "登记单位")
    data = _clean_unit(grid=grid, kind=kind, name=name, address=address, contact_name=contact_name,
                       contact_phone=contact_phone, has_party_org=has_party_org, party_org=party_org,
                       exclude_pk=unit.pk)
    _save_audited(actor, unit, _UNIT_AUDITED, {"grid": grid, **data}, personal={"contact_phone": "mobile"})
    return unit


@transaction.atomic
def liaison_update(*, actor, liaison: GridLiaison, name: str, duty: str = "") -> GridLiaison:
    liaison = GridLiaison.objects.select_for_update(of=("self",)).select_related("grid").get(pk=liaison.pk)
    _require(actor, GridPerm.EDIT, liaison.grid, "设置联络员")
    errors: dict[str, str] = {}
    name = _text(name, "name", "联络员姓名", errors, max_length=50)
    duty = _text(duty, "duty", "职责", errors, max_length=50, required=False)
    _raise(errors)
    _save_audited(actor, liaison, ["name", "duty"], {"name": name, "duty": duty})
    return liaison


@transaction.atomic
def liaison_remove(*, actor, liaison: GridLiaison) -> None:
    liaison = GridLiaison.objects.select_for_update(of=("self",)).select_related("grid").get(pk=liaison.pk)
    _require(actor, GridPerm.EDIT, liaison.grid, "设置联络员")
    record(actor=actor, action=AuditAction.DELETE, obj=liaison,
           changes=diff(snapshot(liaison, ["grid", "name", "duty"]), {}))
    liaison.delete()


# --- places and people, by hand ---
# The pages of views_people.py call these. Each write checks grid.people at the object's grid (a grid worker
# in their grid, community staff in their community), runs in one transaction and is audited. Nothing is
# deleted: a household moves out, a resident moves out or dies, a lease ends; each is marked and dated.

from decimal import Decimal, InvalidOperation  # noqa: E402

from .models import RentalLease, ResidentStatus  # noqa: E402

MAX_HOUSE_AREA = Decimal("100000")
MAX_LEASE_YEARS = 20  # the Civil Code's cap on a lease term
MAX_PERMIT_YEARS = 10


def house_address(building: Region, unit: str, number: str) -> str:
    """The address house_create writes: compound + building + unit + door number."""
    return f"{building.parent.name if building.parent_id else ''}{building.name}{unit and unit + '单元'}{number}"


def _clean_house(*, number, unit, use, area, errors: dict) -> tuple[str, str, Decimal | None]:
    number = _text(number, "number", "门牌（室号）", errors, max_length=20)
    unit = _text(unit, "unit", "单元", errors, max_length=10, required=False)
    _gather(errors, _choice, use, HouseUse, "use", "房屋用途")
    if area in ("", None):
        area = None
    else:
        try:
            area = Decimal(str(area)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors["area"] = "面积应为数字（平方米）"
            area = None
        else:
            if not area.is_finite():
                errors["area"] = "面积应为数字（平方米）"
                area = None
            elif area <= 0:
                errors["area"] = "面积应大于 0"
            elif area > MAX_HOUSE_AREA:
                errors["area"] = f"面积不能超过 {MAX_HOUSE_AREA} 平方米"
    return number, unit, area


def _active_leases(house: House):
    return RentalLease.objects.filter(house=house, ended_on__isnull=True, end_date__gte=timezone.localdate())


@transaction.atomic
def house_create(*, actor, building: Region, number: str, unit: str = "", use: str = HouseUse.SELF,
                 area=None) -> House:
    """A house under a building (by hand, the demo's tests, the fixtures): checked, written, audited once."""
    building = Region.objects.select_related("parent").get(pk=building.pk)
    grid = grid_of_building(building)
    _require(actor, GridPerm.PEOPLE, grid, "登记房屋")
    errors: dict = {}
    number, unit, area = _clean_house(number=number, unit=unit, use=use, area=area, errors=errors)
    if not errors and House.objects.filter(building=building, unit=unit, number=number).exists():
        errors["number"] = f"{building.name}{unit and unit + '单元'}{number} 已登记"
    _raise(errors)
    address = house_address(building, unit, number)
    house = House.objects.create(grid=grid, building=building, unit=unit, number=number, address=address, use=use,
                                 area=area)
    record(actor=actor, action=AuditAction.CREATE, obj=house,
           changes={"address": [None, address], "use": [None, use],
                    "area": [None, str(area) if area is not None else None]})
    return house


house_add = house_create  # the name the by-hand pages were written against; one function


@transaction.atomic
def house_update(*, actor, house: House, number: str, unit: str = "", use: str = HouseUse.SELF,
                 area=None) -> House:
    house = House.objects.select_for_update(of=("self",)).select_related("building__parent", "grid").get(pk=house.pk)
    _require(actor, GridPerm.PEOPLE, house.grid, "修改房屋")
    errors: dict = {}
    number, unit, area = _clean_house(number=number, unit=unit, use=use, area=area, errors=errors)
    if not errors and House.objects.filter(building=house.building, unit=unit, number=number).exclude(
            pk=house.pk).exists():
        errors["number"] = f"{house.building.name}{unit and unit + '单元'}{number} 已登记为另一套房屋"
    if not errors and house.use == HouseUse.RENTAL and use != HouseUse.RENTAL:
        lease = _active_leases(house).order_by("start_date").first()
        if lease is not None:
            errors["use"] = (f"该房屋有未终止的租约（房东 {lease.landlord_name}，至 {lease.end_date:%Y-%m-%d}），"
                             "请先办理退租再修改用途")
    if not errors and use == HouseUse.VACANT:
        n = Household.objects.filter(house=house, status=HouseholdStatus.ACTIVE).count()
        if n:
            errors["use"] = f"该房屋还有 {n} 户在住，不能改为空置；请先办理整户迁出"
    _raise(errors)
    _save_audited(actor, house, ["unit", "number", "address", "use", "area"], {
        "unit": unit, "number": number, "use": use, "area": area,
        "address": house_address(house.building, unit, number)})
    return house


def _refresh_household(hh: Household) -> None:
    """Members and the care flag follow the residents still living there."""
    from django.db.models import Count, Q

    agg = Resident.objects.filter(household=hh, status=ResidentStatus.ACTIVE).aggregate(
        n=Count("id"), care=Count("id", filter=Q(care_flags__gt=0)))
    hh.members, hh.is_care = agg["n"] or 0, bool(agg["care"])
    Household.objects.filter(pk=hh.pk).update(members=hh.members, is_care=hh.is_care)


HEAD_FIELDS = ("id_number", "phone", "kind", "care_tags", "arrival_date", "permit_expiry", "joined_on")


def _check_head(*, actor, head_name: str, head: dict, errors: dict) -> None:
    """The head's resident fields, checked like resident_create's before the household exists (no head yet)."""
    unknown = set(head) - set(HEAD_FIELDS)
    if unknown:
        raise TypeError(f"unknown head fields: {', '.join(sorted(unknown))}")
    kind = head.get("kind", ResidentKind.REGISTERED)
    data = {"name": head_name, "id_number": "", "kind": kind, "relation": Relation.HEAD, "birth_date": None,
            "arrival_date": head.get("arrival_date"), "permit_expiry": head.get("permit_expiry")}
    try:
        data = clean_resident(name=head_name, id_number=head.get("id_number") or "",
                              phone=(head.get("phone") or "").strip(), kind=kind, relation=Relation.HEAD,
                              arrival_date=data["arrival_date"], permit_expiry=data["permit_expiry"])
    except ValidationError as exc:
        found = _errors_of(exc)
        found.pop("name", None)   # the name is head_name, checked (and reported) with the household's fields
        errors.update(found)
        if "id_number" not in found and head.get("id_number"):
            # A good ID number beside a bad field is still checked for duplicates (every bad field at once).
            info = parse_id_number(head["id_number"])
            data["id_number"], data["birth_date"] = info.number, info.birth_date
    _resident_rules(household=None, data=data, care_tags=head.get("care_tags", ()), actor=actor, errors=errors)
    _joined_ok(head.get("joined_on"), data["birth_date"], errors)   # 入户日期: as resident_create checks it


@transaction.atomic
def household_create(*, actor, house: House, head_name: str, number: str = "", head: dict | None = None
                     ) -> Household:
    """A household in a house (not a vacant one; its number unique among the house's active households).

    `head`: the head's own resident fields (`HEAD_FIELDS`: id_number, phone, kind, care_tags, arrival_date,
    permit_expiry, joined_on — 入户日期, None is today; the name is `head_name`, the relation 户主). The
    household and its head are then written in this one transaction, after every field of both has been
    checked (all bad fields reported at once), with one audit entry each: a household is never saved without
    its head. The by-hand page always passes it.
    Without `head` the caller registers the members itself inside its own transaction (test fixtures)."""
    house = House.objects.select_for_update(of=("self",)).select_related("grid").get(pk=house.pk)
    _require(actor, GridPerm.PEOPLE, house.grid, "登记住户")
    errors: dict = {}
    head_name = _text(head_name, "head_name", "户主姓名", errors, max_length=50)
    number = _text(number, "number", "户号", errors, max_length=30, required=False)
    if house.use == HouseUse.VACANT:
        errors["__all__"] = f"房屋“{house.address}”登记为空置，请先把房屋用途改为自住、出租或商用，再登记住户"
    if number and Household.objects.filter(house=house, number=number, status=HouseholdStatus.ACTIVE).exists():
        errors["number"] = f"该房屋已有户号为“{number}”的在住户"
    if head is not None:
        _check_head(actor=actor, head_name=head_name, head=head, errors=errors)
    _raise(errors)
    hh = Household.objects.create(grid_id=house.grid_id, house=house, head_name=head_name, number=number)
    record(actor=actor, action=AuditAction.CREATE, obj=hh,
           changes={"head_name": [None, head_name], **({"number": [None, number]} if number else {})})
    hh.head = None
    if head is not None:
        # Checked above; resident_create checks again under the household's lock and writes the head's entry.
        fields = {**head, "phone": (head.get("phone") or "").strip()}
        hh.head = resident_create(actor=actor, household=hh, name=head_name, relation=Relation.HEAD, **fields)
        hh.refresh_from_db(fields=["members", "is_care", "head_name"])
    return hh


household_add = household_create  # the name the by-hand pages were written against; one function


def _locked_household(household: Household, actor, what: str) -> Household:
    hh = Household.objects.select_for_update(of=("self",)).select_related("grid", "house").get(pk=household.pk)
    _require(actor, GridPerm.PEOPLE, hh.grid, what)
    if hh.status != HouseholdStatus.ACTIVE:
        raise ValidationError(f"该户已于 {hh.moved_out_on:%Y-%m-%d} 迁出，记录仅供查阅")
    return hh


@transaction.atomic
def household_update(*, actor, household: Household, head_name: str = "", number: str = "",
                     head: Resident | None = None) -> Household:
    """Edit the household number and head. Choosing a member as head makes their relation 户主; a member who
    was 户主 before becomes 其他 (listed in `demoted_heads` on the returned household, for the page to say)."""
    hh = _locked_household(household, actor, "修改住户")
    errors: dict = {}
    number = _text(number, "number", "户号", errors, max_length=30, required=False)
    if head is not None:
        head = Resident.objects.select_for_update().filter(pk=head.pk, household=hh,
                                                           status=ResidentStatus.ACTIVE).first()
        if head is None:
            errors["head"] = "户主应为本户在住成员"
        else:
            head_name = head.name
    else:
        head_name = _text(head_name, "head_name", "户主姓名", errors, max_length=50)
    if number and Household.objects.filter(house_id=hh.house_id, number=number,
                                           status=HouseholdStatus.ACTIVE).exclude(pk=hh.pk).exists():
        errors["number"] = f"该房屋已有户号为“{number}”的在住户"
    _raise(errors)
    hh.demoted_heads = []
    if head is not None:
        for other in Resident.objects.select_for_update().filter(
                household=hh, status=ResidentStatus.ACTIVE, relation=Relation.HEAD).exclude(pk=head.pk):
            other.relation = Relation.OTHER
            other.save(update_fields=["relation"])
            record(actor=actor, action=AuditAction.UPDATE, obj=other, changes={"relation": ["head", "other"]})
            hh.demoted_heads.append(other.name)
        if head.relation != Relation.HEAD:
            record(actor=actor, action=AuditAction.UPDATE, obj=head, changes={"relation": [head.relation, "head"]})
            head.relation = Relation.HEAD
            head.save(update_fields=["relation"])
    _save_audited(actor, hh, ["number", "head_name"], {"number": number, "head_name": head_name})
    return hh


@transaction.atomic
def household_move_out(*, actor, household: Household, moved_out_on: date, reason: str) -> Household:
    """The whole household leaves: it and every member still living there are marked moved out, dated."""
    hh = _locked_household(household, actor, "办理住户迁出")
    errors: dict = {}
    moved_out_on = _date_ok(moved_out_on, "moved_out_on", "迁出日期", errors)
    reason = _text(reason, "reason", "迁出说明", errors, max_length=200)
    _raise(errors)
    for r in Resident.objects.select_for_update().filter(household=hh, status=ResidentStatus.ACTIVE):
        r.status, r.left_on, r.status_note = ResidentStatus.MOVED_OUT, moved_out_on, reason
        r.save(update_fields=["status", "left_on", "status_note"])
        record(actor=actor, action=AuditAction.TRANSITION, obj=r,
               changes={"status": ["active", "moved_out"], "left_on": [None, moved_out_on.isoformat()]})
    hh.status, hh.moved_out_on, hh.moved_out_reason = HouseholdStatus.MOVED_OUT, moved_out_on, reason
    hh.save(update_fields=["status", "moved_out_on", "moved_out_reason"])
    _refresh_household(hh)
    record(actor=actor, action=AuditAction.TRANSITION, obj=hh,
           changes={"status": ["active", "moved_out"], "moved_out_on": [None, moved_out_on.isoformat()],
                    "moved_out_reason": [None, reason]})
    return hh


def duplicate_id_message(actor, id_number: str, *, exclude_pk: int | None = None) -> str | None:
    """Why this ID number cannot be registered again; names the household only when the actor may see it."""
    h = Resident._meta.get_field("id_number").blind_index_for(id_number)
    other = (Resident.objects.filter(id_number_hash=h).exclude(pk=exclude_pk)
             .select_related("household__house", "grid").first())
    if other is None:
        return None
    if actor is None or has_perm_at(actor, GridPerm.VIEW, other.grid.path):
        state = "" if other.status == ResidentStatus.ACTIVE else f"（{other.get_status_display()}）"
        return (f"该身份证号已登记为居民“{other.name}”{state}，住 {other.household.house.address}"
                f"（户主 {other.household.head_name}），请勿重复登记")
    return "该身份证号已在其他网格登记为居民，请勿重复登记；如该居民已迁入本户，请联系其原所在社区核实"


def _resident_rules(*, household: Household | None, data: dict, care_tags, actor, errors: dict,
                    exclude_pk: int | None = None) -> int:
    """Checks beyond clean_resident: floating residents' dates, one head per household (`household` None: a
    household being created, which has none yet), unique ID number."""
    flags = 0
    try:
        flags = care_flags_of(care_tags)
    except ValidationError as exc:
        errors.update(_errors_of(exc))
    today = timezone.localdate()
    arrival, expiry = data["arrival_date"], data["permit_expiry"]
    if data["kind"] == ResidentKind.FLOATING:
        if arrival is None and "arrival_date" not in errors:
            errors["arrival_date"] = "流动人口须填写来本地日期"
        elif arrival and data["birth_date"] and arrival < data["birth_date"]:
            errors["arrival_date"] = "来本地日期不能早于出生日期"
        if expiry and arrival and expiry < arrival:
            errors["permit_expiry"] = "居住证到期日不能早于来本地日期"
        elif expiry and expiry > today.replace(year=today.year + MAX_PERMIT_YEARS, day=min(today.day, 28)):
            errors["permit_expiry"] = f"居住证到期日不能晚于 {MAX_PERMIT_YEARS} 年后，请核对"
    if data["relation"] == Relation.HEAD and household is not None:
        head = Resident.objects.filter(household=household, status=ResidentStatus.ACTIVE,
                                       relation=Relation.HEAD).exclude(pk=exclude_pk).first()
        if head is not None:
            errors["relation"] = f"本户已有户主“{head.name}”；如需更换户主，请在“修改住户”中选择"
    if data["id_number"] and "id_number" not in errors:
        msg = duplicate_id_message(actor, data["id_number"], exclude_pk=exclude_pk)
        if msg:
            errors["id_number"] = msg
    return flags


def _joined_ok(joined_on, birth_date: date | None, errors: dict) -> date | None:
    """入户日期: optional, not in the future, not before 1900 nor before the resident's birth."""
    joined_on = _date_ok(joined_on, "joined_on", "入户日期", errors, required=False)
    if joined_on and "joined_on" not in errors and birth_date and joined_on < birth_date:
        errors["joined_on"] = f"入户日期不能早于出生日期（{birth_date:%Y-%m-%d}）"
    return joined_on


def _sync_head_name(actor, hh: Household, r: Resident) -> None:
    if r.relation == Relation.HEAD and r.status == ResidentStatus.ACTIVE and hh.head_name != r.name:
        record(actor=actor, action=AuditAction.UPDATE, obj=hh, changes={"head_name": [hh.head_name, r.name]})
        hh.head_name = r.name
        hh.save(update_fields=["head_name"])


@transaction.atomic
def resident_create(*, actor, household: Household, name: str, id_number: str = "", phone: str = "",
                    kind: str = ResidentKind.REGISTERED, relation: str = Relation.HEAD, care_tags=(),
                    arrival_date: date | None = None, permit_expiry: date | None = None,
                    joined_on: date | None = None) -> Resident:
    """A resident in a household still living there: every check of the by-hand page, one write, one audit
    entry (plus the household's head name when a 户主 is added under another name). `joined_on` (入户日期):
    None is today, the day of registration."""
    hh = _locked_household(household, actor, "登记居民")
    errors: dict = {}
    data = {"name": name, "id_number": "", "kind": kind, "relation": relation, "birth_date": None,
            "arrival_date": arrival_date, "permit_expiry": permit_expiry}
    try:
        data = clean_resident(name=name, id_number=id_number, phone=phone, kind=kind, relation=relation,
                              arrival_date=arrival_date, permit_expiry=permit_expiry)
    except ValidationError as exc:
        errors.update(_errors_of(exc))
    flags = _resident_rules(household=hh, data=data, care_tags=care_tags, actor=actor, errors=errors)
    given = _joined_ok(joined_on, data["birth_date"], errors)
    _raise(errors)
    r = Resident.objects.create(grid_id=hh.grid_id, household=hh, care_flags=flags,
                                name_initials=name_initials(data["name"]), name_pinyin=name_pinyin(data["name"]),
                                joined_on=given or timezone.localdate(), **data)
    created = {"name": r.name, "id_number": r.id_number, "kind": r.kind}
    if given:
        created["joined_on"] = given.isoformat()
    record(actor=actor, action=AuditAction.CREATE, obj=r,
           changes=diff({}, created, personal={"id_number": "id_number"}))
    _refresh_household(hh)
    _sync_head_name(actor, hh, r)
    return r


resident_add = resident_create  # the name the by-hand pages were written against; one function


_RESIDENT_AUDITED = ["name", "id_number", "phone", "kind", "relation", "care_flags", "arrival_date",
                     "permit_expiry", "joined_on"]


def _locked_resident(resident: Resident, actor, what: str) -> Resident:
    r = Resident.objects.select_for_update(of=("self",)).select_related("grid", "household__house").get(pk=resident.pk)
    _require(actor, GridPerm.PEOPLE, r.grid, what)
    return r


@transaction.atomic
def resident_update(*, actor, resident: Resident, name: str, id_number: str | None = None,
                    phone: str | None = None, kind: str = ResidentKind.REGISTERED, relation: str = Relation.HEAD,
                    care_tags=(), arrival_date: date | None = None, permit_expiry: date | None = None,
                    joined_on: date | None = None) -> Resident:
    """Edit a resident living here. `id_number` / `phone` None keep the stored value; "" (or only spaces) clears
    it: the encrypted value and its blind index both emptied, the change in the audit entry (masked).
    `joined_on` (入户日期) None keeps it."""
    r = _locked_resident(resident, actor, "修改居民信息")
    if r.status != ResidentStatus.ACTIVE:
        raise ValidationError(f"{r.name}{r.get_status_display()}，记录仅供查阅，不能修改")
    errors: dict = {}
    id_number = r.id_number if id_number is None else id_number
    phone = r.phone if phone is None else phone.strip()
    data = {"name": name, "id_number": "", "kind": kind, "relation": relation, "birth_date": None,
            "arrival_date": arrival_date, "permit_expiry": permit_expiry}
    try:
        data = clean_resident(name=name, id_number=id_number, phone=phone, kind=kind, relation=relation,
                              arrival_date=arrival_date, permit_expiry=permit_expiry)
    except ValidationError as exc:
        errors.update(_errors_of(exc))
    flags = _resident_rules(household=r.household, data=data, care_tags=care_tags, actor=actor, errors=errors,
                            exclude_pk=r.pk)
    joined_on = _joined_ok(joined_on, data["birth_date"], errors)
    _raise(errors)
    before = snapshot(r, _RESIDENT_AUDITED)
    for field, value in data.items():
        setattr(r, field, value)
    r.care_flags = flags
    if joined_on is not None:
        r.joined_on = joined_on
    r.name_initials, r.name_pinyin = name_initials(r.name), name_pinyin(r.name)
    r.save()
    after = snapshot(r, _RESIDENT_AUDITED)
    record(actor=actor, action=AuditAction.UPDATE, obj=r,
           changes=diff(before, after, personal={"id_number": "id_number", "phone": "mobile"}))
    hh = Household.objects.select_for_update().get(pk=r.household_id)
    _refresh_household(hh)
    _sync_head_name(actor, hh, r)
    return r


@transaction.atomic
def resident_leave(*, actor, resident: Resident, status: str, left_on: date, note: str = "") -> Resident:
    """Mark a resident moved out or deceased; the record stays, dated, and drops out of counts and plans."""
    r = _locked_resident(resident, actor, "办理居民迁出或死亡登记")
    if r.status != ResidentStatus.ACTIVE:
        raise ValidationError(f"{r.name}已是“{r.get_status_display()}”状态")
    errors: dict = {}
    if status not in (ResidentStatus.MOVED_OUT, ResidentStatus.DECEASED):
        errors["status"] = "变动类型应为“已迁出”或“已故”"
    label = "死亡日期" if status == ResidentStatus.DECEASED else "迁出日期"
    left_on = _date_ok(left_on, "left_on", label, errors)
    if left_on and r.birth_date and left_on < r.birth_date:
        errors["left_on"] = f"{label}不能早于出生日期（{r.birth_date:%Y-%m-%d}）"
    note = _text(note, "note", "变动说明", errors, max_length=200, required=False)
    _raise(errors)
    r.status, r.left_on, r.status_note = status, left_on, note
    r.save(update_fields=["status", "left_on", "status_note"])
    record(actor=actor, action=AuditAction.TRANSITION, obj=r,
           changes={"status": ["active", status], "left_on": [None, left_on.isoformat()],
                    **({"status_note": [None, note]} if note else {})})
    _refresh_household(Household.objects.select_for_update().get(pk=r.household_id))
    return r


@transaction.atomic
def resident_restore(*, actor, resident: Resident) -> Resident:
    """Undo a mistaken moved-out / deceased mark (the household must still be living there)."""
    r = _locked_resident(resident, actor, "恢复居民在住状态")
    if r.status == ResidentStatus.ACTIVE:
        raise ValidationError(f"{r.name}本来就是在住状态")
    hh = Household.objects.select_for_update().get(pk=r.household_id)
    if hh.status != HouseholdStatus.ACTIVE:
        raise ValidationError("所在住户已整户迁出，不能恢复该居民")
    changes = {"status": [r.status, "active"], "left_on": [r.left_on.isoformat() if r.left_on else None, None]}
    if r.relation == Relation.HEAD and Resident.objects.filter(
            household=hh, status=ResidentStatus.ACTIVE, relation=Relation.HEAD).exists():
        r.relation = Relation.OTHER
        changes["relation"] = ["head", "other"]
    r.status, r.left_on, r.status_note = ResidentStatus.ACTIVE, None, ""
    r.save(update_fields=["status", "left_on", "status_note", "relation"])
    record(actor=actor, action=AuditAction.TRANSITION, obj=r, changes=changes)
    _refresh_household(hh)
    return r


@transaction.atomic
def resident_transfer(*, actor, resident: Resident, household: Household, relation: str, moved_on: date | None,
                      note: str = "") -> Resident:
    """户内迁移: a resident living here moves into another active household (same record, same ID number).

    Both households must lie in the actor's grid.people scope. The resident's household, grid, relation and
    入户日期 (`joined_on`, the move's date) change; both households' member counts and care flags follow. A
    head who leaves others behind leaves the old household's head name as it was (the page asks for a new
    head); the audit entry says so. One audit entry (action "move") carries the old and new household, address
    and grid, the date and the previous 入户日期."""
    r = _locked_resident(resident, actor, "办理居民迁入他户")
    if r.status != ResidentStatus.ACTIVE:
        raise ValidationError(f"{r.name}{r.get_status_display()}，记录仅供查阅，不能办理迁入他户")
    errors: dict = {}
    # Lock both households in id order (two transfers in opposite directions must not deadlock).
    ids = sorted({r.household_id, household.pk})
    locked = {hh.pk: hh for hh in Household.objects.select_for_update(of=("self",)).select_related(
        "grid", "house").filter(pk__in=ids).order_by("pk")}
    old, new = locked[r.household_id], locked.get(household.pk)
    if new is None or (actor is not None and not has_perm_at(actor, GridPerm.PEOPLE, new.grid.path)):
        errors["household"] = "迁入住户不存在或不在您的管辖范围内"
    elif new.pk == old.pk:
        errors["household"] = "迁入住户与现住户相同，请选择另一户"
    elif new.status != HouseholdStatus.ACTIVE:
        errors["household"] = (f"迁入住户（{new.house.address}，户主 {new.head_name}）已于 "
                               f"{new.moved_out_on:%Y-%m-%d} 整户迁出，不能迁入")
    if relation not in Relation.values:
        errors["relation"] = "请选择与新户户主的关系" if not relation else f"与户主关系“{relation}”不正确"
    elif relation == Relation.HEAD and "household" not in errors:
        head = Resident.objects.filter(household=new, status=ResidentStatus.ACTIVE, relation=Relation.HEAD).first()
        if head is not None:
            errors["relation"] = f"迁入户已有户主“{head.name}”；请选择其他关系，迁入后可在“修改住户”中更换户主"
    moved_on = _date_ok(moved_on, "moved_on", "迁入日期", errors)
    registered = timezone.localtime(r.created_at).date() if r.created_at else None
    joined = r.joined_date
    if moved_on and "moved_on" not in errors and registered and moved_on < registered:
        errors["moved_on"] = f"迁入日期不能早于该居民的登记日期（{registered:%Y-%m-%d}）"
    elif moved_on and "moved_on" not in errors and joined and moved_on < joined:
        errors["moved_on"] = f"迁入日期不能早于该居民迁入现住户的日期（{joined:%Y-%m-%d}）"
    note = _text(note, "note", "说明", errors, max_length=200, required=False)
    _raise(errors)

    changes: dict = {
        "household": [old.pk, new.pk],
        "address": [old.house.address, new.house.address],
        "grid": [old.grid_id, new.grid_id],
    }
    if r.relation != relation:
        changes["relation"] = [r.relation, relation]
    changes["moved_on"] = [None, moved_on.isoformat()]
    changes["joined_on"] = [joined.isoformat() if joined else None, moved_on.isoformat()]
    if note:
        changes["note"] = [None, note]
    was_head = r.relation == Relation.HEAD and old.head_name == r.name
    r.household, r.grid_id, r.relation, r.joined_on = new, new.grid_id, relation, moved_on
    r.save(update_fields=["household", "grid", "relation", "joined_on"])
    _refresh_household(old)
    _refresh_household(new)
    if was_head and old.members:
        changes["old_household_head"] = [r.name, f"户主已迁出，户主姓名仍为“{old.head_name}”，待指定新户主"]
    if relation == Relation.HEAD and new.head_name != r.name:
        changes["new_household_head_name"] = [new.head_name, r.name]
        new.head_name = r.name
        new.save(update_fields=["head_name"])
    record(actor=actor, action=AuditAction.MOVE, obj=r, changes=changes)
    r.was_head, r.old_household = was_head, old
    return r


def _clean_lease(*, house: House, landlord_name, landlord_phone, tenants, start_date, end_date, errors: dict,
                 exclude_pk: int | None = None) -> tuple[str, str, list]:
    landlord_name = _text(landlord_name, "landlord_name", "房东姓名", errors, max_length=50)
    phone = ""
    landlord_phone = (landlord_phone or "").strip()   # blank (or only spaces): no number, or clear it on edit
    if landlord_phone:
        try:
            validate_mobile(landlord_phone)
            phone = normalize_mobile(landlord_phone)
        except ValidationError as exc:
            errors["landlord_phone"] = "房东电话：" + exc.messages[0]
    start_date = _date_ok(start_date, "start_date", "起租日", errors, not_future=False)
    end_date = _date_ok(end_date, "end_date", "到期日", errors, not_future=False)
    if start_date and end_date and "start_date" not in errors and "end_date" not in errors:
        if end_date <= start_date:
            errors["end_date"] = "到期日须晚于起租日"
        elif (end_date - start_date).days > 366 * MAX_LEASE_YEARS:
            errors["end_date"] = f"租期不能超过 {MAX_LEASE_YEARS} 年"
        else:
            other = (RentalLease.objects.filter(house=house, ended_on__isnull=True, start_date__lte=end_date,
                                                end_date__gte=start_date).exclude(pk=exclude_pk)
                     .order_by("start_date").first())
            if other is not None:
                errors["start_date"] = (f"与现有租约（房东 {other.landlord_name}，{other.start_date:%Y-%m-%d} 至 "
                                        f"{other.end_date:%Y-%m-%d}）时间重叠；请先为该租约办理退租或调整日期")
    tenants = list(tenants or ())
    allowed = set(Resident.objects.filter(household__house=house, status=ResidentStatus.ACTIVE)
                  .values_list("pk", flat=True))
    strangers = [t.name for t in tenants if t.pk not in allowed]
    if strangers:
        errors["tenants"] = f"租户应为该房屋的在住居民：{'、'.join(strangers)} 不是"
    return landlord_name, phone, tenants


def _lease_snapshot(lease: RentalLease) -> dict:
    out = snapshot(lease, ["landlord_name", "landlord_phone", "start_date", "end_date", "ended_on"])
    out["tenants"] = "、".join(sorted(t.name for t in lease.tenants.all())) if lease.pk else ""
    return out


@transaction.atomic
def lease_create(*, actor, house: House, landlord_name: str, landlord_phone: str = "", tenants=(),
                 start_date: date | None = None, end_date: date | None = None) -> RentalLease:
    house = House.objects.select_for_update(of=("self",)).select_related("grid").get(pk=house.pk)
    _require(actor, GridPerm.PEOPLE, house.grid, "登记租约")
    if house.use != HouseUse.RENTAL:
        raise ValidationError(f"房屋“{house.address}”的用途为{house.get_use_display()}，只有出租房屋可以登记租约；"
                              "请先把房屋用途改为出租")
    errors: dict = {}
    landlord_name, phone, tenants = _clean_lease(house=house, landlord_name=landlord_name,
                                                 landlord_phone=landlord_phone, tenants=tenants,
                                                 start_date=start_date, end_date=end_date, errors=errors)
    _raise(errors)
    lease = RentalLease.objects.create(grid_id=house.grid_id, house=house, landlord_name=landlord_name,
                                       landlord_phone=phone, start_date=start_date, end_date=end_date)
    lease.tenants.set(tenants)
    record(actor=actor, action=AuditAction.CREATE, obj=lease,
           changes=diff({}, _lease_snapshot(lease), personal={"landlord_phone": "mobile"}))
    return lease


def _locked_lease(lease: RentalLease, actor, what: str) -> RentalLease:
    lease = RentalLease.objects.select_for_update(of=("self",)).select_related("grid", "house").get(pk=lease.pk)
    _require(actor, GridPerm.PEOPLE, lease.grid, what)
    if lease.ended_on is not None:
        raise ValidationError(f"该租约已于 {lease.ended_on:%Y-%m-%d} 退租，记录仅供查阅")
    return lease


@transaction.atomic
def lease_update(*, actor, lease: RentalLease, landlord_name: str, landlord_phone: str | None = None,
                 tenants=(), start_date: date | None = None, end_date: date | None = None) -> RentalLease:
    """Edit a lease not yet ended. `landlord_phone` None keeps the stored number; "" (or only spaces) clears it:
    the encrypted value and its blind index both emptied, the change in the audit entry (masked)."""
    lease = _locked_lease(lease, actor, "修改租约")
    errors: dict = {}
    landlord_name, phone, tenants = _clean_lease(
        house=lease.house, landlord_name=landlord_name,
        landlord_phone=lease.landlord_phone if landlord_phone is None else landlord_phone, tenants=tenants,
        start_date=start_date, end_date=end_date, errors=errors, exclude_pk=lease.pk)
    _raise(errors)
    before = _lease_snapshot(lease)
    lease.landlord_name, lease.landlord_phone = landlord_name, phone
    lease.start_date, lease.end_date = start_date, end_date
    lease.save()
    lease.tenants.set(tenants)
    record(actor=actor, action=AuditAction.UPDATE, obj=lease,
           changes=diff(before, _lease_snapshot(lease), personal={"landlord_phone": "mobile"}))
    return lease


@transaction.atomic
def lease_end(*, actor, lease: RentalLease, ended_on: date | None) -> RentalLease:
    """退租: the lease ends on `ended_on` (kept on record); the house may then take a new lease."""
    lease = _locked_lease(lease, actor, "办理退租")
    errors: dict = {}
    ended_on = _date_ok(ended_on, "ended_on", "退租日期", errors)
    if ended_on and "ended_on" not in errors:
        if ended_on < lease.start_date:
            errors["ended_on"] = f"退租日期不能早于起租日（{lease.start_date:%Y-%m-%d}）"
        elif ended_on > lease.end_date:
            errors["ended_on"] = f"退租日期不能晚于到期日（{lease.end_date:%Y-%m-%d}）；如已续租，请先修改到期日"
    _raise(errors)
    lease.ended_on = ended_on
    lease.save(update_fields=["ended_on"])
    record(actor=actor, action=AuditAction.TRANSITION, obj=lease, changes={"ended_on": [None, ended_on.isoformat()]})
    return lease
