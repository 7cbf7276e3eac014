"""Bulk import of Party members from .xlsx.

Builds a 50,000-row member workbook with the Chinese headers of the import template (valid
rows over 20 organizations), then, on the same PostgreSQL table in the same run:
  - ours: bulkimport + members.imports.MemberImporter — read with python-calamine, every
    row fully validated (ID check digit, birth date and gender against the ID, mobile, dates,
    category, organization in the uploader's scope, duplicates in the file and in the
    database), encrypted + blind-indexed, pinyin keys, saved in one transaction;
  - the peer: django-import-export 4 with its tuned settings (use_bulk, batch_size=1000,
    skip_diff, force_init_instance; reads the file with tablib/openpyxl), a Resource mapping the
    same headers, organizations through ForeignKeyWidget, choice labels and pinyin keys in
    before_import_row (it does not check ID numbers: that is its best case);
  - the practical limit: a raw PostgreSQL COPY of the very rows ours inserted.
Prints rows/s of each and the ratios; last line one JSON object.

    .venv/bin/python bench/import_members.py [--scale 0.02]
"""

from __future__ import annotations

import argparse
import io
import random
import time
from datetime import date, timedelta

from _setup import import_bench, setup_django, time_copy

ORGS = 20


def build_tree():
    from accounts.models import RoleAssignment, User
    from accounts.roles import Role
    from orgs.models import OrgForm, OrgLevel, PartyOrg
    from regions.models import Region, RegionKind

    district = Region.objects.filter(name="导入基准县", kind=RegionKind.DISTRICT).first()
    if district is None:
        district = Region.objects.create(name="导入基准县", kind=RegionKind.DISTRICT)
        street = Region.objects.create(name="导入基准街道", kind=RegionKind.STREET, parent=district)
        for i in range(ORGS):
            comm = Region.objects.create(name=f"基准社区{i}", kind=RegionKind.COMMUNITY, parent=street)
            PartyOrg.objects.create(name=f"基准社区{i}党支部", level=OrgLevel.COMMUNITY, form=OrgForm.BRANCH,
                                    region=comm)
    user = User.objects.filter(username="bench_importer").first()
    if user is None:
        user = User.objects.create_user("bench_importer", password="x-Bench-2026", full_name="基准导入")
        RoleAssignment.objects.create(user=user, role=Role.DISTRICT_ADMIN, region=district)
    return user


def build_xlsx(rows: int) -> bytes:
    import xlsxwriter

    from core.idnumber import generate_id_number
    from core.phone import generate_mobile
    from core.synthetic import person_name
    from members.imports import MemberImporter

    rng = random.Random(50000)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "constant_memory": True})
    ws = wb.add_worksheet("党员")
    for j, col in enumerate(MemberImporter.columns):
        ws.write_string(0, j, col.header)
    seen = set()
    cats = ["在职党员", "离退休党员", "下岗失业党员", "困难党员", "学生党员"]
    edus = ["研究生", "大学本科", "大学专科", "中专/高中", "初中及以下"]
    today = date.today()
    r = 1
    while r <= rows:
        born = date(1940, 1, 1) + timedelta(days=rng.randint(0, 365 * 60))
        gender = rng.choice("MF")
        idn = generate_id_number(rng, region_code=rng.choice(["654322", "650102", "110105", "320102"]),
                                 birth_date=born, gender=gender)
        if idn in seen:
            continue
        seen.add(idn)
        joined = date(born.year + 20, born.month, 1) + timedelta(days=rng.randint(0, 3000))
        joined = min(joined, today - timedelta(days=400))
        line = [person_name(rng), "男" if gender == "M" else "女", "汉族", born.isoformat(), idn,
                generate_mobile(rng), rng.choice(edus), "职工", joined.isoformat(),
                (joined + timedelta(days=365)).isoformat(), rng.choice(cats), f"基准社区{rng.randrange(ORGS)}党支部",
                f"幸福路{rng.randint(1, 200)}号", "某单位", str(rng.choice([3000, 4500, 6000, 12000]))]
        for j, v in enumerate(line):
            ws.write_string(r, j, v)
        r += 1
    wb.close()
    return buf.getvalue()


def clear() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE members_memberevent, members_partymember RESTART IDENTITY CASCADE")


def run_ours(user, data: bytes) -> tuple[float, int]:
    from bulkimport import read_sheet
    from members.imports import MemberImporter

    t0 = time.perf_counter()
    sheet = read_sheet(MemberImporter, data, filename="members.xlsx")
    outcome = MemberImporter(actor=user).import_sheet(sheet)
    if not outcome.saved:
        raise SystemExit(f"unexpected bad rows: {outcome.bad[0].errors}")
    return time.perf_counter() - t0, outcome.created


def run_peer(data: bytes) -> tuple[float, int]:
    import tablib
    from import_export import fields, resources, widgets

    from core.pinyin import name_initials, name_pinyin
    from members.models import Category, Education, PartyMember
    from orgs.models import PartyOrg

    cat = {label: value for value, label in Category.choices}
    edu = {label: value for value, label in Education.choices}

    class MemberResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="姓名")
        gender = fields.Field(attribute="gender", column_name="性别")
        ethnicity = fields.Field(attribute="ethnicity", column_name="民族")
        birth_date = fields.Field(attribute="birth_date", column_name="出生日期", widget=widgets.DateWidget("%Y-%m-%d"))
        id_number = fields.Field(attribute="id_number", column_name="身份证号")
        mobile = fields.Field(attribute="mobile", column_name="手机号")
        education = fields.Field(attribute="education", column_name="学历")
        occupation = fields.Field(attribute="occupation", column_name="职业")
        joined_on = fields.Field(attribute="joined_on", column_name="入党日期", widget=widgets.DateWidget("%Y-%m-%d"))
        full_member_on = fields.Field(attribute="full_member_on", column_name="转正日期",
                                      widget=widgets.DateWidget("%Y-%m-%d"))
        category = fields.Field(attribute="category", column_name="党员类别")
        org = fields.Field(attribute="org", column_name="所在党组织", widget=widgets.ForeignKeyWidget(PartyOrg, "name"))
        address = fields.Field(attribute="address", column_name="居住地址")
        employer = fields.Field(attribute="employer", column_name="工作单位")
        monthly_income = fields.Field(attribute="monthly_income", column_name="月收入", widget=widgets.DecimalWidget())
        name_pinyin = fields.Field(attribute="name_pinyin", column_name="name_pinyin")
        name_initials = fields.Field(attribute="name_initials", column_name="name_initials")
        status = fields.Field(attribute="status", column_name="status")

        class Meta:
            model = PartyMember
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            force_init_instance = True
            import_id_fields = []
            fields = ("name", "gender", "ethnicity", "birth_date", "id_number", "mobile", "education", "occupation",
                      "joined_on", "full_member_on", "category", "org", "address", "employer", "monthly_income",
                      "name_pinyin", "name_initials", "status")

        def before_import_row(self, row, **kwargs):
            row["性别"] = "M" if row["性别"] == "男" else "F"
            row["党员类别"] = cat[row["党员类别"]]
            row["学历"] = edu.get(row["学历"], "")
            row["name_pinyin"] = name_pinyin(row["姓名"])
            row["name_initials"] = name_initials(row["姓名"])
            row["status"] = "full" if row["转正日期"] else "probationary"

    t0 = time.perf_counter()
    dataset = tablib.Dataset().load(io.BytesIO(data), format="xlsx")
    result = MemberResource().import_data(dataset, dry_run=False, raise_errors=True, use_transactions=True)
    elapsed = time.perf_counter() - t0
    if result.has_errors() or result.has_validation_errors():
        raise SystemExit("peer import reported errors")
    return elapsed, PartyMember.objects.count()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of 50,000 rows")
    args = ap.parse_args()
    url = setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit(f"PostgreSQL required (DATABASE_URL={url})")
    rows = max(100, int(50_000 * args.scale))
    user = build_tree()
    clear()
    t0 = time.perf_counter()
    data = build_xlsx(rows)
    print(f"workbook: {rows} rows, {len(data) / 1048576:.1f} MB, built in {time.perf_counter() - t0:.1f} s")

    import_bench(
        rows, clear=clear, ours=lambda: run_ours(user, data),
        copy=lambda: time_copy(["members_partymember"], clear, "members_partymember"),
        peer=lambda: run_peer(data),
        ours_label="ours (calamine + full validation + encryption + COPY)",
        copy_label="raw COPY of the same rows",
        peer_label="django-import-export (use_bulk, batch_size=1000, skip_diff, force_init_instance)")

if __name__ == "__main__":
    main()
