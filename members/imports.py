"""Bulk import of Party members from .xlsx (the shared mechanism of bulkimport/)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.scope import scope_filter
from bulkimport import (
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
from core.crypto import blind_index
from core.idnumber import id_check_digit, normalize_id_number, parse_id_number
from orgs.models import PartyOrg

from .models import Category, Education, Gender, MemberEvent, MemberStatus, PartyMember
from .perms import MembersPerm
from .services import clean_member_data
from .services.common import AUDITED

_CATEGORY = {label: value for value, label in Category.choices} | {
    label.removesuffix("党员"): value for value, label in Category.choices} | {"退休": "retired", "退休党员": "retired"}
_EDUCATION = {label: value for value, label in Education.choices} | {"本科": "bachelor", "大专": "college",
                                                                     "专科": "college", "高中": "secondary",
                                                                     "中专": "secondary", "初中": "junior"}


# The template's example row: a made-up number whose check digit is right (born 1980-05-01, male), in a
# region code the synthetic test and demo numbers never use (core.idnumber.SyntheticIdNumbers).
EXAMPLE_ID = "11010119800501001" + id_check_digit("11010119800501001")


class ParsedId(str):
    """The normalized ID number (a str), carrying what it encodes so the row checks parse it once."""

    info = None


def id_info(value):
    """Like imports.id_number, but keeps what the number encodes for the row checks."""
    if isinstance(value, float):
        return id_number(value)  # raises the "stored as a number" message
    info = parse_id_number(cell_text(value), today=today())
    parsed = ParsedId(info.number)
    parsed.info = info
    return parsed


id_info.rule = id_number.rule
id_info.max_length = 18


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
               example=EXAMPLE_ID, width=22),
        Column("mobile", "手机号", parser=mobile, mask="mobile", example="13812345678"),
        Column("education", "学历", parser=choice(_EDUCATION, options=Education.labels),
               example="大学本科", width=10),
        Column("occupation", "职业", parser=text(50), example="教师"),
        Column("joined_on", "入党日期", required=True, parser=date_value(), example="2005-07-01", width=12),
        Column("full_member_on", "转正日期", parser=date_value(), help="预备党员不填", example="2006-07-01",
               width=12),
        Column("category", "党员类别", required=True, parser=choice(_CATEGORY, options=Category.labels),
               example="在职党员", width=12),
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

    @classmethod
    def fix_link(cls, error):
        if error.get("reason") == "该身份证号已登记为党员":
            return ("改为按身份证号更新", reverse("members:import_update"))
        return None

    def finish(self, rows):
        """Each imported member's status history starts with a registration event."""
        labels = dict(MemberStatus.choices)
        actor_id = getattr(self.actor, "pk", None)
        insert_rows(MemberEvent, [
            {"member_id": r.pk, "kind": "登记", "new_value": labels[r.values["status"]], "note": "Excel 导入",
             "on": r.values["joined_on"], "actor_id": actor_id} for r in rows
        ], batch_size=self.batch_size, need_ids=False)
        return len(rows)


# Fields a re-import may change, by column key (the member's own field of the same name). A blank
# cell leaves the field as it is; the ID number finds the member and is never changed here;
# the organization changes only through a transfer.
UPDATABLE = ["name", "ethnicity", "mobile", "education", "occupation", "joined_on", "full_member_on",
             "category", "address", "employer", "monthly_income"]


def _shown(member_field: str, value, column) -> str:
    from core.masking import mask_value

    if value in (None, ""):
        return ""
    if member_field == "category":
        return Category(value).label
    if member_field == "education":
        return Education(value).label
    if member_field == "status":
        return MemberStatus(value).label
    text_value = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return mask_value(column.mask, text_value) if column is not None and column.mask else text_value


class MemberUpdateImporter(MemberImporter):
    """Re-import: the members of the file, found by ID number through the keyed hash, get the
    values of the file's filled cells. The changes are shown field by field before anything is
    saved (imports previews); each member is then saved through members.services.member_update
    and audited as an edit."""

    kind = "members.member_update"
    label = "党员信息更新"
    template_name = "党员导入模板"
    intro = ("按身份证号找到已登记的党员，用文件中填写的单元格更新其信息（空单元格不改动）；"
             "上传后先逐人列出将修改的内容，确认后才保存。所在党组织须与系统一致，更换请走组织关系转接。")
    done_message = "已更新 {n} 名党员。"
    streaming = False
    previews = True

    def prepare(self, rows):
        super().prepare(rows)
        members = scope_filter(PartyMember.objects.all(), self.actor, MembersPerm.EDIT)
        self.members = {m.id_number_hash: m for m in
                        members.filter(id_number_hash__in=list(self.hashes.values())).select_related("org")}

    def check_rows(self, rows):
        for r in rows:
            number = r.values["id_number"]
            h = self.hashes.get(number) or blind_index(number, purpose="id_number")
            member = self.members.get(h)
            if member is None:
                r.add_error("id_number", "您的管辖范围内没有该身份证号的党员；新党员请用“导入党员”登记")
            elif r.values["org_id"] != member.org_id:
                r.add_error("org", f"与系统中的所在党组织（{member.org}）不同；更换党组织请走组织关系转接")
            else:
                r.member = member
                merged = {f: getattr(member, f) for f in AUDITED if f != "org"} | self._updates(r)
                try:  # what member_update will check, on the member's values with the file's changes
                    clean_member_data(merged, today=self.today)
                except ValidationError as exc:
                    for field, messages in exc.message_dict.items():
                        for message in messages:
                            r.add_error(field, message)

    @classmethod
    def fix_link(cls, error):
        reason = error.get("reason", "")
        if reason.startswith("您的管辖范围内没有该身份证号的党员"):
            return ("登记新党员", reverse("members:import"))
        if "组织关系转接" in reason:
            return ("组织关系转接", reverse("members:transfers"))
        return None

    def _updates(self, row) -> dict:
        """{field: new value} for the filled cells that differ from the member's values."""
        member, values = row.member, row.values
        out = {}
        for key in UPDATABLE:
            if cell_text(row.raw.get(key)) == "":
                continue
            if values.get(key) != getattr(member, key):
                out[key] = values[key]
        if "full_member_on" in out and member.status == MemberStatus.PROBATIONARY:
            out["status"] = MemberStatus.FULL
        return out

    def preview(self, rows):
        changes = []
        for r in rows:
            updates = self._updates(r)
            if not updates:
                continue
            member = r.member
            fields = [{"label": (self.column_by_key.get(f).header if f in self.column_by_key else "党员状态"),
                       "old": _shown(f, getattr(member, f), self.column_by_key.get(f)),
                       "new": _shown(f, v, self.column_by_key.get(f))} for f, v in updates.items()]
            changes.append({"row": r.number, "title": member.name, "url": reverse("members:detail", args=[member.pk]),
                            "fields": fields,
                            "key": [member.pk, r.number,
                                    sorted((f, str(getattr(member, f)), str(v)) for f, v in updates.items())]})
        return changes

    def save_rows(self, rows):
        from .services import member_update

        count = 0
        for r in rows:
            updates = self._updates(r)
            if updates:
                member_update(actor=self.actor, member=r.member, **updates)
                count += 1
        return count

    def finish(self, rows):  # not streaming: save_rows does the work
        return 0
