"""Bulk import of Party members from .xlsx (the shared mechanism of core/imports/)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.scope import scope_filter
from core.crypto import blind_index
from core.idnumber import normalize_id_number, parse_id_number
from core.imports import (
    Column,
    Importer,
    cell_text,
    choice,
    date_value,
    decimal_value,
    existing_values,
    file_hashes,
    id_number,
    insert_rows,
    mobile,
    text,
    today,
)
from orgs.models import PartyOrg

from .models import Category, Education, Gender, MemberEvent, MemberStatus, PartyMember
from .perms import MembersPerm
from .services import clean_member_data

_CATEGORY = {label: value for value, label in Category.choices} | {
    label.removesuffix("党员"): value for value, label in Category.choices} | {"退休": "retired", "退休党员": "retired"}
_EDUCATION = {label: value for value, label in Education.choices} | {"本科": "bachelor", "大专": "college",
                                                                     "专科": "college", "高中": "secondary",
                                                                     "中专": "secondary", "初中": "junior"}


class ParsedId(str):
    """The normalized ID number (a str), carrying what it encodes so the row checks parse it once."""

    info = None


def id_info(value):
    """Like core.imports.id_number, but keeps what the number encodes for the row checks."""
    if isinstance(value, float):
        return id_number(value)  # raises the "stored as a number" message
    info = parse_id_number(cell_text(value), today=today())
    parsed = ParsedId(info.number)
    parsed.info = info
    return parsed


class MemberImporter(Importer):
    kind = "members.member"
    label = "党员"
    perm = MembersPerm.IMPORT
    sheet_name = "党员"
    model = PartyMember
    batch_size = 2000
    columns = [
        Column("name", "姓名", required=True, parser=text(50), mask="name", example="张三"),
        Column("gender", "性别", parser=choice({g.label: g.value for g in Gender}), example="男",
               help="男/女，须与身份证号一致；可不填，按身份证号确定", width=6),
        Column("ethnicity", "民族", parser=text(20), example="汉族", width=8),
        Column("birth_date", "出生日期", parser=date_value(), help="可不填，按身份证号确定；填写时须一致",
               example="1980-05-01", width=12),
        Column("id_number", "身份证号", required=True, parser=id_info, mask="id_number",
               help="18 位，单元格设为文本格式", example="654322198005010012", width=22),
        Column("mobile", "手机号", parser=mobile, mask="mobile", example="13812345678"),
        Column("education", "学历", parser=choice(_EDUCATION), help="研究生/大学本科/大学专科/中专/高中/初中及以下",
               example="大学本科", width=10),
        Column("occupation", "职业", parser=text(50), example="教师"),
        Column("joined_on", "入党日期", required=True, parser=date_value(), example="2005-07-01", width=12),
        Column("full_member_on", "转正日期", parser=date_value(), help="预备党员不填", example="2006-07-01",
               width=12),
        Column("category", "党员类别", required=True, parser=choice(_CATEGORY),
               help="在职/离退休/下岗失业/流动/困难/学生", example="在职党员", width=12),
        Column("org", "所在党组织", required=True, parser=text(120), help="须为您管辖范围内的党组织全称",
               example="文化东路社区党总支", width=28),
        Column("address", "居住地址", parser=text(200), mask="text", width=24),
        Column("employer", "工作单位", parser=text(120), width=20),
        Column("monthly_income", "月收入", parser=decimal_value(min_value=Decimal(0)), mask="text",
               help="税后月收入（元），用于计算党费", width=10),
    ]
    unique_columns = ["id_number"]

    streaming = True
    values_normalized = True  # the id_number and mobile parsers return normalized numbers

    def prepare(self, rows):
        # Look up only the organizations the file names: the cost follows the file, not the scope.
        names = {cell_text(r.raw.get("org")) for r in rows} - {""}
        orgs = scope_filter(PartyOrg.objects.all(), self.actor, MembersPerm.IMPORT)
        orgs = orgs.filter(name__in=list(names)).values_list("id", "name") if len(names) <= 5000 else (
            orgs.values_list("id", "name"))
        by_name: dict[str, list[int]] = defaultdict(list)
        for pk, name in orgs:
            by_name[name].append(pk)
        self.orgs = by_name
        self.today = timezone.localdate()
        # ID numbers already registered, by keyed hash (the rows are checked while earlier ones are
        # being written, so the database is asked once, here).
        self.hashes = file_hashes(rows, "id_number", purpose="id_number", normalize=normalize_id_number)
        self.registered = existing_values(PartyMember, "id_number_hash", self.hashes.values())

    def clean_org(self, name):
        ids = self.orgs.get(name, [])
        if not ids:
            raise ValidationError("党组织不存在或不在您的管辖范围内")
        if len(ids) > 1:
            raise ValidationError("有多个同名党组织，请在系统中逐个登记")
        return ids[0]

    def clean_row(self, row):
        clean = clean_member_data(row.values, today=self.today)
        clean["org_id"] = clean.pop("org")
        row.values = clean

    def check_rows(self, rows):
        registered, hashes = self.registered, self.hashes
        for r in rows:
            number = r.values["id_number"]
            h = hashes.get(number) or blind_index(number, purpose="id_number")
            r.values["id_number_hash"] = h
            if h in registered:
                r.add_error("id_number", "该身份证号已登记为党员")

    def finish(self, rows):
        """Each imported member's status history starts with a registration event."""
        labels = dict(MemberStatus.choices)
        actor_id = getattr(self.actor, "pk", None)
        insert_rows(MemberEvent, [
            {"member_id": r.pk, "kind": "登记", "new_value": labels[r.values["status"]], "note": "Excel 导入",
             "on": r.values["joined_on"], "actor_id": actor_id} for r in rows
        ], batch_size=self.batch_size, need_ids=False)
        return len(rows)
