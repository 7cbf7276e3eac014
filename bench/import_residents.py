"""Bulk import of residents with their houses and households from one .xlsx.

Builds a 100,000-row resident workbook (the grid import template's Chinese headers; 20
communities × 5 grids × 10 buildings, about 2.7 residents per household), then, on the same
PostgreSQL tables in the same run:
  - ours: bulkimport + grid.imports.ResidentImporter — read with python-calamine, every row
    validated (building in the uploader's scope by community/grid/compound/building names, ID
    check digit, mobile, kinds, care tags, dates, duplicates in the file and in the database,
    one head per household, one use per house), houses and households created as needed,
    ID/phone encrypted + blind-indexed, pinyin keys, saved in one transaction (COPY);
  - the peer: django-import-export 4 tuned (use_bulk, batch_size=1000, skip_diff,
    force_init_instance; tablib/openpyxl reading) doing the same job as three bulk imports
    (houses, households, residents) cut from the same sheet, with lookups prefetched into dicts
    (it checks no ID numbers, scope or duplicates: its best case);
  - the practical limit: a raw PostgreSQL COPY of the very rows ours inserted (houses,
    households, residents).
Prints rows/s and the ratios; the last line is one JSON object.

    .venv/bin/python bench/import_residents.py [--scale 0.05]
"""

from __future__ import annotations

import argparse
import io
import random
import time
from datetime import date, timedelta

from _setup import import_bench, setup_django, time_copy

COMMUNITIES, GRIDS, BUILDINGS = 20, 5, 10
TABLES = ["grid_house", "grid_household", "grid_resident"]


def build_tree():
    from accounts.models import RoleAssignment, User
    from accounts.roles import Role
    from regions.models import Region, RegionKind

    district = Region.objects.filter(name="居民导入基准县", kind=RegionKind.DISTRICT).first()
    if district is None:
        district = Region.objects.create(name="居民导入基准县", kind=RegionKind.DISTRICT)
        street = Region.objects.create(name="居民导入基准街道", kind=RegionKind.STREET, parent=district)
        for c in range(COMMUNITIES):
            comm = Region.objects.create(name=f"导入社区{c}", kind=RegionKind.COMMUNITY, parent=street)
            for g in range(GRIDS):
                grid = Region.objects.create(name=f"第{g + 1}网格", kind=RegionKind.GRID, parent=comm)
                compound = Region.objects.create(name=f"幸福{c}-{g}小区", kind=RegionKind.COMPOUND, parent=grid)
                for b in range(BUILDINGS):
                    Region.objects.create(name=f"{b + 1}号楼", kind=RegionKind.BUILDING, parent=compound)
    user = User.objects.filter(username="bench_grid_importer").first()
    if user is None:
        user = User.objects.create_user("bench_grid_importer", password="x-Bench-2026", full_name="居民导入")
        RoleAssignment.objects.create(user=user, role=Role.DISTRICT_ADMIN, region=district)
    return user


def build_xlsx(rows: int) -> tuple[bytes, list[tuple]]:
    """The workbook, and per row its (community, grid, compound, building, unit, number) for the peer."""
    import xlsxwriter

    from core.idnumber import generate_id_number
    from core.phone import generate_mobile
    from core.synthetic import person_name
    from grid.imports import ResidentImporter

    rng = random.Random(100000)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "constant_memory": True})
    ws = wb.add_worksheet("居民")
    for j, col in enumerate(ResidentImporter.columns):
        ws.write_string(0, j, col.header)
    seen: set[str] = set()
    places = []
    per_building = max(1, rows // (COMMUNITIES * GRIDS * BUILDINGS))
    r = 1
    house = 0
    today = date.today()
    while r <= rows:
        b_index = (r - 1) // per_building % (COMMUNITIES * GRIDS * BUILDINGS)
        c, rest = divmod(b_index, GRIDS * BUILDINGS)
        g, b = divmod(rest, BUILDINGS)
        house += 1
        size = rng.choice([1, 2, 3, 3, 4])
        unit = str(house % 3 + 1)
        number = f"{house // 3 % 30 + 1}{house % 2 + 1:02d}-{house}"
        floating = rng.random() < 0.1
        for m in range(size):
            if r > rows:
                break
            born = date(1940, 1, 1) + timedelta(days=rng.randint(0, 365 * 80))
            gender = rng.choice("MF")
            idn = generate_id_number(rng, region_code="654322", birth_date=born, gender=gender)
            if idn in seen:
                continue
            seen.add(idn)
            line = [f"导入社区{c}", f"第{g + 1}网格", f"幸福{c}-{g}小区", f"{b + 1}号楼", unit, number,
                    "出租" if floating else "自住", "", person_name(rng), idn, generate_mobile(rng),
                    "流动人口" if floating else "户籍人口", "户主" if m == 0 else rng.choice(["配偶", "子女", "父母"]),
                    "独居老人" if size == 1 and rng.random() < 0.2 else "",
                    (today - timedelta(days=300)).isoformat() if floating else "",
                    (today + timedelta(days=200)).isoformat() if floating else ""]
            for j, v in enumerate(line):
                ws.write_string(r, j, v)
            places.append((c, g, b, unit, number))
            r += 1
    wb.close()
    return buf.getvalue(), places


def clear() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE grid_visitphoto, grid_visit, grid_rentallease_tenants, grid_rentallease, "
                    "grid_resident, grid_household, grid_house RESTART IDENTITY CASCADE")


def run_ours(user, data: bytes) -> tuple[float, int, dict]:

    from bulkimport import read_sheet
    from grid.imports import ResidentImporter

    t0 = time.perf_counter()
    sheet = read_sheet(ResidentImporter, data, filename="residents.xlsx")
    importer = ResidentImporter(actor=user)
    outcome = importer.import_sheet(sheet)
    if outcome.bad:
        raise SystemExit(f"unexpected bad rows: {outcome.bad[0].errors}")
    return time.perf_counter() - t0, outcome.created, importer.counts


def run_peer(data: bytes) -> tuple[float, int]:
    """django-import-export doing the same job: houses, then households, then residents, each a tuned
    bulk ModelResource over datasets cut from the same workbook; lookups prefetched into dicts."""
    import tablib
    from import_export import fields, resources

    from core.pinyin import name_initials, name_pinyin
    from grid.models import House, Household, HouseUse, Relation, Resident, ResidentKind
    from regions.models import Region, RegionKind

    kind = {label: value for value, label in ResidentKind.choices}
    rel = {label: value for value, label in Relation.choices}
    use = {label: value for value, label in HouseUse.choices}
    tuned = {"use_bulk": True, "batch_size": 1000, "skip_diff": True, "force_init_instance": True,
             "import_id_fields": []}

    def meta(model, names):
        return type("Meta", (), {"model": model, "fields": tuple(names), **tuned})

    class HouseResource(resources.ModelResource):
        grid_id = fields.Field(attribute="grid_id", column_name="grid_id")
        building_id = fields.Field(attribute="building_id", column_name="building_id")
        unit = fields.Field(attribute="unit", column_name="单元")
        number = fields.Field(attribute="number", column_name="门牌")
        address = fields.Field(attribute="address", column_name="address")
        use = fields.Field(attribute="use", column_name="房屋用途")
        Meta = meta(House, ["grid_id", "building_id", "unit", "number", "address", "use"])

        def before_import_row(self, row, **kwargs):
            row["房屋用途"] = use[row["房屋用途"]]

    class HouseholdResource(resources.ModelResource):
        grid_id = fields.Field(attribute="grid_id", column_name="grid_id")
        house_id = fields.Field(attribute="house_id", column_name="house_id")
        head_name = fields.Field(attribute="head_name", column_name="姓名")
        number = fields.Field(attribute="number", column_name="address")
        Meta = meta(Household, ["grid_id", "house_id", "head_name", "number"])

    class ResidentResource(resources.ModelResource):
        grid_id = fields.Field(attribute="grid_id", column_name="grid_id")
        household_id = fields.Field(attribute="household_id", column_name="household_id")
        name = fields.Field(attribute="name", column_name="姓名")
        id_number = fields.Field(attribute="id_number", column_name="身份证号")
        phone = fields.Field(attribute="phone", column_name="手机号")
        kind = fields.Field(attribute="kind", column_name="人口类型")
        relation = fields.Field(attribute="relation", column_name="与户主关系")
        name_pinyin = fields.Field(attribute="name_pinyin", column_name="name_pinyin")
        name_initials = fields.Field(attribute="name_initials", column_name="name_initials")
        Meta = meta(Resident, ["grid_id", "household_id", "name", "id_number", "phone", "kind", "relation",
                               "name_pinyin", "name_initials"])

        def before_import_row(self, row, **kwargs):
            row["人口类型"] = kind[row["人口类型"]]
            row["与户主关系"] = rel[row["与户主关系"]]
            row["name_pinyin"] = name_pinyin(row["姓名"])
            row["name_initials"] = name_initials(row["姓名"])

    def run(resource, dataset):
        result = resource.import_data(dataset, dry_run=False, raise_errors=True, use_transactions=True)
        if result.has_errors() or result.has_validation_errors():
            raise SystemExit("peer import reported errors")

    t0 = time.perf_counter()
    sheet = tablib.Dataset().load(io.BytesIO(data), format="xlsx")
    buildings = {}
    for b in Region.objects.filter(kind=RegionKind.BUILDING).select_related("parent__parent__parent"):
        compound, grid = b.parent, b.parent.parent
        buildings[(grid.parent.name, grid.name, compound.name, b.name)] = (b.pk, grid.pk)
    keys = []
    houses = tablib.Dataset(headers=["grid_id", "building_id", "单元", "门牌", "address", "房屋用途"])
    seen = set()
    for row in sheet.dict:
        bid, gid = buildings[(row["社区"], row["网格"], row["小区"], row["楼栋"])]
        address = f"{row['小区']}{row['楼栋']}{row['单元']}单元{row['门牌']}"
        keys.append((gid, address))
        if address not in seen:
            seen.add(address)
            houses.append([gid, bid, row["单元"], row["门牌"], address, row["房屋用途"]])
    run(HouseResource(), houses)
    house_ids = dict(House.objects.values_list("address", "id"))
    households = tablib.Dataset(headers=["grid_id", "house_id", "姓名", "address"])
    seen = set()
    for (gid, address), row in zip(keys, sheet.dict, strict=True):
        if address not in seen:
            seen.add(address)
            households.append([gid, house_ids[address], row["姓名"], address])
    run(HouseholdResource(), households)
    hh_ids = dict(Household.objects.values_list("number", "id"))
    sheet.append_col([hh_ids[a] for _, a in keys], header="household_id")
    sheet.append_col([g for g, _ in keys], header="grid_id")
    run(ResidentResource(), sheet)
    elapsed = time.perf_counter() - t0
    return elapsed, Resident.objects.count()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of 100,000 rows")
    args = ap.parse_args()
    url = setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit(f"PostgreSQL required (DATABASE_URL={url})")
    rows = max(1000, int(100_000 * args.scale))
    user = build_tree()
    clear()
    t0 = time.perf_counter()
    data, _places = build_xlsx(rows)
    print(f"workbook: {rows} residents, {len(data) / 1048576:.1f} MB, built in {time.perf_counter() - t0:.1f} s")

    def ours():
        seconds, n, counts = run_ours(user, data)
        print(f"created {counts['houses']} houses, {counts['households']} households, {counts['residents']} residents")
        return seconds, n

    from bulkimport import read_sheet
    from grid.imports import ResidentImporter

    t0 = time.perf_counter()
    read_sheet(ResidentImporter, data, filename="residents.xlsx")
    read_s = time.perf_counter() - t0
    print(f"reading the workbook alone (calamine, header and formula checks): {read_s:.2f} s")
    import_bench(
        rows, clear=clear, ours=ours, extra={"read_s": round(read_s, 3)},
        copy=lambda: time_copy(TABLES, clear, "grid_resident"),
        peer=lambda: run_peer(data),
        ours_label="ours (calamine + full validation + houses/households + encryption + COPY)",
        copy_label="raw COPY of the same rows (3 tables)",
        peer_label="django-import-export (use_bulk, batch_size=1000, skip_diff, force_init_instance; houses, "
                   "households and residents as three bulk imports, lookups prefetched)")

if __name__ == "__main__":
    main()
