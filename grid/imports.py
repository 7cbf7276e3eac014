"""Excel import of houses, households and residents in one sheet, on the shared imports mechanism.

One row is one resident. The row names where they live (community, grid, compound, building, unit,
door number) and which household (户号; empty: one household per house). Houses and households
that do not exist yet are created with the residents, in the same all-or-nothing transaction.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.scope import scope_filter
from bulkimport import (
    Column,
    Importer,
    allocate_ids,
    cell_text,
    choice,
    date_value,
    existing_values,
    file_hashes,
    id_number,
    insert_rows,
    iter_chunks,
    mobile,
    side_query,
    text,
)
from core.crypto import blind_index
from core.idnumber import id_check_digit, normalize_id_number
from core.pinyin import name_initials, name_pinyin
from regions.models import Region, RegionKind

from .apps import GridPerm
from .models import CARE_TAGS, House, Household, HouseholdStatus, HouseUse, Relation, Resident, ResidentKind

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


care_tags.cacheable = True  # a pure function of the cell (see imports.Column.cache)


# The template's example row: a made-up number whose check digit is right (born 1980-05-01, male), in a
# region code the synthetic test and demo numbers never use (core.idnumber.SyntheticIdNumbers).
EXAMPLE_ID = "11010119800501001" + id_check_digit("11010119800501001")


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
        Column("id_number", "身份证号", parser=id_number, mask="id_number", example=EXAMPLE_ID, width=22),
        Column("phone", "手机号", parser=mobile, mask="mobile", example="13800000000"),
        Column("kind", "人口类型", parser=choice(_reverse(ResidentKind.choices)), example="户籍人口"),
        Column("relation", "与户主关系", parser=choice(_reverse(Relation.choices)), example="户主"),
        Column("care", "关爱标签", parser=care_tags, help="可填：" + "、".join(_LABEL_TO_BIT)),
        Column("arrival_date", "来本地日期", parser=date_value(), help="流动人口填写"),
        Column("permit_expiry", "居住证到期日", parser=date_value(allow_future=True), help="流动人口填写"),
        Column("joined_on", "入户日期", parser=date_value(), help="迁入本户的日期；留空为导入当天"),
    ]
    unique_columns = ["id_number"]

    @classmethod
    def fix_link(cls, error):
        if error.get("reason") == "该身份证号已登记为居民":
            return ("改为按身份证号更新", reverse("grid:import_update"))
        return None

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
            sub = list(Region.objects.under(comm_path, include_self=False)
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
        self.today = timezone.localdate()
        self.prepare_places(rows)

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
        joined = v.get("joined_on")
        if joined and v.get("id_number"):
            born = _birth(v["id_number"])[1]
            if born and joined < born:
                raise ValidationError({"joined_on": f"入户日期不能早于出生日期（{born:%Y-%m-%d}）"})

    streaming = True  # rows are checked while earlier ones are written (see imports.import_sheet)
    needs_pks = False  # nothing refers to the new residents: the database numbers them
    values_normalized = True  # the id_number and mobile parsers return normalized numbers

    def prepare_places(self, rows) -> None:
        """What the stream needs to know before it starts (no query is allowed while it runs): the ID
        numbers already registered, the houses and households that exist in the buildings the file
        names, and enough new primary keys for the houses and households it may create."""
        self.hashes = hashes = file_hashes(rows, "id_number", purpose="id_number", normalize=normalize_id_number)
        registered = side_query(existing_values, Resident, "id_number_hash", hashes.values())  # meanwhile:
        house_keys: set[tuple] = set()
        household_keys: set[tuple] = set()
        buildings = self.buildings
        for r in rows:
            raw = r.raw
            place = buildings.get((cell_text(raw.get("community")), cell_text(raw.get("grid")),
                                   cell_text(raw.get("compound")), cell_text(raw.get("building"))))
            if place is not None:
                house = (place[0], cell_text(raw.get("unit")), cell_text(raw.get("number")))
                house_keys.add(house)
                household_keys.add((house, cell_text(raw.get("household"))))
        # Existing houses and households of those buildings: key → id (and a household's counters).
        self.houses: dict[tuple, int] = {}
        self.households: dict[tuple, _Household] = {}  # (house id, household number) → household
        building_ids = sorted({k[0] for k in house_keys})
        for ids in iter_chunks(building_ids, 2000):
            for pk, building_id, unit, number in House.objects.filter(building_id__in=ids).values_list(
                    "id", "building_id", "unit", "number"):
                self.houses[(building_id, unit, number)] = pk
        known = list(self.houses.values())
        for ids in iter_chunks(known, 5000):
            for pk, house_id, number, head, members, is_care in Household.objects.filter(
                    house_id__in=ids, status=HouseholdStatus.ACTIVE).order_by("id").values_list(
                    "id", "house_id", "number", "head_name", "members", "is_care"):
                self.households.setdefault((house_id, number), _Household(pk, None, house_id, number, head,
                                                                          members, is_care, new=False))
        new_houses = [k for k in house_keys if k not in self.houses]
        new_households = sum(1 for house, number in household_keys
                             if house not in self.houses or (self.houses[house], number) not in self.households)
        self.house_ids = iter(allocate_ids(House, len(new_houses)))
        self.household_ids = iter(allocate_ids(Household, new_households))
        self.registered = registered()
        self.new_houses: dict[int, dict] = {}  # id → row of the House table
        self.touched: set[int] = set()  # ids of existing households that gain residents
        self.first_use: dict[tuple, tuple[int, str]] = {}
        self.heads: dict[tuple, int] = {}

    def check_rows(self, rows) -> None:
        """Per chunk, in file order, without queries: registered ID numbers, one use per house, one head
        per household; then each good row gets its house and household (existing, or new with a
        preallocated key) and the resident's derived columns."""
        registered, hashes = self.registered, self.hashes
        first_use, heads = self.first_use, self.heads
        for r in rows:
            v = r.values
            number = v.get("id_number")
            if number:
                h = hashes.get(number) or blind_index(number, purpose="id_number")
                v["id_number_hash"] = h
                if h in registered:
                    r.add_error("id_number", "该身份证号已登记为居民")
                    continue
            house_key = (v["building_id"], v.get("unit") or "", v["number"])
            use = v.get("use")
            if use:
                first = first_use.get(house_key)
                if first is not None and first[1] != use:
                    r.add_error("use", f"与第 {first[0]} 行同一房屋的用途不一致")
                    continue
                first_use.setdefault(house_key, (r.number, use))
            relation = v.get("relation") or Relation.HEAD
            if relation == Relation.HEAD:
                hh_key = (*house_key, v.get("household") or "")
                if hh_key in heads:
                    r.add_error("relation", f"同一户已有户主（第 {heads[hh_key]} 行）")
                    continue
                heads[hh_key] = r.number
            self._place(r, house_key, relation)

    def _place(self, r, house_key: tuple, relation: str) -> None:
        v = r.values
        house_id = self.houses.get(house_key)
        if house_id is None:
            house_id = self.houses[house_key] = next(self.house_ids)
            unit = house_key[1]
            self.new_houses[house_id] = {
                "grid_id": v["grid_id"], "building_id": house_key[0], "unit": unit, "number": house_key[2],
                "address": f"{v['address_prefix']}{unit and unit + '单元'}{house_key[2]}",
                "use": v.get("use") or HouseUse.SELF}
        hh_key = (house_id, v.get("household") or "")
        hh = self.households.get(hh_key)
        name = v["name"]
        if hh is None:
            hh = self.households[hh_key] = _Household(next(self.household_ids), v["grid_id"], house_id,
                                                      hh_key[1], name, 0, False, new=True)
        elif not hh.new:
            self.touched.add(hh.pk)
        if hh.new and (relation == Relation.HEAD or hh.members == 0):
            hh.head_name = name
        hh.members += 1
        care = v.get("care") or 0
        if care:
            hh.is_care = True
        gender, born = _birth(v.get("id_number"))
        v.update(household_id=hh.pk, name_initials=name_initials(name), name_pinyin=name_pinyin(name),
                 gender=gender, birth_date=born, relation=relation, care_flags=care,
                 id_number=v.get("id_number") or "", phone=v.get("phone") or "",
                 joined_on=v.get("joined_on") or self.today)  # once per import, not the field's default per row

    def finish(self, rows) -> int:
        """After the residents: the new houses and households they live in (the foreign keys are
        checked at commit), and the new counters of existing households."""
        used = {r.values["household_id"] for r in rows}
        households = [hh for hh in self.households.values() if hh.pk in used]
        new_hh = [hh for hh in households if hh.new]
        house_used = {hh.house_id for hh in new_hh}
        new_houses = {pk: row for pk, row in self.new_houses.items() if pk in house_used}
        insert_rows(House, list(new_houses.values()), ids=list(new_houses), batch_size=self.batch_size)
        insert_rows(Household, [{"grid_id": hh.grid_id, "house_id": hh.house_id, "number": hh.number,
                                 "head_name": hh.head_name, "members": hh.members, "is_care": hh.is_care}
                                for hh in new_hh], ids=[hh.pk for hh in new_hh], batch_size=self.batch_size)
        grown = [Household(pk=hh.pk, members=hh.members, is_care=hh.is_care)
                 for hh in households if not hh.new and hh.pk in self.touched]
        Household.objects.bulk_update(grown, ["members", "is_care"], batch_size=1000)
        self.counts = {"houses": len(new_houses), "households": len(new_hh), "residents": len(rows)}
        return len(rows)


class _Household:
    """A household the import puts residents in: an existing one (its counters grow) or a new one."""

    __slots__ = ("pk", "grid_id", "house_id", "number", "head_name", "members", "is_care", "new")

    def __init__(self, pk, grid_id, house_id, number, head_name, members, is_care, *, new: bool):
        self.pk, self.grid_id, self.house_id, self.number = pk, grid_id, house_id, number
        self.head_name, self.members, self.is_care, self.new = head_name, members, is_care, new


def _birth(number: str | None) -> tuple[str, Any]:
    if not number:
        return "", None
    from datetime import date

    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "", None
    return ("M" if int(number[16]) % 2 else "F"), born
