"""一表双卡 as files: the roster (.xlsx), the member registration card and the organization
activity card (.docx with python-docx, PDF with fpdf2 and Debian's Noto CJK font)."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from functools import lru_cache

from django.utils import timezone

from core.masking import mask_id_number, mask_mobile

from .models import Category, Decision, DualRegistration, MemberDeed, PartyMember

CJK_FONT = os.environ.get("DANGJIAN_CJK_FONT", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_FONT_INDEX = 2  # "Noto Sans CJK SC" inside the collection
CJK_BOLD = CJK_FONT.replace("Regular", "Bold")


def _d(value) -> str:
    return value.strftime("%Y年%m月%d日") if value else ""


# --------------------------------------------------------------------------
# What goes on the cards
# --------------------------------------------------------------------------


@dataclass
class Card:
    title: str
    subtitle: str
    fields: list[tuple[str, str]]  # label, value (2 per printed row)
    tables: list[tuple[str, list[str], list[list[str]]]]  # caption, header, rows


def member_card(member: PartyMember) -> Card:
    year = timezone.localdate().year
    deeds = list(MemberDeed.objects.filter(member=member, date__year=year)[:20])
    regs = list(DualRegistration.objects.filter(member=member).select_related("community")[:5])
    events = list(member.events.all()[:12])
    fields = [
        ("姓名", member.name), ("性别", member.get_gender_display()),
        ("民族", member.ethnicity), ("出生年月", member.birth_date.strftime("%Y年%m月")),
        ("身份证号", mask_id_number(member.id_number)),
        ("联系电话", mask_mobile(member.mobile) if member.mobile else ""),
        ("学历", member.get_education_display()), ("职业", member.occupation),
        ("入党时间", _d(member.joined_on)), ("转正时间", _d(member.full_member_on)),
        ("党员类别", member.get_category_display()), ("党员状态", member.get_status_display()),
        ("所在党组织", str(member.org)), ("工作单位", member.employer),
        ("单位党组织", str(member.unit_org or "")), ("居住社区", str(member.residence or "")),
        ("居住地址", member.address), ("双报到", "；".join(
            f"{r.community}（{r.get_status_display()}）" for r in regs) or "无"),
    ]
    tables = [
        (f"{year}年为群众办实事", ["日期", "事项", "时长（小时）"],
         [[d.date.isoformat(), d.title, str(d.hours)] for d in deeds] or [["", "暂无记录", ""]]),
        ("变动记录", ["日期", "事项", "变动"],
         [[e.on.isoformat(), e.kind, f"{e.old_value} → {e.new_value}".strip(" →")] for e in events]
         or [["", "暂无记录", ""]]),
    ]
    return Card("社区党员登记卡", f"登记日期：{_d(timezone.localdate())}", fields, tables)


def org_activity_card(org) -> Card:
    from orgs.models import PartyOrg

    from .selectors import deeds_this_year

    year = timezone.localdate().year
    members = PartyMember.objects.filter(org=org, status__in=["probationary", "full"])
    by_cat = {c: 0 for c in Category.values}
    for c in members.values_list("category", flat=True):
        by_cat[c] += 1
    regs = list(DualRegistration.objects.filter(community=org.region, status=Decision.CONFIRMED,
                                                requested_at__year=year).select_related("member__org", "unit_org"))
    deed_counts = deeds_this_year([r.member_id for r in regs if r.member_id], year)
    units = PartyOrg.objects.filter(region=org.region, level__in=["resident_unit", "new_economic", "new_social"])
    fields = [
        ("党组织名称", org.name), ("组织形式", org.get_form_display()),
        ("书记", org.secretary_name), ("所在区划", str(org.region)),
        ("党员总数", str(sum(by_cat.values()))), ("成立日期", _d(org.established_on)),
        *[(Category(c).label, str(n)) for c, n in by_cat.items()],
        ("驻区单位党组织", "、".join(u.name for u in units) or "无"), ("本年报到人数", str(len(regs))),
    ]
    tables = [
        (f"{year}年在职党员双报到及办实事情况", ["姓名/单位", "所在党组织", "报到日期", "本年实事"],
         [[str(r.member or r.unit_org), str(r.member.org if r.member else ""), r.requested_at.date().isoformat(),
           str(deed_counts.get(r.member_id, 0)) if r.member_id else ""] for r in regs] or [["暂无", "", "", ""]]),
    ]
    return Card("社区党组织活动登记卡", f"{year}年度", fields, tables)


# --------------------------------------------------------------------------
# .docx
# --------------------------------------------------------------------------


def card_docx(card: Card) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2)
    style = doc.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    h = doc.add_paragraph()
    h.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = h.add_run(card.title)
    run.bold = True
    run.font.size = Pt(20)
    run.font.name = "黑体"
    run._element.rPr.rFonts.set(qn("w:eastAsia"), "黑体")
    sub = doc.add_paragraph(card.subtitle)
    sub.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    rows = (len(card.fields) + 1) // 2
    t = doc.add_table(rows=rows, cols=4)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, (label, value) in enumerate(card.fields):
        r, c = divmod(i, 2)
        lab = t.cell(r, c * 2)
        lab.text = label
        lab.paragraphs[0].runs[0].bold = True
        t.cell(r, c * 2 + 1).text = value or ""
    for caption, header, body in card.tables:
        p = doc.add_paragraph()
        p.add_run(caption).bold = True
        tt = doc.add_table(rows=1 + len(body), cols=len(header))
        tt.style = "Table Grid"
        for j, hcell in enumerate(header):
            tt.cell(0, j).text = hcell
            tt.cell(0, j).paragraphs[0].runs[0].bold = True
        for i, line in enumerate(body, 1):
            for j, v in enumerate(line):
                tt.cell(i, j).text = v
    doc.add_paragraph()
    doc.add_paragraph("填表人：____________    审核人（书记）：____________    （盖章）")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def font_available() -> bool:
    return os.path.exists(CJK_FONT)


def card_pdf(card: Card) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font("cjk", "", CJK_FONT, collection_font_number=CJK_FONT_INDEX)
    bold = CJK_BOLD if os.path.exists(CJK_BOLD) else CJK_FONT
    pdf.add_font("cjk", "B", bold, collection_font_number=CJK_FONT_INDEX)
    pdf.set_title(card.title)
    pdf.add_page()
    pdf.set_font("cjk", "B", 20)
    pdf.cell(0, 14, card.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", "", 10)
    pdf.cell(0, 7, card.subtitle, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", "", 10.5)
    with pdf.table(col_widths=(22, 43, 22, 43), line_height=8, first_row_as_headings=False) as table:
        for i in range(0, len(card.fields), 2):
            row = table.row()
            for label, value in card.fields[i:i + 2]:
                pdf.set_font("cjk", "B", 10.5)
                row.cell(label)
                pdf.set_font("cjk", "", 10.5)
                row.cell(value or "")
    for caption, header, body in card.tables:
        pdf.ln(4)
        pdf.set_font("cjk", "B", 12)
        pdf.cell(0, 9, caption, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("cjk", "", 10)
        widths = {3: (25, 80, 25), 4: (30, 45, 25, 20)}.get(len(header))
        with pdf.table(col_widths=widths, line_height=7) as table:
            table.row(header)
            for line in body:
                table.row(line)
    pdf.ln(8)
    pdf.set_font("cjk", "", 11)
    pdf.cell(0, 8, "填表人：____________    审核人（书记）：____________    （盖章）")
    return bytes(pdf.output())


# --------------------------------------------------------------------------
# Roster (党员基本情况一览表)
# --------------------------------------------------------------------------

ROSTER_HEADER = ["序号", "姓名", "性别", "民族", "出生年月", "学历", "入党时间", "转正时间", "党员类别",
                 "党员状态", "工作单位", "职业", "居住地址", "联系电话", "所在党组织"]


def roster_rows(members) -> list[list[str]]:
    out = []
    for i, m in enumerate(members, 1):
        out.append([str(i), m.name, m.get_gender_display(), m.ethnicity, m.birth_date.strftime("%Y-%m"),
                    m.get_education_display(), m.joined_on.isoformat(),
                    m.full_member_on.isoformat() if m.full_member_on else "", m.get_category_display(),
                    m.get_status_display(), m.employer, m.occupation, m.address,
                    mask_mobile(m.mobile) if m.mobile else "", str(m.org)])
    return out


def roster_xlsx(title: str, members) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("党员基本情况一览表")
    title_fmt = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center"})
    cell = wb.add_format({"border": 1})
    ws.merge_range(0, 0, 0, len(ROSTER_HEADER) - 1, f"{title}党员基本情况一览表", title_fmt)
    ws.write_string(1, 0, f"制表日期：{timezone.localdate():%Y-%m-%d}（联系电话已脱敏）")
    widths = [5, 8, 5, 7, 9, 10, 11, 11, 11, 9, 18, 10, 24, 13, 24]
    for j, h in enumerate(ROSTER_HEADER):
        ws.write_string(2, j, h, head)
        ws.set_column(j, j, widths[j])
    for i, line in enumerate(roster_rows(members), 3):
        for j, v in enumerate(line):
            ws.write_string(i, j, v, cell)
    ws.freeze_panes(3, 2)
    ws.set_landscape()
    ws.repeat_rows(2)
    wb.close()
    return buf.getvalue()
