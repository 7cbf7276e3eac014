"""The roster and the statistics as .xlsx in the layout an organization department files: a title row, the
standard columns, one row per cadre (花名册); a second sheet with the statistics per community, each street's
subtotal and the total. ID and phone numbers are masked, allowances too for someone without the right."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from .models import Cadre
from .selectors import StatsRow, allowance_text, masked

ROSTER_HEADERS = ["序号", "街道（镇）", "社区", "姓名", "性别", "出生年月", "年龄", "身份证号", "政治面貌", "学历",
                  "职务", "“两委”成员", "支委成员", "“一肩挑”", "身份类别", "到社区工作时间", "合同期限",
                  "月补贴（元）", "职业资格证书", "上年度考核", "本年培训（天）", "联系电话"]
STATS_HEADERS = ["单位", "人数", "国家行政编制", "事业编制", "聘用人员", "公益性岗位", "国家干部合计", "聘用人员合计",
                 "平均年龄（岁）", "35岁以下（人）", "35岁以下占比（%）", "大专及以上（人）", "大专及以上占比（%）",
                 "书记（人）", "“一肩挑”（人）", "“一肩挑”占比（%）", "“两委”成员（人）", "“两委”平均年龄（岁）",
                 "支委成员（人）", "网格员（人）", "党员（人）"]


def _sheet(ws, heading: str, headers: list[str]) -> None:
    from openpyxl.styles import Alignment, Font

    ws.append([heading])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(headers)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(row=2, column=i).column_letter].width = max(8, min(22, len(h) * 2 + 2))
    ws.freeze_panes = "A3"


def _yes(v: bool) -> str:
    return "是" if v else "否"


def roster_xlsx(*, title: str, cadres: list[Cadre], stats: list[StatsRow], salary_paths, today: date,
                training_days: dict, last_ratings: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    _sheet(ws, f"{title}社区工作者花名册（{today:%Y年%m月%d日}）", ROSTER_HEADERS)
    for i, c in enumerate(cadres, start=1):
        m = masked(c)
        contract = next(iter(c.contracts.all()), None)
        certs = "、".join(x.name for x in c.certificates.all())
        ws.append([
            i, c.region.parent.name if c.region.parent_id else "", c.region.name, c.name, c.get_gender_display(),
            f"{c.birth_date:%Y.%m}", c.age_on(today), m["id_number"], "中共党员" if c.member_id else "",
            c.get_education_display(), c.position_label, _yes(c.two_committees), _yes(c.branch_committee),
            _yes(c.one_shoulder), c.get_employment_display(), f"{c.joined_on:%Y.%m}",
            f"{contract.start:%Y.%m.%d}-{contract.end:%Y.%m.%d}" if contract else "",
            allowance_text(c, salary_paths), certs, last_ratings.get(c.pk, ""),
            float(training_days.get(c.pk, 0)), m["mobile"],
        ])
    st = wb.create_sheet("统计")
    _sheet(st, f"{title}社区工作者队伍统计（{today:%Y年%m月%d日}）", STATS_HEADERS)
    for row in stats:
        s = row.stats
        label = ("合计" if row.level == "total" else
                 f"{row.region.name}小计" if row.level == "street" else row.region.name)
        st.append([label, s.total, *[s.by_employment[k] for k in ("admin", "career", "hired", "welfare")], s.national,
                   s.hired, s.average_age, s.under35, s.under35_share, s.college, s.college_share, s.secretaries,
                   s.one_shoulder, s.one_shoulder_share, s.two_committees, s.two_committees_average_age,
                   s.branch_committee, s.grid_workers, s.members])
        if row.level != "community":
            for cell in st[st.max_row]:
                cell.font = Font(bold=True)
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()
