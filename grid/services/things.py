"""Facilities, units and liaisons written by hand."""

from __future__ import annotations

import json
import math as _math

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import AuditAction
from audit.services import diff, record, snapshot
from core.phone import normalize_mobile, validate_mobile
from core.treepaths import is_under
from regions.models import Region, RegionKind

from .. import coords
from ..apps import GridPerm
from ..models import (
    Facility,
    FacilityKind,
    FacilityState,
    GridLiaison,
    GridProfile,
    GridUnit,
    UnitKind,
)
from ..selectors import can_write_things
from .common import (
    _choice,
    _gather,
    _raise,
    _require,
    _save_audited,
    _text,
)

# --- things and organizations, by hand ---
# Facilities (雪亮工程 cameras, hydrants, AEDs, notice boards), units (shops, firms, social
# organizations) and liaisons, written from the pages of views_things.py. Facilities and units may
# be recorded by whoever works the grid (grid.visit: a grid worker in their grid, community staff in
# their community) or edits it (grid.edit); liaisons need grid.edit, like liaison_add (profile.py).

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
        if community is None or not is_under(party_org.region.path, community.path):
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
