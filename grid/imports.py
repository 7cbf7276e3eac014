"""Excel import of houses, households and residents in one sheet, on the shared core.imports mechanism.

One row is one resident. The row names where they live (community, grid, compound, building, unit,
door number) and which household (户号; empty: one household per house). Houses and households
that do not exist yet are created with the residents, in the same all-or-nothing transaction.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError

from accounts.scope import scope_filter
from core.crypto import blind_index
from core.imports import Column, Importer, bulk_insert, cell_text, choice, date_value, id_number, mobile, text
from core.pinyin import name_initials, name_pinyin
from regions import paths
from regions.models import Region, RegionKind

from .apps import GridPerm
from .models import CARE_TAGS, House, Household, HouseUse, Relation, Resident, ResidentKind

_LABEL_TO_BIT = {label: bit for _, bit, label in CARE_TAGS}
_SPLIT = re.compile(r"[,，、;；/\s]+")


def care_tags(value: Any) -> int:
    flags = 0
    for part in _SPLIT.split(cell_text(value)):
        if not part:
            continue
        if part not in _LABEL_TO_BIT:
            raise ValidationError(f"未知关爱标签“{part}”，可填：{'、'.join(_LABEL_TO_BIT)}（多个用顿号分隔）")
        flags |= _LABEL_TO_BIT[part]
    return flags


def _reverse(choices) -> dict[str, str]:
    return {label: value for value, label in choices}


class ResidentImporter(Importer):
    kind = "grid.resident"
    label = "居民"
    perm = GridPerm.EDIT
    sheet_name = "居民"
    model = Resident
    batch_size = 5000
    columns = [
        Column("community", "社区", required=True, parser=text(100), example="文化东路社区"),
        Column("grid", "网格", required=True, parser=text(100), example="第1网格"),
        Column("compound", "小区", parser=text(100), example="文化东1-1小区", help="楼栋直接在网格下时留空"),
        Column("building", "楼栋", required=True, parser=text(100), example="1号楼"),
        Column("unit", "单元", parser=text(10), example="1"),
        Column("number", "门牌", required=True, parser=text(20), example="301", help="室号，如 301"),
        Column("use", "房屋用途", parser=choice(_reverse(HouseUse.choices)), example="自住"),
        Column("household", "户号", parser=text(30), help="同一房屋内多户时填写；留空则一房一户"),
        Column("name", "姓名", required=True, parser=text(50), mask="name", example="张三"),
        Column("id_number", "身份证号", parser=id_number, mask="id_number", help="18 位，请设为文本格式"),
        Column("phone", "手机号", parser=mobile, mask="mobile"),
        Column("kind", "人口类型", parser=choice(_reverse(ResidentKind.choices)), example="户籍人口"),
        Column("relation", "与户主关系", parser=choice(_reverse(Relation.choices)), example="户主"),
        Column("care", "关爱标签", parser=care_tags, help="可填：" + "、".join(_LABEL_TO_BIT)),
        Column("arrival_date", "来本地日期", parser=date_value(), help="流动人口填写"),
        Column("permit_expiry", "居住证到期日", parser=date_value(allow_future=True), help="流动人口填写"),
    ]
    unique_columns = ["id_number"]

    # -- lookups -------------------------------------------------------------

    def prepare(self, rows) -> None:
        """Every building the actor may edit, keyed by (community, grid, compound, building) names."""
        regions = scope_filter(Region.objects.filter(kind__in=[RegionKind.COMMUNITY, RegionKind.GRID,
                                                               RegionKind.COMPOUND, RegionKind.BUILDING]),
                               self.actor, GridPerm.EDIT)
        communities = {cell_text(r.raw["community"]) for r in rows if r.raw.get("community")}
        comm_rows = list(regions.filter(kind=RegionKind.COMMUNITY, name__in=list(communities))
                         .values_list("id", "name", "path"))
        self.buildings: dict[tuple, tuple[int, int, str]] = {}  # key → (building id, grid id, address prefix)
        self.ambiguous: set[tuple] = set()
        for _, comm_name, comm_path in comm_rows:
            sub = list(Region.objects.filter(path__gt=comm_path, path__lt=paths.upper_bound(comm_path))
                       .values_list("id", "name", "kind", "path", "parent_id"))
            by_id = {r[0]: r for r in sub}
            for rid, name, kind, _path, parent_id in sub:
                if kind != RegionKind.BUILDING:
                    continue
                parent = by_id.get(parent_id)
                if parent is None:
                    continue
                if parent[2] == RegionKind.COMPOUND:
                    compound, grid = parent, by_id.get(parent[4])
                else:
                    compound, grid = None, parent
                if grid is None or grid[2] != RegionKind.GRID:
                    continue
                key = (comm_name, grid[1], compound[1] if compound else "", name)
                if key in self.buildings:
                    self.ambiguous.add(key)
                self.buildings[key] = (rid, grid[0], f"{compound[1] if compound else grid[1]}{name}")
        self.known_communities = {c[1] for c in comm_rows}

    def clean_row(self, row) -> None:
        v = row.values
        key = (v["community"], v["grid"], v.get("compound") or "", v["building"])
        if v["community"] not in self.known_communities:
            raise ValidationError({"community": f"社区“{v['community']}”不存在或不在您的管辖范围内"})
        if key not in self.buildings:
            raise ValidationError({"building": "在该社区、网格{}下找不到楼栋“{}”".format(
                f"、小区“{key[2]}”" if key[2] else "", key[3])})
        if key in self.ambiguous:
            raise ValidationError({"building": f"楼栋“{key[3]}”重名，请填写小区以区分"})
        v["building_id"], v["grid_id"], v["address_prefix"] = self.buildings[key]
        kind = v.get("kind") or ResidentKind.REGISTERED
        v["kind"] = kind
        if kind != ResidentKind.FLOATING and (v.get("arrival_date") or v.get("permit_expiry")):
            raise ValidationError({"kind": "只有流动人口填写来本地日期、居住证到期日"})
        if v.get("arrival_date") and v.get("permit_expiry") and v["permit_expiry"] < v["arrival_date"]:
            raise ValidationError({"permit_expiry": "居住证到期日不能早于来本地日期"})
        if "<" in v["name"] or ">" in v["name"]:
            raise ValidationError({"name": "姓名不能包含 < 或 > 符号"})

    def check_rows(self, rows) -> None:
        # ID numbers already registered (one keyed-hash lookup per 5,000 rows).
        hashes = {}
        for r in rows:
            if r.values.get("id_number"):
                h = blind_index(r.values["id_number"], purpose="id_number")
                r.values["_id_hash"] = h
                hashes[h] = r
        keys = list(hashes)
        for i in range(0, len(keys), 5000):
            for h in Resident.objects.filter(id_number_hash__in=keys[i:i + 5000]).values_list("id_number_hash",
                                                                                            flat=True):
                hashes[h].add_error("id_number", "该身份证号已登记为居民")
        # One house has one use: rows that disagree with the first row of the house are refused.
        first_use: dict[tuple, tuple[int, str]] = {}
        heads: dict[tuple, int] = {}
        for r in rows:
            if not r.ok:
                continue
            v = r.values
            house_key = (v["building_id"], v.get("unit") or "", v["number"])
            use = v.get("use")
            if use:
                if house_key in first_use and first_use[house_key][1] != use:
                    r.add_error("use", f"与第 {first_use[house_key][0]} 行同一房屋的用途不一致")
                first_use.setdefault(house_key, (r.number, use))
            if v.get("relation") == Relation.HEAD:
                hh_key = (*house_key, v.get("household") or "")
                if hh_key in heads:
                    r.add_error("relation", f"同一户已有户主（第 {heads[hh_key]} 行）")
                heads.setdefault(hh_key, r.number)

    # -- saving ----------------------------------------------------------------

    def save_rows(self, rows) -> int:
        building_ids = {r.values["building_id"] for r in rows}
        houses: dict[tuple, House] = {}
        for ids in _chunks(sorted(building_ids), 2000):
            for h in House.objects.filter(building_id__in=ids):
                houses[(h.building_id, h.unit, h.number)] = h
        new_houses = []
        for r in rows:
            v = r.values
            key = (v["building_id"], v.get("unit") or "", v["number"])
            if key not in houses:
                unit = v.get("unit") or ""
                house = House(grid_id=v["grid_id"], building_id=v["building_id"], unit=unit, number=v["number"],
                              address=f"{v['address_prefix']}{unit and unit + '单元'}{v['number']}",
                              use=v.get("use") or HouseUse.SELF)
                houses[key] = house
                new_houses.append(house)
            v["_house"] = houses[key]
        bulk_insert(House, new_houses, batch_size=self.batch_size)

        fresh = {id(h) for h in new_houses}
        house_ids = [h.pk for h in houses.values() if id(h) not in fresh]
        households: dict[tuple, Household] = {}
        for ids in _chunks(house_ids, 2000):
            for hh in Household.objects.filter(house_id__in=ids):
                households.setdefault((hh.house_id, hh.number), hh)
        existing = list(households.values())
        new_hh: list[Household] = []
        created: set[int] = set()
        members: dict[int, list] = defaultdict(list)
        for r in rows:
            v = r.values
            key = (v["_house"].pk, v.get("household") or "")
            hh = households.get(key)
            if hh is None:
                hh = Household(grid_id=v["grid_id"], house=v["_house"], number=v.get("household") or "",
                               head_name=v["name"], members=0)
                households[key] = hh
                new_hh.append(hh)
                created.add(id(hh))
            if v.get("relation") == Relation.HEAD or hh.members == 0 and id(hh) in created:
                hh.head_name = v["name"]
            hh.members += 1
            hh.is_care = hh.is_care or bool(v.get("care"))
            members[id(hh)].append(r)
        bulk_insert(Household, new_hh, batch_size=self.batch_size)
        for hh in existing:
            if members.get(id(hh)):
                Household.objects.filter(pk=hh.pk).update(members=hh.members, is_care=hh.is_care)

        residents = []
        for r in rows:
            v = r.values
            hh = households[(v["_house"].pk, v.get("household") or "")]
            name = v["name"]
            info = _birth(v.get("id_number"))
            residents.append(Resident(
                grid_id=v["grid_id"], household=hh, name=name, name_initials=name_initials(name),
                name_pinyin=name_pinyin(name), gender=info[0], birth_date=info[1],
                id_number=v.get("id_number") or "", phone=v.get("phone") or "",
                kind=v["kind"], relation=v.get("relation") or Relation.HEAD, care_flags=v.get("care") or 0,
                arrival_date=v.get("arrival_date"), permit_expiry=v.get("permit_expiry"),
            ))
        bulk_insert(Resident, residents, batch_size=self.batch_size)
        self.counts = {"houses": len(new_houses), "households": len(new_hh), "residents": len(residents)}
        return len(residents)


def _birth(number: str | None) -> tuple[str, Any]:
    if not number:
        return "", None
    from datetime import date

    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "", None
    return ("M" if int(number[16]) % 2 else "F"), born


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]

